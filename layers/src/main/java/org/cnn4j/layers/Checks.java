package org.cnn4j.layers;

import org.cnn4j.runtime.Tensor;

/** Argument checks in the house format: {@code <Layer>.<method>: <what> must <constraint>, but got <actual>}. */
final class Checks {
    private Checks() {
    }

    static void rank(String op, String what, Tensor t, int rank, String layout) {
        t.checkOpen(op);
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must have shape " + layout + ", but got " + t.shape());
        }
    }

    static void positive(String op, String what, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(op + ": " + what + " must be >= 1, but got " + value);
        }
    }

    static int[] pair(String op, String what, int... v) {
        if (v.length == 1) {
            return new int[] {v[0], v[0]};
        }
        if (v.length != 2) {
            throw new IllegalArgumentException(op + ": " + what + " must have 1 or 2 values, but got " + v.length);
        }
        return v.clone();
    }
}
