package org.cnn4j.cpu;

/**
 * Plain-loop softmax and cross-entropy in double over the rows of a {@code [rows, classes]} matrix:
 * <pre>
 *   softmax_j = exp(x_j - m) / sum_i exp(x_i - m),   logSoftmax_j = x_j - m - log sum_i exp(x_i - m)
 *   softmax backward:     dx_j = y_j (dy_j - sum_i dy_i y_i)
 *   logSoftmax backward:  dx_j = dy_j - exp(y_j) sum_i dy_i
 *   q_j = (1 - s) [j = t] + s / K,   loss = -sum_j q_j logSoftmax_j,   dx_j = scale (softmax_j - q_j)
 * </pre>
 * A target that is not an integer class index gives NaN.
 */
final class NaiveLoss {
    private NaiveLoss() {
    }

    static double[] softmax(boolean log, int rows, int classes, double[] x) {
        double[] y = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) {
                m = Math.max(m, x[r * classes + j]);
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(x[r * classes + j] - m);
            }
            for (int j = 0; j < classes; j++) {
                double v = x[r * classes + j] - m;
                y[r * classes + j] = log ? v - Math.log(sum) : Math.exp(v) / sum;
            }
        }
        return y;
    }

    static double[] softmaxBackward(boolean log, int rows, int classes, double[] y, double[] dy) {
        double[] dx = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < classes; j++) {
                s += log ? dy[r * classes + j] : dy[r * classes + j] * y[r * classes + j];
            }
            for (int j = 0; j < classes; j++) {
                int i = r * classes + j;
                dx[i] = log ? dy[i] - Math.exp(y[i]) * s : y[i] * (dy[i] - s);
            }
        }
        return dx;
    }

    private static boolean valid(double t, int classes) {
        return t >= 0 && t < classes && t == Math.floor(t);
    }

    static double[] crossEntropy(int rows, int classes, double s, double[] x, double[] targets) {
        double[] logp = softmax(true, rows, classes, x);
        double[] loss = new double[rows];
        for (int r = 0; r < rows; r++) {
            if (!valid(targets[r], classes)) {
                loss[r] = Double.NaN;
                continue;
            }
            for (int j = 0; j < classes; j++) {
                double q = (j == (int) targets[r] ? 1 - s : 0) + s / classes;
                loss[r] -= q * logp[r * classes + j];
            }
        }
        return loss;
    }

    static double[] crossEntropyBackward(int rows, int classes, double s, double[] x, double[] targets, double scale) {
        double[] p = softmax(false, rows, classes, x);
        double[] dx = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < classes; j++) {
                if (!valid(targets[r], classes)) {
                    dx[r * classes + j] = Double.NaN;
                    continue;
                }
                double q = (j == (int) targets[r] ? 1 - s : 0) + s / classes;
                dx[r * classes + j] = scale * (p[r * classes + j] - q);
            }
        }
        return dx;
    }
}
