package org.cnn4j.kernels;

/**
 * Element-wise comparison with tolerance {@code atol + rtol * |reference|}. NaN matches only NaN and an
 * infinity only the same infinity. A failure message gives the number of mismatches, the largest
 * absolute and relative differences with their indices and values, and the tolerance allowed.
 * Throws plain {@link AssertionError}s so that {@link OclgrindSmoke} runs without JUnit.
 */
public final class Tolerance {
    private Tolerance() {
    }

    /** Fails unless every {@code actual[i]} is within {@code atol + rtol * |expected[i]|} of {@code expected[i]}. */
    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) {
            fail(what + ": expected " + expected.length + " elements, but got " + actual.length);
        }
        int mismatches = 0;
        int firstBad = -1;
        double maxAbs = 0;
        int maxAbsAt = -1;
        double maxRel = 0;
        int maxRelAt = -1;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok;
            double abs;
            if (Float.isNaN(e) || Float.isNaN(a) || Float.isInfinite(e) || Float.isInfinite(a)) {
                ok = Float.compare(e, a) == 0 || (Float.isNaN(e) && Float.isNaN(a));
                abs = ok ? 0 : Double.POSITIVE_INFINITY;
            } else {
                abs = Math.abs((double) e - a);
                ok = abs <= atol + rtol * Math.abs(e);
            }
            double rel = abs == 0 ? 0 : abs / Math.max(Math.abs((double) e), Double.MIN_NORMAL);
            if (abs > maxAbs || maxAbsAt < 0) {
                maxAbs = abs;
                maxAbsAt = i;
            }
            if (rel > maxRel || maxRelAt < 0) {
                maxRel = rel;
                maxRelAt = i;
            }
            if (!ok) {
                mismatches++;
                if (firstBad < 0) {
                    firstBad = i;
                }
            }
        }
        if (mismatches > 0) {
            fail(what + ": " + mismatches + " of " + expected.length + " elements exceed atol + rtol * |ref| (atol=" + atol
                    + ", rtol=" + rtol + "); first at index " + firstBad + " (expected " + expected[firstBad] + ", got "
                    + actual[firstBad] + "); max abs diff " + maxAbs + " at index " + maxAbsAt + " (expected "
                    + expected[maxAbsAt] + ", got " + actual[maxAbsAt] + "); max rel diff " + maxRel + " at index "
                    + maxRelAt + " (expected " + expected[maxRelAt] + ", got " + actual[maxRelAt] + ")");
        }
    }

    /** Fails unless the two arrays are equal bit for bit (NaNs compared by value class). */
    public static void assertBitIdentical(String what, float[] expected, float[] actual) {
        int mismatches = 0;
        int first = -1;
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                mismatches++;
                if (first < 0) {
                    first = i;
                }
            }
        }
        if (expected.length != actual.length || mismatches > 0) {
            fail(what + ": " + mismatches + " of " + expected.length + " elements differ in bits (tolerance 0); first at index "
                    + first + (first < 0 ? "" : " (expected " + expected[first] + ", got " + actual[first] + ")"));
        }
    }

    private static void fail(String message) {
        throw new AssertionError(message);
    }

    /** Distance in units in the last place between two finite floats of the same sign region. */
    public static long ulps(float a, float b) {
        int ia = Float.floatToIntBits(a);
        int ib = Float.floatToIntBits(b);
        long la = ia < 0 ? 0x80000000L - (ia & 0x7FFFFFFFL) : ia;
        long lb = ib < 0 ? 0x80000000L - (ib & 0x7FFFFFFFL) : ib;
        return Math.abs(la - lb);
    }
}
