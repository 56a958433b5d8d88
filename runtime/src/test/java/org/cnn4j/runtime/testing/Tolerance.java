package org.cnn4j.runtime.testing;

/**
 * Element-wise comparison with tolerance {@code atol + rtol * |reference|}, as ../shared/DESIGN.md asks.
 * A failure message gives the number of mismatches, the largest absolute and relative difference, the
 * first mismatching index with both values, and the tolerance allowed. NaN matches NaN only; an
 * infinity matches only the same infinity.
 *
 * @param atol absolute tolerance
 * @param rtol relative tolerance
 */
public record Tolerance(double atol, double rtol) {

    /** Exact equality (bit patterns of floats compared as values; NaN equals NaN). */
    public static final Tolerance EXACT = new Tolerance(0, 0);

    /**
     * Asserts that {@code actual} matches {@code reference}.
     *
     * @param what what is compared, for the message (op, shape, device)
     */
    public void assertClose(String what, double[] reference, float[] actual) {
        if (reference.length != actual.length) {
            throw new AssertionError(what + ": length must be " + reference.length + ", but got " + actual.length);
        }
        int mismatches = 0;
        int first = -1;
        double maxAbs = 0;
        double maxRel = 0;
        for (int i = 0; i < reference.length; i++) {
            double r = reference[i];
            double a = actual[i];
            boolean ok;
            if (Double.isNaN(r) || Double.isNaN(a)) {
                ok = Double.isNaN(r) && Double.isNaN(a);
            } else if (Double.isInfinite(r) || Double.isInfinite(a)) {
                ok = r == a;
            } else {
                double diff = Math.abs(a - r);
                maxAbs = Math.max(maxAbs, diff);
                if (r != 0) {
                    maxRel = Math.max(maxRel, diff / Math.abs(r));
                }
                ok = diff <= atol + rtol * Math.abs(r);
            }
            if (!ok) {
                mismatches++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (mismatches > 0) {
            throw new AssertionError(String.format(
                    "%s: %d of %d elements differ; max abs diff %.3e, max rel diff %.3e; first at index %d: "
                            + "reference %s, actual %s; allowed atol %.1e + rtol %.1e * |reference|",
                    what, mismatches, reference.length, maxAbs, maxRel, first, reference[first], actual[first], atol, rtol));
        }
    }

    /** Same as {@link #assertClose(String, double[], float[])} with a float reference. */
    public void assertClose(String what, float[] reference, float[] actual) {
        double[] r = new double[reference.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = reference[i];
        }
        assertClose(what, r, actual);
    }
}
