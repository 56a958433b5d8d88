package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tolerant comparison: {@code |actual - expected| <= atol + rtol * |expected|} element by element, two
 * NaNs being equal. A failure gives the number of mismatches, the largest absolute and relative
 * differences, the first mismatching index and the tolerance allowed there.
 */
final class Tolerance {
    private Tolerance() {
    }

    /** Fails with the house message when some element of {@code actual} is not close to {@code expected}. */
    static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        double[] a = new double[actual.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = actual[i];
        }
        assertClose(what, expected, a, atol, rtol);
    }

    /** {@link #assertClose(String, double[], float[], double, double)} for a double result (finite-difference checks). */
    static void assertClose(String what, double[] expected, double[] actual, double atol, double rtol) {
        if (expected.length != actual.length) {
            fail(what + ": length must be " + expected.length + ", but got " + actual.length);
        }
        int mismatches = 0;
        int first = -1;
        double maxAbs = 0;
        double maxRel = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a) || e == a) {
                continue;
            }
            double abs = Math.abs(a - e);
            double rel = abs / Math.max(Math.abs(e), Double.MIN_NORMAL);
            if (Double.isNaN(abs)) {
                abs = Double.POSITIVE_INFINITY;
                rel = Double.POSITIVE_INFINITY;
            }
            maxAbs = Math.max(maxAbs, abs);
            maxRel = Math.max(maxRel, rel);
            if (!(abs <= atol + rtol * Math.abs(e))) {
                mismatches++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (mismatches > 0) {
            fail(String.format("%s: %d of %d elements differ; max abs diff %.3g, max rel diff %.3g; first at index %d:"
                            + " expected %s, got %s, allowed %.3g (atol=%.3g, rtol=%.3g)",
                    what, mismatches, expected.length, maxAbs, maxRel, first, expected[first], actual[first],
                    atol + rtol * Math.abs(expected[first]), atol, rtol));
        }
    }

    /** {@link #assertClose(String, double[], float[], double, double)} for a float reference. */
    static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        assertClose(what, e, actual, atol, rtol);
    }

    /** Exact equality, two NaNs equal; same message as {@link #assertClose}. */
    static void assertSame(String what, float[] expected, float[] actual) {
        assertClose(what, expected, actual, 0, 0);
    }
}
