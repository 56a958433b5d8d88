package org.cnn4j.layers;

import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Tensor;

/**
 * Spatial dropout (Tompson et al., 2015): zeroes whole channels of {@code [N, C, H, W]} with probability
 * {@code p} and scales the kept ones by {@code 1 / (1 - p)}; identity in evaluation.
 */
public class Dropout2d extends Module {
    private final float p;
    private final Generator gen;

    /** Channel dropout with probability {@code p} in [0, 1). */
    public Dropout2d(float p) {
        this(p, Generator.global());
    }

    /** Channel dropout drawing its masks from {@code gen}. */
    public Dropout2d(float p, Generator gen) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout2d: p must be in [0, 1), but got " + p);
        }
        this.p = p;
        this.gen = gen;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout2d("Dropout2d.forward", x, p, isTraining(), gen);
    }

    @Override
    public String toString() {
        return "Dropout2d(p=" + p + ")";
    }
}
