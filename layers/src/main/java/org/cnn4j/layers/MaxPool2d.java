package org.cnn4j.layers;

import java.util.Arrays;
import org.cnn4j.runtime.Tensor;

/**
 * 2-D max pooling: {@code y[n, c, i, j] = max over the window of x}; the backward routes each gradient to
 * the window's arg-max (the first maximum).
 * <p><b>Shape</b>: {@code [N, C, H, W] -> [N, C, Ho, Wo]}, {@code Ho = floor((H + 2 ph - kh) / sh) + 1}
 * (ceiling in ceil mode). <b>Defaults</b>: stride = kernel, no padding, floor mode.
 */
public class MaxPool2d extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;

    /** Square window {@code k}, stride {@code k}. */
    public MaxPool2d(int k) {
        this(new int[] {k, k}, new int[] {k, k}, new int[] {0, 0}, false);
    }

    /** The general form; {@code padding = {ph, pw}} on both sides. */
    public MaxPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        this.kernel = Checks.pair("MaxPool2d", "kernel", kernel);
        this.stride = Checks.pair("MaxPool2d", "stride", stride);
        this.padding = Checks.pair("MaxPool2d", "padding", padding);
        Checks.poolArgs("MaxPool2d", this.kernel, this.stride, this.padding);
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.maxPool2d("MaxPool2d.forward", x, kernel, stride, padding, ceilMode);
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel=" + Arrays.toString(kernel) + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding) + ", ceilMode=" + ceilMode + ")";
    }
}
