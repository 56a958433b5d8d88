package org.cnn4j.layers;

import java.util.Arrays;
import org.cnn4j.runtime.Tensor;

/**
 * 2-D average pooling: {@code y = (1 / count) * sum over the window of x}, where {@code count} is the
 * window size including padding ({@code countIncludePad}, PyTorch's default) or only the input elements.
 * <p><b>Shape</b>: as {@link MaxPool2d}. <b>Defaults</b>: stride = kernel, no padding, counting padding.
 */
public class AvgPool2d extends Module {
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /** Square window {@code k}, stride {@code k}. */
    public AvgPool2d(int k) {
        this(new int[] {k, k}, new int[] {k, k}, new int[] {0, 0}, false, true);
    }

    /** The general form. */
    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = Checks.pair("AvgPool2d", "kernel", kernel);
        this.stride = Checks.pair("AvgPool2d", "stride", stride);
        this.padding = Checks.pair("AvgPool2d", "padding", padding);
        Checks.poolArgs("AvgPool2d", this.kernel, this.stride, this.padding);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.avgPool2d("AvgPool2d.forward", x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel=" + Arrays.toString(kernel) + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding) + ", ceilMode=" + ceilMode + ", countIncludePad=" + countIncludePad + ")";
    }
}
