package org.cnn4j.layers;

import org.cnn4j.runtime.Tensor;

/** Global average pooling: {@code y[n, c] = mean_{h, w} x[n, c, h, w]}. <b>Shape</b>: {@code [N, C, H, W] -> [N, C]}. */
public class GlobalAvgPool2d extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return F.globalAvgPool2d("GlobalAvgPool2d.forward", x);
    }

    @Override
    public String toString() {
        return "GlobalAvgPool2d()";
    }
}
