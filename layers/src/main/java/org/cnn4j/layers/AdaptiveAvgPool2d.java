package org.cnn4j.layers;

import org.cnn4j.runtime.Tensor;

/**
 * Adaptive average pooling to a fixed output size, as PyTorch: output cell {@code i} of {@code out}
 * averages input rows {@code [floor(i H / out), ceil((i + 1) H / out))} (likewise columns).
 * <p><b>Shape</b>: {@code [N, C, H, W] -> [N, C, outH, outW]}.
 */
public class AdaptiveAvgPool2d extends Module {
    private final int outH;
    private final int outW;

    /** Output {@code outH x outW}. */
    public AdaptiveAvgPool2d(int outH, int outW) {
        Checks.positive("AdaptiveAvgPool2d", "output height", outH);
        Checks.positive("AdaptiveAvgPool2d", "output width", outW);
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.adaptiveAvgPool2d("AdaptiveAvgPool2d.forward", x, outH, outW);
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(" + outH + ", " + outW + ")";
    }
}
