package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.LossOps;

/**
 * Softmax and cross-entropy on the CPU over the rows of a {@code [rows, classes]} matrix, in parallel
 * over rows, with the row sums in double:
 * <pre>
 *   m = max_i x_i,   lse = m + log sum_i exp(x_i - m)
 *   softmax:     y_j = exp(x_j - m) / sum_i exp(x_i - m)       dx = y (dy - sum(dy y))
 *   logSoftmax:  y_j = x_j - lse                               dx = dy - exp(y) sum(dy)
 *   cross-entropy with smoothing s, K classes, target t:
 *     q_j = (1 - s) [j = t] + s / K
 *     loss = -sum_j q_j (x_j - lse) = lse - (1 - s) x_t - (s / K) sum_j x_j
 *     dx_j = scale (softmax(x)_j - q_j)
 * </pre>
 * A target that is not an integer in {@code [0, classes)} (NaN included) gives a NaN loss and a row of
 * NaN gradients. Each row is read in full before it is written, so {@code y} may alias {@code x} and
 * {@code dx} may alias {@code dy}.
 */
final class CpuLoss implements LossOps {
    /** Elements of work below which a parallel loop runs on the calling thread. */
    private static final long GRAIN_WORK = 1L << 14;

    @FunctionalInterface
    private interface RowBody {
        void run(int r);
    }

    /** Row-wise softmax or log-softmax, the row maximum subtracted before {@code exp}. */
    @Override
    public void softmax(boolean log, int rows, int classes, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        forRows(rows, classes, r -> {
            int xb = (int) (xOff + (long) r * classes);
            int yb = (int) (yOff + (long) r * classes);
            double m = rowMax(xs, xb, classes);
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(xs[xb + j] - m);
            }
            if (log) {
                double lse = m + Math.log(sum);
                for (int j = 0; j < classes; j++) {
                    ys[yb + j] = (float) (xs[xb + j] - lse);
                }
            } else {
                double inv = 1.0 / sum;
                for (int j = 0; j < classes; j++) {
                    ys[yb + j] = (float) (Math.exp(xs[xb + j] - m) * inv);
                }
            }
        });
    }

    /** Backward from the output {@code y}, see the type's javadoc. */
    @Override
    public void softmaxBackward(boolean log, int rows, int classes, DeviceMemory y, long yOff, DeviceMemory dy, long dyOff,
                                DeviceMemory dx, long dxOff) {
        float[] ys = CpuMemory.array(y);
        float[] gs = CpuMemory.array(dy);
        float[] dxs = CpuMemory.array(dx);
        forRows(rows, classes, r -> {
            int yb = (int) (yOff + (long) r * classes);
            int gb = (int) (dyOff + (long) r * classes);
            int db = (int) (dxOff + (long) r * classes);
            double sum = 0;
            if (log) {
                for (int j = 0; j < classes; j++) {
                    sum += gs[gb + j];
                }
                for (int j = 0; j < classes; j++) {
                    dxs[db + j] = (float) (gs[gb + j] - Math.exp(ys[yb + j]) * sum);
                }
            } else {
                for (int j = 0; j < classes; j++) {
                    sum += (double) gs[gb + j] * ys[yb + j];
                }
                for (int j = 0; j < classes; j++) {
                    dxs[db + j] = (float) (ys[yb + j] * (gs[gb + j] - sum));
                }
            }
        });
    }

    /** {@code loss[r] = lse_r - (1 - s) x[r, t_r] - (s / K) sum_j x[r, j]}. */
    @Override
    public void crossEntropy(int rows, int classes, float smoothing, DeviceMemory logits, long logitsOff,
                             DeviceMemory targets, long targetsOff, DeviceMemory loss, long lossOff) {
        float[] xs = CpuMemory.array(logits);
        float[] ts = CpuMemory.array(targets);
        float[] ls = CpuMemory.array(loss);
        forRows(rows, classes, r -> {
            int xb = (int) (logitsOff + (long) r * classes);
            int t = target(ts[(int) targetsOff + r], classes);
            if (t < 0) {
                ls[(int) lossOff + r] = Float.NaN;
                return;
            }
            double m = rowMax(xs, xb, classes);
            double sumExp = 0;
            double sumX = 0;
            for (int j = 0; j < classes; j++) {
                sumExp += Math.exp(xs[xb + j] - m);
                sumX += xs[xb + j];
            }
            double lse = m + Math.log(sumExp);
            double s = smoothing;
            // -sum_j q_j (x_j - lse) with sum_j q_j = 1
            ls[(int) lossOff + r] = (float) (lse - (1 - s) * xs[xb + t] - s / classes * sumX);
        });
    }

    /** {@code dx[r, j] = scale[0] * (softmax(x_r)_j - q_j)}. */
    @Override
    public void crossEntropyBackward(int rows, int classes, float smoothing, DeviceMemory logits, long logitsOff,
                                     DeviceMemory targets, long targetsOff, DeviceMemory scale, long scaleOff,
                                     DeviceMemory dx, long dxOff) {
        float[] xs = CpuMemory.array(logits);
        float[] ts = CpuMemory.array(targets);
        float[] dxs = CpuMemory.array(dx);
        double k = CpuMemory.array(scale)[(int) scaleOff];
        double s = smoothing;
        double off = s / classes;
        forRows(rows, classes, r -> {
            int xb = (int) (logitsOff + (long) r * classes);
            int db = (int) (dxOff + (long) r * classes);
            int t = target(ts[(int) targetsOff + r], classes);
            if (t < 0) {
                java.util.Arrays.fill(dxs, db, db + classes, Float.NaN);
                return;
            }
            double m = rowMax(xs, xb, classes);
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(xs[xb + j] - m);
            }
            double inv = 1.0 / sum;
            for (int j = 0; j < classes; j++) {
                double q = (j == t ? 1 - s : 0) + off;
                dxs[db + j] = (float) (k * (Math.exp(xs[xb + j] - m) * inv - q));
            }
        });
    }

    /** The class index a float target names, or -1 when it is not an integer in {@code [0, classes)}. */
    private static int target(float t, int classes) {
        if (t >= 0 && t < classes && t == Math.rint(t)) {
            return (int) t;
        }
        return -1;
    }

    /** {@code max_j x[b + j]}; NaN when the row holds a NaN. */
    private static double rowMax(float[] x, int b, int classes) {
        float m = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            m = Math.max(m, x[b + j]);
        }
        return m;
    }

    private static void forRows(int rows, int classes, RowBody body) {
        CpuParallel.parallelFor(0, rows, Math.max(1, GRAIN_WORK / Math.max(1, classes)), (from, to) -> {
            for (int r = (int) from; r < to; r++) {
                body.run(r);
            }
        });
    }
}
