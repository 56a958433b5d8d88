package org.cnn4j.it;

import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.cnn4j.runtime.testing.NaiveNorm;
import org.cnn4j.runtime.testing.Tolerance;

/**
 * The tolerances of the CNN op contract tests, with why each fits float32 (see {@link Tolerances} for the
 * element-wise and sum rules they build on). Every reference is computed in double, so a tolerance only
 * covers the backend's own rounding: {@code 2^-24} relative per operation, summed over the operations on the
 * path to one output, and growing like {@code sqrt(K)} for a sum of {@code K} terms in the usual
 * blocked or tree orders. A wrong or missing term of typical size stays far outside every bound.
 */
final class CnnTolerances {
    private CnnTolerances() {
    }

    // ---- conv ------------------------------------------------------------------------------------

    /**
     * Every convolution output (forward, {@code dx}, {@code dw}) is a dot product of at most {@code K}
     * products of size at most {@code max|a| max|b|}: {@link Tolerances#gemm} ({@code atol = 1e-5 sqrt(K)
     * max|a| max|b|}, about {@code 84 sqrt(K)} ulp of one term; {@code rtol 1e-5}), plus one rounding of a
     * bias of size {@code max|bias|}.
     */
    static Tolerance conv(int k, float[] a, float[] b, float[] bias) {
        Tolerance t = Tolerances.gemm(Math.max(1, k), a, b);
        return new Tolerance(t.atol() + (bias == null ? 0 : 1e-6 * Tolerances.maxAbs(bias)), t.rtol());
    }

    static Tolerance convForward(ConvGeometry g, float[] x, float[] w, float[] bias) {
        return conv(NaiveConv.forwardTerms(g), x, w, bias);
    }

    static Tolerance convBackwardInput(ConvGeometry g, float[] dy, float[] w) {
        return conv(NaiveConv.backwardInputTerms(g), dy, w, null);
    }

    static Tolerance convBackwardWeight(ConvGeometry g, float[] x, float[] dy) {
        return conv(NaiveConv.backwardWeightTerms(g), x, dy, null);
    }

    // ---- pool ------------------------------------------------------------------------------------

    /** Max pooling picks one input: the value and its index are exact. */
    static final Tolerance MAX_POOL = Tolerance.EXACT;

    /**
     * Average pooling: a sum of at most {@code kD kH kW} terms of size at most {@code max|x|}, then one
     * division (or a multiply by a rounded reciprocal): error at most about
     * {@code (log2(kernel) + 3) 2^-24 max|x|}, below {@code 1e-6 max|x|} for windows up to {@code 2^13};
     * {@code rtol 1e-6} (8 ulp) for the division. The same holds for adaptive cells.
     */
    static Tolerance avgPool(float[] x) {
        return new Tolerance(1e-6 * Tolerances.maxAbs(x), 1e-6);
    }

    /**
     * A pooling backward gathers, for each input, at most {@code cover} window gradients (each divided
     * by its count for the averages): {@code atol = 1e-6 cover max|dy|}, {@code rtol 1e-6}. With one window
     * per input (no overlap) max pooling is exact.
     */
    static Tolerance poolBackward(PoolGeometry g, boolean adaptive, float[] dy) {
        return new Tolerance(1e-6 * NaivePool.maxCover(g, adaptive) * Tolerances.maxAbs(dy), 1e-6);
    }

    // ---- batch norm ------------------------------------------------------------------------------

    /**
     * The sum of {@code M} terms per channel: a kernel that adds a long chunk sequentially has an error
     * growing like {@code sqrt(chunk) 2^-24 sum|terms|} (at most {@code 4e-6 sum|terms|} for chunks up
     * to 4000 terms), and a tree stays far below that: {@code atol = 4e-6 max_c sum|terms|}, {@code rtol 1e-5}.
     */
    static Tolerance channelSum(double maxAbsSum) {
        return new Tolerance(4e-6 * maxAbsSum, 1e-5);
    }

    /** The mean is a channel sum divided by {@code M}: {@link #channelSum} of {@code max_c mean_c |x|}. */
    static Tolerance bnMean(int n, int c, int spatial, float[] x) {
        double max = 0;
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < spatial; p++) {
                    s += Math.abs(x[NaiveNorm.index(c, spatial, i, ch, p)]);
                }
            }
            max = Math.max(max, s / (n * spatial));
        }
        return channelSum(max);
    }

    /**
     * The biased variance: a mean of squares {@code (x - mean)^2}, each off by a few ulps of {@code x^2}
     * (the two-pass form), or {@code E[x^2] - mean^2} off by a few ulps of {@code E[x^2]} (the one-pass form;
     * both are allowed): {@code atol = 1e-5 max_c E_c[x^2]}, {@code rtol 1e-5}.
     */
    static Tolerance bnVar(int n, int c, int spatial, float[] x) {
        double max = 0;
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < spatial; p++) {
                    double v = x[NaiveNorm.index(c, spatial, i, ch, p)];
                    s += v * v;
                }
            }
            max = Math.max(max, s / (n * spatial));
        }
        return new Tolerance(1e-5 * max, 1e-5);
    }

    /**
     * {@code y = gamma (x - mean) invStd + beta}: the subtraction is off by an ulp of {@code max(|x|, |mean|)},
     * which {@code gamma invStd} scales; {@code 1 / sqrt} costs a few ulps of the result ({@code rtol 1e-5});
     * adding beta an ulp of {@code |beta|}. {@code atol = 2e-6 (max|gamma invStd| (max|x| + max|mean|) + max|beta|)}.
     */
    static Tolerance bnForward(float eps, float[] x, float[] mean, float[] var, float[] gamma, float[] beta) {
        double gi = maxGammaInvStd(eps, var, gamma);
        double scale = gi * (Tolerances.maxAbs(x) + Tolerances.maxAbs(mean)) + (beta == null ? 0 : Tolerances.maxAbs(beta));
        return new Tolerance(2e-6 * scale, 1e-5);
    }

    /** {@code max_c |gamma_c| / sqrt(var_c + eps)}. */
    static double maxGammaInvStd(float eps, float[] var, float[] gamma) {
        double m = 0;
        for (int ch = 0; ch < var.length; ch++) {
            double g = gamma == null ? 1 : Math.abs(gamma[ch]);
            m = Math.max(m, g / Math.sqrt((double) var[ch] + eps));
        }
        return m;
    }

    /** {@code max_c 1 / sqrt(var_c + eps)}. */
    static double maxInvStd(float eps, float[] var) {
        return maxGammaInvStd(eps, var, null);
    }

    /**
     * {@code dx = gamma invStd (dy - dbeta / M - xhat dgamma / M)}: {@code dbeta / M} and {@code dgamma / M} are
     * channel means of {@code dy} and {@code dy xhat} ({@link #channelSum} relative error), {@code xhat} carries the
     * forward's error (ulps of {@code |x| invStd}); together at most about
     * {@code 1e-5 max|gamma invStd| max|dy| (1 + xhatMax^2 + xhatMax max|x| maxInvStd)}; {@code rtol 1e-5}.
     */
    static Tolerance bnDx(float eps, float[] x, float[] dy, float[] mean, float[] var, float[] gamma) {
        double xhatMax = (Tolerances.maxAbs(x) + Tolerances.maxAbs(mean)) * maxInvStd(eps, var);
        double scale = maxGammaInvStd(eps, var, gamma) * Tolerances.maxAbs(dy)
                * (1 + xhatMax * xhatMax + xhatMax * Tolerances.maxAbs(x) * maxInvStd(eps, var));
        return new Tolerance(1e-5 * scale, 1e-5);
    }

    /** {@code dgamma_c = sum dy xhat}: a channel sum of terms of size at most {@code max|dy| xhatMax}. */
    static Tolerance bnDgamma(int m, float eps, float[] x, float[] dy, float[] mean, float[] var) {
        double xhatMax = (Tolerances.maxAbs(x) + Tolerances.maxAbs(mean)) * maxInvStd(eps, var);
        return channelSum(m * Tolerances.maxAbs(dy) * xhatMax);
    }

    /** {@code dbeta_c = sum dy}: a channel sum of {@code M} terms. */
    static Tolerance bnDbeta(int m, float[] dy) {
        return channelSum(m * Tolerances.maxAbs(dy));
    }

    // ---- softmax and loss ------------------------------------------------------------------------

    /**
     * Softmax: {@code exp} of {@code x - m} (a few ulps, plus {@code |x - m|} ulps of {@code x - m} when
     * the subtraction rounds, tiny for these inputs) over a row sum of {@code classes} terms ({@link Tolerances#TRANSCENDENTAL}).
     */
    static final Tolerance SOFTMAX = Tolerances.TRANSCENDENTAL;

    /**
     * Log-softmax {@code x - m - log sum}: each subtraction is off by an ulp of its operands, at most
     * {@code 2 max|x| + log(classes)}: {@code atol = 2e-6 (2 max|x| + log(classes) + 1)}, {@code rtol 1e-5}.
     */
    static Tolerance logSoftmax(int classes, float[] x) {
        return new Tolerance(2e-6 * (2 * Tolerances.maxAbs(x) + Math.log(classes) + 1), 1e-5);
    }

    /** Softmax backward {@code y (dy - sum dy y)}: ulps of {@code max|dy|} inside the bracket, then times {@code y <= 1}. */
    static Tolerance softmaxBackward(float[] dy) {
        return new Tolerance(2e-6 * Tolerances.maxAbs(dy), 1e-5);
    }

    /** Log-softmax backward {@code dy - exp(y) sum dy}: ulps of {@code max|dy|} and of the row sum of {@code |dy|}. */
    static Tolerance logSoftmaxBackward(int rows, int classes, float[] dy) {
        return new Tolerance(2e-6 * (Tolerances.maxAbs(dy) + Tolerances.maxAbsSum(dy, rows, classes, 1)), 1e-5);
    }

    /**
     * Cross-entropy {@code lse - sum_j q_j x_j}: every term is off by ulps of {@code max|x| + log(classes)} (the
     * subtractions of the row maximum and of the logarithm): {@code atol = 4e-6 (1 + 2 max|x| + log(classes))},
     * {@code rtol 1e-5}. For logits of magnitude {@code 1e4} that is 0.08: one ulp of {@code 2e4} is 0.002.
     */
    static Tolerance crossEntropy(int classes, float[] logits) {
        return new Tolerance(4e-6 * (1 + 2 * Tolerances.maxAbs(logits) + Math.log(classes)), 1e-5);
    }

    /** Cross-entropy backward {@code scale (softmax - q)}: a few ulps of values at most {@code |scale|}. */
    static Tolerance crossEntropyBackward(float scale) {
        return new Tolerance(2e-6 * Math.abs(scale), 1e-5);
    }

    // ---- activations -----------------------------------------------------------------------------

    /**
     * RELU and LEAKY_RELU (forward and backward) are one correctly rounded multiply or a select: exact
     * against the double reference rounded to float32. The others use exp, tanh or erf:
     * {@link Tolerances#TRANSCENDENTAL} scaled by the output's natural size ({@code max(1, a)} for ELU, whose
     * {@code a (exp(x) - 1)} loses an ulp of {@code a}; {@code max(1, max|x|)} for GELU, whose
     * {@code x (1 + erf(x / sqrt 2)) / 2} loses ulps of 1 times {@code |x| / 2}; beyond {@code |x| = 8},
     * {@code 1 + erf} is exactly 0 or 2 in float32, so the scale stops at 8), times {@code max|dy|} for
     * a backward.
     */
    static boolean exact(Activation f) {
        return f == Activation.RELU || f == Activation.LEAKY_RELU;
    }

    static Tolerance activation(Activation f, float a, float[] x, float[] dy) {
        if (exact(f)) {
            return Tolerance.EXACT;
        }
        double scale = switch (f) {
            case ELU -> Math.max(1, Math.abs(a));
            case GELU -> 2 * Math.max(1, Math.min(8, Tolerances.maxAbs(x)));
            default -> 1;
        };
        if (dy != null) {
            scale *= Math.max(Tolerances.maxAbs(dy), Float.MIN_NORMAL);
        }
        return new Tolerance(1e-6 * scale, 1e-5);
    }

    /** The reference to compare with: rounded to float32 when the comparison is exact. */
    static double[] activationReference(Activation f, double[] reference) {
        return exact(f) ? NaiveOps.roundToFloat(reference) : reference;
    }
}
