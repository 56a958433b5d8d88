package org.cnn4j.layers;

import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Tensor;

/**
 * Inverted dropout (Srivastava et al., 2014): in training, {@code y = m * x / (1 - p)} with
 * {@code m ~ Bernoulli(1 - p)} per element; in evaluation, {@code y = x}. The mask comes from the Philox
 * generator, so a seeded run drops the same units on every backend, and it is recomputed (not stored)
 * for the backward pass. <b>Defaults</b>: {@code p = 0.5}, the global generator.
 */
public class Dropout extends Module {
    private final float p;
    private final Generator gen;

    /** Dropout with probability {@code p} in [0, 1). */
    public Dropout(float p) {
        this(p, Generator.global());
    }

    /** Dropout drawing its masks from {@code gen}. */
    public Dropout(float p, Generator gen) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: p must be in [0, 1), but got " + p);
        }
        this.p = p;
        this.gen = gen;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.dropout("Dropout.forward", x, p, isTraining(), gen);
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
