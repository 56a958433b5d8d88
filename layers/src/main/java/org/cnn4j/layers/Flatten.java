package org.cnn4j.layers;

import org.cnn4j.runtime.Tensor;

/** Flattens every dimension after the first: {@code [N, d1, d2, ...] -> [N, d1 * d2 * ...]} (a view). */
public class Flatten extends Module {
    @Override
    public Tensor forward(Tensor x) {
        x.checkOpen("Flatten.forward");
        if (x.rank() < 1) {
            throw new IllegalArgumentException("Flatten.forward: input must have rank >= 1, but got a scalar");
        }
        return x.flatten();
    }

    @Override
    public String toString() {
        return "Flatten()";
    }
}
