package org.cnn4j.cpu;

/**
 * Plain-loop batch normalization in double over {@code x: [n, c, spatial]}:
 * <pre>
 *   mean_c = (1 / M) sum x,   var_c = (1 / M) sum (x - mean_c)^2,   M = n * spatial
 *   y = gamma_c (x - mean_c) / sqrt(var_c + eps) + beta_c
 *   dbeta_c = sum dy,   dgamma_c = sum dy xhat,   dx = gamma_c invStd_c (dy - dbeta_c / M - xhat dgamma_c / M)
 * </pre>
 */
final class NaiveNorm {
    private NaiveNorm() {
    }

    private static int at(int i, int ch, int s, int c, int spatial) {
        return (i * c + ch) * spatial + s;
    }

    /** {@code {mean, var}}, each of length {@code c}. */
    static double[][] statistics(int n, int c, int spatial, double[] x) {
        double[] mean = new double[c];
        double[] var = new double[c];
        double m = (double) n * spatial;
        for (int ch = 0; ch < c; ch++) {
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < spatial; s++) {
                    mean[ch] += x[at(i, ch, s, c, spatial)] / m;
                }
            }
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < spatial; s++) {
                    double dev = x[at(i, ch, s, c, spatial)] - mean[ch];
                    var[ch] += dev * dev / m;
                }
            }
        }
        return new double[][] {mean, var};
    }

    /** The forward with given statistics; gamma and beta may be null. */
    static double[] forward(int n, int c, int spatial, double eps, double[] x, double[] mean, double[] var,
                            double[] gamma, double[] beta) {
        double[] y = new double[x.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int s = 0; s < spatial; s++) {
                    int j = at(i, ch, s, c, spatial);
                    double xhat = (x[j] - mean[ch]) / Math.sqrt(var[ch] + eps);
                    y[j] = (gamma == null ? 1 : gamma[ch]) * xhat + (beta == null ? 0 : beta[ch]);
                }
            }
        }
        return y;
    }

    /** Training-mode forward: batch statistics of {@code x} itself. */
    static double[] trainForward(int n, int c, int spatial, double eps, double[] x, double[] gamma, double[] beta) {
        double[][] st = statistics(n, c, spatial, x);
        return forward(n, c, spatial, eps, x, st[0], st[1], gamma, beta);
    }

    /** {@code {dx, dgamma, dbeta}}. */
    static double[][] backward(int n, int c, int spatial, double eps, double[] x, double[] dy, double[] mean,
                               double[] var, double[] gamma) {
        double m = (double) n * spatial;
        double[] dx = new double[x.length];
        double[] dgamma = new double[c];
        double[] dbeta = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double invStd = 1 / Math.sqrt(var[ch] + eps);
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < spatial; s++) {
                    int j = at(i, ch, s, c, spatial);
                    dbeta[ch] += dy[j];
                    dgamma[ch] += dy[j] * (x[j] - mean[ch]) * invStd;
                }
            }
            double gm = gamma == null ? 1 : gamma[ch];
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < spatial; s++) {
                    int j = at(i, ch, s, c, spatial);
                    double xhat = (x[j] - mean[ch]) * invStd;
                    dx[j] = gm * invStd * (dy[j] - dbeta[ch] / m - xhat * dgamma[ch] / m);
                }
            }
        }
        return new double[][] {dx, dgamma, dbeta};
    }
}
