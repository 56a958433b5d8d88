package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.cnn4j.runtime.testing.NaiveNorm;
import org.junit.jupiter.api.Test;

/**
 * Proves every naive backward pass ({@link NaiveConv}, {@link NaivePool}, {@link NaiveNorm}, {@link NaiveLoss},
 * {@link NaiveActivation}) against central finite differences of the naive forward pass, all in double
 * precision. For a forward {@code y = f(p)} and a random upstream gradient {@code r}, the scalar
 * {@code L(p) = sum_o r_o f(p)_o} has {@code dL/dp_i ~ (L(p + h e_i) - L(p - h e_i)) / 2h}, with truncation
 * error {@code h^2 |f'''| / 6 ~ 1e-13} and cancellation error {@code ~ 2^-52 |L| / h ~ 1e-10 |L|} at
 * {@code h = 1e-6}; both far below the tolerance {@code 1e-6 (|g_i| + max_i |g_i|)}. Only the backward
 * passes proved here serve as references for the backends.
 */
class FiniteDifferenceTest {
    static final double H = 1e-6;

    private static double[] random(SplittableRandom r, int n, double low, double high) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextDouble(low, high);
        }
        return x;
    }

    /** Values with magnitude in [0.05, 2] and a random sign: away from the kinks of RELU, LEAKY_RELU, ELU. */
    private static double[] awayFromZero(SplittableRandom r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double m = r.nextDouble(0.05, 2);
            x[i] = r.nextBoolean() ? m : -m;
        }
        return x;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Asserts {@code analytic = dL/dp} for {@code L(p) = <r, f(p)>} by central differences at every coordinate. */
    static void check(String what, double[] p, UnaryOperator<double[]> f, double[] r, double[] analytic) {
        assertEquals(p.length, analytic.length, what + ": gradient length");
        double scale = 0;
        for (double g : analytic) {
            scale = Math.max(scale, Math.abs(g));
        }
        int mismatches = 0;
        int first = -1;
        double firstFd = 0;
        double maxDiff = 0;
        for (int i = 0; i < p.length; i++) {
            double keep = p[i];
            p[i] = keep + H;
            double plus = dot(r, f.apply(p));
            p[i] = keep - H;
            double minus = dot(r, f.apply(p));
            p[i] = keep;
            double fd = (plus - minus) / (2 * H);
            double diff = Math.abs(fd - analytic[i]);
            maxDiff = Math.max(maxDiff, diff);
            if (!(diff <= 1e-6 * (Math.abs(analytic[i]) + scale) + 1e-12)) {
                if (first < 0) {
                    first = i;
                    firstFd = fd;
                }
                mismatches++;
            }
        }
        if (mismatches > 0) {
            throw new AssertionError(String.format("%s: %d of %d gradient elements differ from finite differences; max abs diff "
                    + "%.3e; first at index %d: analytic %s, finite difference %s; allowed 1e-6 * (|g| + %.3e)",
                    what, mismatches, p.length, maxDiff, first, analytic[first], firstFd, scale));
        }
    }

    // ---- conv ------------------------------------------------------------------------------------

    static ConvGeometry[] convGeometries() {
        return new ConvGeometry[] {
            NaiveConv.conv2d(2, 3, 5, 4, 2, 3, 3, 1, 1, 1, 1),
            NaiveConv.conv2d(1, 4, 7, 6, 4, 3, 2, 2, 1, 1, 2),                     // groups 2, rectangular kernel, stride 2
            NaiveConv.conv2d(1, 2, 7, 7, 3, 3, 3, 1, 2, 2, 1),                     // dilation 2
            NaiveConv.conv2d(2, 3, 6, 5, 3, 3, 3, 3, 1, 1, 3),                     // depthwise, stride 3
            NaiveConv.geometry(1, 2, new int[] {4, 4, 3}, 2, new int[] {2, 3, 2}, new int[] {2, 1, 1},
                    new int[] {1, 0, 1}, new int[] {0, 2, 1}, new int[] {1, 1, 2}, 1), // 3-D, asymmetric padding, mixed
        };
    }

    @Test
    void convBackwardPassesAreTheGradientsOfTheForward() {
        SplittableRandom rnd = new SplittableRandom(101);
        for (ConvGeometry g : convGeometries()) {
            double[] x = random(rnd, (int) g.inputSize(), -1, 1);
            double[] w = random(rnd, (int) g.weightSize(), -1, 1);
            double[] bias = random(rnd, g.outChannels(), -1, 1);
            double[] r = random(rnd, (int) g.outputSize(), -1, 1);
            check("conv dx " + g, x, p -> NaiveConv.forward(g, p, w, bias), r, NaiveConv.backwardInput(g, r, w));
            check("conv dw " + g, w, p -> NaiveConv.forward(g, x, p, bias), r, NaiveConv.backwardWeight(g, x, r));
            check("conv dbias " + g, bias, p -> NaiveConv.forward(g, x, w, p), r, NaiveConv.backwardBias(g, r));
        }
    }

    // ---- pool ------------------------------------------------------------------------------------

    static PoolGeometry[] poolGeometries() {
        return new PoolGeometry[] {
            NaivePool.pool2d(3, 6, 5, 2, 2, 0, false),
            NaivePool.pool2d(2, 7, 7, 3, 2, 1, false),                             // overlapping windows with padding
            NaivePool.pool2d(2, 6, 7, 3, 2, 1, true),                              // ceil mode
            NaivePool.geometry(2, new int[] {4, 5, 3}, new int[] {2, 3, 2}, new int[] {2, 1, 1}, new int[] {1, 1, 0}, false),
        };
    }

    @Test
    void poolBackwardPassesAreTheGradientsOfTheForward() {
        SplittableRandom rnd = new SplittableRandom(102);
        for (PoolGeometry g : poolGeometries()) {
            // distinct random values: no ties, and no two within 2h, so the argmax is stable under the differences
            double[] x = random(rnd, (int) g.inputSize(), -1, 1);
            double[] r = random(rnd, (int) g.outputSize(), -1, 1);
            double[] argmax = NaivePool.maxForward(g, x)[1];
            check("max pool " + g, x, p -> NaivePool.maxForward(g, p)[0], r, NaivePool.maxBackward(g, r, argmax));
            for (boolean cip : new boolean[] {true, false}) {
                check("avg pool countIncludePad=" + cip + " " + g, x, p -> NaivePool.avgForward(g, cip, p), r,
                        NaivePool.avgBackward(g, cip, r));
            }
        }
        int[][][] adaptive = {{{1, 7, 5}, {1, 3, 2}}, {{1, 5, 5}, {1, 5, 5}}, {{1, 4, 6}, {1, 1, 1}}, {{3, 5, 4}, {2, 3, 3}},
            {{1, 3, 2}, {1, 5, 4}}};
        for (int[][] io : adaptive) {
            PoolGeometry g = NaivePool.adaptive(2, io[0], io[1]);
            double[] x = random(rnd, (int) g.inputSize(), -1, 1);
            double[] r = random(rnd, (int) g.outputSize(), -1, 1);
            check("adaptive avg pool " + g, x, p -> NaivePool.adaptiveForward(g, p), r, NaivePool.adaptiveBackward(g, r));
        }
    }

    // ---- batch norm ------------------------------------------------------------------------------

    @Test
    void batchNormBackwardIsTheGradientOfTheTrainingForward() {
        SplittableRandom rnd = new SplittableRandom(103);
        int[][] sizes = {{4, 3, 5}, {6, 2, 1}, {1, 2, 9}};
        double eps = 1e-5;
        for (int[] s : sizes) {
            int n = s[0];
            int c = s[1];
            int sp = s[2];
            double[] x = random(rnd, n * c * sp, -1, 2);
            double[] gamma = random(rnd, c, 0.5, 1.5);
            double[] beta = random(rnd, c, -1, 1);
            double[] r = random(rnd, x.length, -1, 1);
            double[][] st = NaiveNorm.statistics(n, c, sp, x);
            double[][] grads = NaiveNorm.backward(n, c, sp, eps, x, r, st[0], st[1], gamma);
            String what = "batch norm [" + n + ", " + c + ", " + sp + "]";
            check(what + " dx", x, p -> NaiveNorm.trainForward(n, c, sp, eps, p, gamma, beta), r, grads[0]);
            check(what + " dgamma", gamma, p -> NaiveNorm.trainForward(n, c, sp, eps, x, p, beta), r, grads[1]);
            check(what + " dbeta", beta, p -> NaiveNorm.trainForward(n, c, sp, eps, x, gamma, p), r, grads[2]);
        }
    }

    // ---- softmax and loss ------------------------------------------------------------------------

    @Test
    void softmaxAndCrossEntropyBackwardPassesAreTheGradients() {
        SplittableRandom rnd = new SplittableRandom(104);
        int rows = 3;
        int classes = 7;
        double[] x = random(rnd, rows * classes, -3, 3);
        double[] r = random(rnd, rows * classes, -1, 1);
        for (boolean log : new boolean[] {false, true}) {
            double[] y = NaiveLoss.softmax(log, rows, classes, x);
            check((log ? "log-softmax" : "softmax"), x, p -> NaiveLoss.softmax(log, rows, classes, p), r,
                    NaiveLoss.softmaxBackward(log, rows, classes, y, r));
        }
        double[] targets = {2, 0, 6};
        for (double s : new double[] {0, 0.1, 0.3}) {
            double scale = 0.25;
            double[] up = {scale, scale, scale};
            check("cross-entropy smoothing=" + s, x, p -> NaiveLoss.crossEntropy(rows, classes, s, p, targets), up,
                    NaiveLoss.crossEntropyBackward(rows, classes, s, x, targets, scale));
        }
    }

    // ---- activations -----------------------------------------------------------------------------

    @Test
    void activationDerivativesAreTheGradients() {
        SplittableRandom rnd = new SplittableRandom(105);
        double[] x = awayFromZero(rnd, 40);
        double[] r = random(rnd, x.length, -1, 1);
        for (Activation f : Activation.values()) {
            for (double a : new double[] {0.01, 1.0, 0.3}) {
                check(f + " a=" + a, x, p -> NaiveActivation.forward(f, a, p), r, NaiveActivation.backward(f, a, x, r));
            }
        }
    }

    @Test
    void erfMatchesKnownValues() {
        // erf(x) from Python's math.erf (C library erf, correctly rounded to within an ulp); erfc shown for x > 2.5
        double[][] known = {
            {1e-3, 0.0011283787909692365}, {0.1, 0.1124629160182849}, {0.5, 0.5204998778130465}, {1, 0.8427007929497149},
            {1.5, 0.9661051464753108}, {2, 0.9953222650189527}, {2.4999, 0.9995928300996666}, {2.5001, 0.9995932657565293},
            {3, 0.9999779095030014}, {4, 0.9999999845827421}, {5.5, 0.9999999999999927}, {0, 0},
        };
        for (double[] k : known) {
            assertEquals(k[1], NaiveActivation.erf(k[0]), 1e-13, "erf(" + k[0] + ")");
            assertEquals(-k[1], NaiveActivation.erf(-k[0]), 1e-13, "erf(" + -k[0] + ")");
        }
        double[][] erfc = {{3, 2.2090496998585438e-05}, {4, 1.541725790028002e-08}, {5.5, 7.357847917974398e-15}};
        for (double[] k : erfc) {
            assertEquals(k[1], NaiveActivation.erfcContinuedFraction(k[0]), 1e-13 * k[1], "erfc(" + k[0] + ")");
        }
    }
}
