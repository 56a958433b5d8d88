package org.cnn4j.it;

import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.UnaryOp;
import org.cnn4j.runtime.testing.Tolerance;

/**
 * The tolerances of the contract tests, with why each fits float32. The reference is computed in
 * double, so a tolerance only has to cover the backend's own rounding. One ulp of a float32 {@code x}
 * is at most {@code 2^-23 |x|} (about {@code 1.19e-7 |x|}).
 */
final class Tolerances {
    private Tolerances() {
    }

    /** Relative size of one float32 ulp at most: {@code 2^-23}. */
    static final double ULP = 0x1.0p-23;

    /**
     * IEEE-754 requires {@code + - *}, negation, {@code |x|}, max and min to be correctly rounded, and
     * OpenCL C keeps that for float: the result is exactly the double reference rounded to float.
     */
    static final Tolerance EXACT = Tolerance.EXACT;

    /**
     * Division, reciprocal and square root: OpenCL C allows 2.5 ulp for {@code x / y} and 3 ulp for
     * {@code sqrt} unless built with {@code -cl-fp32-correctly-rounded-divide-sqrt}; 4 ulp covers both.
     */
    static final Tolerance FEW_ULPS = new Tolerance(0, 4 * ULP);

    /**
     * exp, log, tanh, sigmoid, pow: OpenCL C allows 3 to 16 ulp and Java's Math is within 1 ulp of the
     * double result; {@code rtol 1e-5} is about 84 ulp of the value, {@code atol 1e-6} absorbs results
     * near zero (sigmoid of large negative inputs, tanh around 0) and flushed subnormals.
     */
    static final Tolerance TRANSCENDENTAL = new Tolerance(1e-6, 1e-5);

    /** The tolerance of a unary op (see the constants). */
    static Tolerance of(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, RELU, SQUARE -> EXACT;
            case SQRT, RECIPROCAL -> FEW_ULPS;
            case SIGMOID, TANH, EXP, LOG -> TRANSCENDENTAL;
        };
    }

    /** The tolerance of a binary op (see the constants). */
    static Tolerance of(BinaryOp op) {
        return switch (op) {
            case ADD, SUB, MUL, MAX, MIN -> EXACT;
            case DIV -> FEW_ULPS;
            case POW -> TRANSCENDENTAL;
        };
    }

    /**
     * A float32 sum of {@code K} terms: each addition rounds with relative error {@code <= 2^-24}, so a
     * pairwise or tree sum is off by at most {@code ceil(log2 K) * 2^-24 * sum_k |x_k|}, and a work-item that
     * first adds a chunk sequentially adds the chunk length to that factor. {@code atol = 1e-6 * sum_k |x_k|}
     * (about 16 ulp of the sum of magnitudes) covers a tree over {@code K <= 2^16} rigorously and any
     * realistic chunk-then-tree order statistically (rounding errors of a long sequential chunk grow like
     * its square root), while a wrong or missing term of typical size still fails. {@code rtol 1e-6} adds
     * a few ulps of the result itself. The largest {@code sum_k |x_k|} over the outputs sets {@code atol}.
     *
     * @param maxAbsSum {@code max_o sum_k |x_{o,k}|} over the outputs compared
     */
    static Tolerance sum(double maxAbsSum) {
        return new Tolerance(1e-6 * maxAbsSum, 1e-6);
    }

    /** {@link #sum} for the whole tensor: {@code sum_i |x_i|}. */
    static Tolerance sumOf(float[] x) {
        return sum(absSum(x));
    }

    /** {@code sum_i |x_i|} (NaN terms skipped: they are compared as NaN). */
    static double absSum(float[] x) {
        double s = 0;
        for (float v : x) {
            if (!Float.isNaN(v) && !Float.isInfinite(v)) {
                s += Math.abs(v);
            }
        }
        return s;
    }

    /** {@code max_o sum_k |x_{o,k}|} for a reduction of {@code [outer, axis, inner]} along the middle. */
    static double maxAbsSum(float[] x, int outer, int axis, int inner) {
        double max = 0;
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double s = 0;
                for (int k = 0; k < axis; k++) {
                    float v = x[(o * axis + k) * inner + j];
                    if (!Float.isNaN(v) && !Float.isInfinite(v)) {
                        s += Math.abs(v);
                    }
                }
                max = Math.max(max, s);
            }
        }
        return max;
    }

    /**
     * A float32 GEMM output is a dot product of {@code k} terms of size at most {@code max|a| * max|b|}.
     * Its rounding error grows like {@code sqrt(k)} for the usual blocked/tree orders (like {@code k} only in
     * the worst case, which random inputs do not reach); {@code atol = 1e-5 * sqrt(k) * max|a| * max|b|}
     * (about {@code 84 sqrt(k)} ulp of one term) and {@code rtol 1e-5}. A wrong or missing term fails for
     * every {@code k} below about {@code 10^6}.
     */
    static Tolerance gemm(int k, float[] a, float[] b) {
        return new Tolerance(1e-5 * Math.sqrt(k) * maxAbs(a) * maxAbs(b), 1e-5);
    }

    /** {@code max_i |x_i|} over the finite elements (0 for none). */
    static double maxAbs(float[] x) {
        double m = 0;
        for (float v : x) {
            if (Float.isFinite(v)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }

    /** The same tolerance, doubled: two backends each within {@code t} of the truth are within {@code 2t} of each other. */
    static Tolerance twice(Tolerance t) {
        return new Tolerance(2 * t.atol(), 2 * t.rtol());
    }
}
