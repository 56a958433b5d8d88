package org.cnn4j.cpu;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Central finite differences in double, to prove the naive backward formulas:
 * {@code dL/dx_i ~ (L(x + h e_i) - L(x - h e_i)) / (2 h)}, error O(h^2) for smooth L.
 */
final class FiniteDifference {
    private FiniteDifference() {
    }

    /** {@code sum_i a_i b_i}: the scalar loss {@code L = <r, y>} whose gradient with respect to y is r. */
    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /**
     * Checks {@code analytic[i]} against the central difference of {@code loss} at {@code x[i]} for
     * {@code samples} random indices (all when {@code samples >= x.length}). {@code x} is restored.
     */
    static void check(String what, ToDoubleFunction<double[]> loss, double[] x, double[] analytic, int samples,
                      double h, double tol) {
        int count = Math.min(samples, x.length);
        SplittableRandom rnd = new SplittableRandom(what.hashCode());
        double[] numeric = new double[count];
        double[] exact = new double[count];
        for (int s = 0; s < count; s++) {
            int i = count == x.length ? s : rnd.nextInt(x.length);
            double saved = x[i];
            x[i] = saved + h;
            double plus = loss.applyAsDouble(x);
            x[i] = saved - h;
            double minus = loss.applyAsDouble(x);
            x[i] = saved;
            numeric[s] = (plus - minus) / (2 * h);
            exact[s] = analytic[i];
        }
        Tolerance.assertClose(what + " (finite differences)", numeric, exact, tol, tol);
    }
}
