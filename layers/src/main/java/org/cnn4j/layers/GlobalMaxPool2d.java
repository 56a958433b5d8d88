package org.cnn4j.layers;

import org.cnn4j.runtime.Tensor;

/** Global max pooling: {@code y[n, c] = max_{h, w} x[n, c, h, w]}. <b>Shape</b>: {@code [N, C, H, W] -> [N, C]}. */
public class GlobalMaxPool2d extends Module {
    @Override
    public Tensor forward(Tensor x) {
        return F.globalMaxPool2d("GlobalMaxPool2d.forward", x);
    }

    @Override
    public String toString() {
        return "GlobalMaxPool2d()";
    }
}
