package org.cnn4j.runtime.testing;

/**
 * Plain-loop batch normalization in double precision, the reference for
 * {@link org.cnn4j.runtime.spi.NormOps}. {@code x} is {@code [n, c, spatial]}; channel {@code ch} holds the
 * {@code M = n * spatial} elements {@code x[i, ch, s]}.
 */
public final class NaiveNorm {
    private NaiveNorm() {
    }

    /** The flat index of {@code x[i, ch, s]} in a contiguous {@code [n, c, spatial]} array. */
    public static int index(int c, int spatial, int i, int ch, int s) {
        return (i * c + ch) * spatial + s;
    }

    /** {@code mean_c = (1 / M) sum x}; {@code var_c = (1 / M) sum (x - mean_c)^2} (biased, two passes). */
    public static double[][] statistics(int n, int c, int spatial, double[] x) {
        double[] mean = new double[c];
        double[] var = new double[c];
        int m = n * spatial;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < spatial; s++) {
                    sum += x[index(c, spatial, i, ch, s)];
                }
            }
            mean[ch] = sum / m;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < spatial; s++) {
                    double d = x[index(c, spatial, i, ch, s)] - mean[ch];
                    sq += d * d;
                }
            }
            var[ch] = sq / m;
        }
        return new double[][] {mean, var};
    }

    /** {@code y = gamma_c (x - mean_c) / sqrt(var_c + eps) + beta_c}; null gamma is 1, null beta is 0. */
    public static double[] forward(int n, int c, int spatial, double eps, double[] x, double[] mean, double[] var,
                            double[] gamma, double[] beta) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                double invStd = 1.0 / Math.sqrt(var[ch] + eps);
                double gm = gamma == null ? 1.0 : gamma[ch];
                double bt = beta == null ? 0.0 : beta[ch];
                for (int s = 0; s < spatial; s++) {
                    int j = index(c, spatial, i, ch, s);
                    y[j] = gm * (x[j] - mean[ch]) * invStd + bt;
                }
            }
        }
        return y;
    }

    /**
     * Training-mode backward with the batch statistics {@code mean}, {@code var} of {@code x}:
     * {@code dbeta_c = sum dy}, {@code dgamma_c = sum dy xhat},
     * {@code dx = gamma_c invStd_c (dy - dbeta_c / M - xhat dgamma_c / M)}. Returns {@code {dx, dgamma, dbeta}}.
     * (The derivation: {@code y} depends on {@code x} directly and through {@code mean} and {@code var};
     * {@code d mean / dx = 1 / M}, {@code d var / dx = 2 (x - mean) / M}, which collapse to the two
     * subtracted means. {@link FiniteDifferenceTest} checks it against differences of {@link #forward}
     * with the statistics recomputed.)
     */
    public static double[][] backward(int n, int c, int spatial, double eps, double[] x, double[] dy, double[] mean, double[] var,
                               double[] gamma) {
        int m = n * spatial;
        double[] dx = new double[x.length];
        double[] dgamma = new double[c];
        double[] dbeta = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double invStd = 1.0 / Math.sqrt(var[ch] + eps);
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < spatial; s++) {
                    int j = index(c, spatial, i, ch, s);
                    dbeta[ch] += dy[j];
                    dgamma[ch] += dy[j] * (x[j] - mean[ch]) * invStd;
                }
            }
            double gm = gamma == null ? 1.0 : gamma[ch];
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < spatial; s++) {
                    int j = index(c, spatial, i, ch, s);
                    double xhat = (x[j] - mean[ch]) * invStd;
                    dx[j] = gm * invStd * (dy[j] - dbeta[ch] / m - xhat * dgamma[ch] / m);
                }
            }
        }
        return new double[][] {dx, dgamma, dbeta};
    }

    /** Training-mode forward: the statistics of {@code x} itself, then {@link #forward}. */
    public static double[] trainForward(int n, int c, int spatial, double eps, double[] x, double[] gamma, double[] beta) {
        double[][] st = statistics(n, c, spatial, x);
        return forward(n, c, spatial, eps, x, st[0], st[1], gamma, beta);
    }
}
