package org.cnn4j.it;

/**
 * Plain-loop softmax and cross-entropy in double precision over the rows of a {@code [rows, classes]}
 * matrix, the reference for {@link org.cnn4j.runtime.spi.LossOps}.
 */
final class NaiveLoss {
    private NaiveLoss() {
    }

    /** {@code m = max_j x_j}, {@code lse = m + log sum_j exp(x_j - m)} of row {@code r} (exact for any finite magnitude). */
    static double logSumExp(double[] x, int r, int classes) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            m = Math.max(m, x[r * classes + j]);
        }
        double s = 0;
        for (int j = 0; j < classes; j++) {
            s += Math.exp(x[r * classes + j] - m);
        }
        return m + Math.log(s);
    }

    /** {@code log = false}: {@code y_j = exp(x_j - lse)}; {@code log = true}: {@code y_j = x_j - lse}. */
    static double[] softmax(boolean log, int rows, int classes, double[] x) {
        double[] y = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            double lse = logSumExp(x, r, classes);
            for (int j = 0; j < classes; j++) {
                double ls = x[r * classes + j] - lse;
                y[r * classes + j] = log ? ls : Math.exp(ls);
            }
        }
        return y;
    }

    /**
     * Backward from the output {@code y}. Softmax: {@code dy_j/dx_i = y_j ([i = j] - y_i)}, so
     * {@code dx_i = y_i (dy_i - sum_j dy_j y_j)}. Log-softmax: {@code d y_j / d x_i = [i = j] - softmax_i}, so
     * {@code dx_i = dy_i - exp(y_i) sum_j dy_j}.
     */
    static double[] softmaxBackward(boolean log, int rows, int classes, double[] y, double[] dy) {
        double[] dx = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < classes; j++) {
                int k = r * classes + j;
                s += log ? dy[k] : dy[k] * y[k];
            }
            for (int j = 0; j < classes; j++) {
                int k = r * classes + j;
                dx[k] = log ? dy[k] - Math.exp(y[k]) * s : y[k] * (dy[k] - s);
            }
        }
        return dx;
    }

    /** The smoothed target {@code q_j = (1 - s) [j = t] + s / K}. */
    static double target(int j, int t, double smoothing, int classes) {
        return (j == t ? 1 - smoothing : 0) + smoothing / classes;
    }

    /** True when {@code t} is a class index of {@code [0, classes)} (an integer in range). */
    static boolean validTarget(double t, int classes) {
        return t >= 0 && t < classes && t == Math.floor(t);
    }

    /** {@code loss_r = -sum_j q_j logSoftmax(x_r)_j}; NaN for a row whose target is out of range. */
    static double[] crossEntropy(int rows, int classes, double smoothing, double[] logits, double[] targets) {
        double[] logp = softmax(true, rows, classes, logits);
        double[] loss = new double[rows];
        for (int r = 0; r < rows; r++) {
            if (!validTarget(targets[r], classes)) {
                loss[r] = Double.NaN;
                continue;
            }
            int t = (int) targets[r];
            double l = 0;
            for (int j = 0; j < classes; j++) {
                l -= target(j, t, smoothing, classes) * logp[r * classes + j];
            }
            loss[r] = l;
        }
        return loss;
    }

    /** {@code dx[r, j] = scale (softmax(x_r)_j - q_j)} (since {@code sum_j q_j = 1}). */
    static double[] crossEntropyBackward(int rows, int classes, double smoothing, double[] logits, double[] targets, double scale) {
        double[] p = softmax(false, rows, classes, logits);
        double[] dx = new double[rows * classes];
        for (int r = 0; r < rows; r++) {
            int t = (int) targets[r];
            for (int j = 0; j < classes; j++) {
                dx[r * classes + j] = scale * (p[r * classes + j] - target(j, t, smoothing, classes));
            }
        }
        return dx;
    }
}
