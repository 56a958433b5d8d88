package org.cnn4j.layers;

import org.cnn4j.runtime.Tensor;

/** Mean squared error {@code (1 / n) sum (a - b)^2} over all elements (same shapes). */
public class MSELoss {
    /** The scalar loss. */
    public Tensor apply(Tensor input, Tensor target) {
        return F.mseLoss("MSELoss.apply", input, target);
    }

    @Override
    public String toString() {
        return "MSELoss()";
    }
}
