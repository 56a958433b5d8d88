package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.NormOps;

/**
 * Batch normalization on the CPU over {@code x: [n, c, spatial]}, in parallel over channels (each
 * channel's sums are one thread's, accumulated in double, so the results are deterministic):
 * <pre>
 *   mean_c = (1 / M) sum_{i, s} x[i, c, s],   var_c = (1 / M) sum (x - mean_c)^2,   M = n * spatial
 *   invStd_c = 1 / sqrt(var_c + eps),   xhat = (x - mean_c) invStd_c,   y = gamma_c xhat + beta_c
 *   dbeta_c = sum dy,   dgamma_c = sum dy xhat,   dx = gamma_c invStd_c (dy - dbeta_c / M - xhat dgamma_c / M)
 * </pre>
 * The variance is computed in a second pass over the channel (around the mean), not as
 * {@code E[x^2] - mean^2}, which cancels catastrophically when the mean is large. The backward is one
 * task per channel: a pass for the two sums, then a pass writing {@code dx}; {@code dx} may alias
 * {@code dy}, since each channel's {@code dy} is read in full before it is overwritten.
 */
final class CpuNorm implements NormOps {
    /** Elements of work below which a parallel loop runs on the calling thread. */
    private static final long GRAIN_WORK = 1L << 14;

    /** Per-channel mean and biased variance. */
    @Override
    public void batchNormStatistics(int n, int c, int spatial, DeviceMemory x, long xOff,
                                    DeviceMemory mean, long meanOff, DeviceMemory var, long varOff) {
        float[] xs = CpuMemory.array(x);
        float[] ms = CpuMemory.array(mean);
        float[] vs = CpuMemory.array(var);
        long m = (long) n * spatial;
        forChannels(n, c, spatial, ch -> {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += CpuReduction.sumStrided(xs, (int) (xOff + ((long) i * c + ch) * spatial), spatial, 1);
            }
            double mu = sum / m;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                sq += sumSquaredDeviations(xs, (int) (xOff + ((long) i * c + ch) * spatial), spatial, mu);
            }
            ms[(int) meanOff + ch] = (float) mu;
            vs[(int) varOff + ch] = (float) (sq / m);
        });
    }

    /** {@code y = gamma * (x - mean) / sqrt(var + eps) + beta}, gamma = 1 and beta = 0 when null. */
    @Override
    public void batchNormForward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                                 DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                 DeviceMemory gamma, long gammaOff, DeviceMemory beta, long betaOff,
                                 DeviceMemory y, long yOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        float[] ms = CpuMemory.array(mean);
        float[] vs = CpuMemory.array(var);
        float[] gs = gamma == null ? null : CpuMemory.array(gamma);
        float[] bs = beta == null ? null : CpuMemory.array(beta);
        forChannels(n, c, spatial, ch -> {
            double invStd = 1.0 / Math.sqrt((double) vs[(int) varOff + ch] + eps);
            float scale = (float) ((gs == null ? 1.0 : gs[(int) gammaOff + ch]) * invStd);
            float mu = ms[(int) meanOff + ch];
            float shift = bs == null ? 0f : bs[(int) betaOff + ch];
            for (int i = 0; i < n; i++) {
                long plane = (long) i * c + ch;
                int xb = (int) (xOff + plane * spatial);
                int yb = (int) (yOff + plane * spatial);
                for (int s = 0; s < spatial; s++) {
                    ys[yb + s] = (xs[xb + s] - mu) * scale + shift;
                }
            }
        });
    }

    /** Training-mode backward, fused per channel; {@code dgamma} and {@code dbeta} written when not null. */
    @Override
    public void batchNormBackward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff, DeviceMemory dy, long dyOff,
                                  DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                  DeviceMemory gamma, long gammaOff, DeviceMemory dx, long dxOff,
                                  DeviceMemory dgamma, long dgammaOff, DeviceMemory dbeta, long dbetaOff) {
        float[] xs = CpuMemory.array(x);
        float[] gys = CpuMemory.array(dy);
        float[] dxs = CpuMemory.array(dx);
        float[] ms = CpuMemory.array(mean);
        float[] vs = CpuMemory.array(var);
        float[] gs = gamma == null ? null : CpuMemory.array(gamma);
        float[] dgs = dgamma == null ? null : CpuMemory.array(dgamma);
        float[] dbs = dbeta == null ? null : CpuMemory.array(dbeta);
        double m = (double) n * spatial;
        forChannels(n, c, spatial, ch -> {
            double invStd = 1.0 / Math.sqrt((double) vs[(int) varOff + ch] + eps);
            double mu = ms[(int) meanOff + ch];
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int i = 0; i < n; i++) {
                long plane = (long) i * c + ch;
                int gb = (int) (dyOff + plane * spatial);
                sumDy += CpuReduction.sumStrided(gys, gb, spatial, 1);
                sumDyXhat += dotDeviations(gys, gb, xs, (int) (xOff + plane * spatial), spatial, mu);
            }
            sumDyXhat *= invStd;
            if (dgs != null) {
                dgs[(int) dgammaOff + ch] = (float) sumDyXhat;
            }
            if (dbs != null) {
                dbs[(int) dbetaOff + ch] = (float) sumDy;
            }
            double k = (gs == null ? 1.0 : gs[(int) gammaOff + ch]) * invStd;
            double meanDy = sumDy / m;
            double meanDyXhat = sumDyXhat / m;
            for (int i = 0; i < n; i++) {
                long plane = (long) i * c + ch;
                int xb = (int) (xOff + plane * spatial);
                int gb = (int) (dyOff + plane * spatial);
                int db = (int) (dxOff + plane * spatial);
                for (int s = 0; s < spatial; s++) {
                    double xhat = (xs[xb + s] - mu) * invStd;
                    dxs[db + s] = (float) (k * (gys[gb + s] - meanDy - xhat * meanDyXhat));
                }
            }
        });
    }

    /*
     * The sums below (and CpuReduction.sumStrided for plain sums) run four independent double accumulators: one
     * accumulator is a chain of dependent additions (one element per add latency); four keep the adder busy.
     */

    /** {@code sum_{s < len} (a[from + s] - mu)^2}, in double. */
    static double sumSquaredDeviations(float[] a, int from, int len, double mu) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int s = 0;
        for (; s + 3 < len; s += 4) {
            double d0 = a[from + s] - mu;
            double d1 = a[from + s + 1] - mu;
            double d2 = a[from + s + 2] - mu;
            double d3 = a[from + s + 3] - mu;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; s < len; s++) {
            double d = a[from + s] - mu;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code sum_{s < len} g[gFrom + s] * (x[xFrom + s] - mu)}, in double. */
    static double dotDeviations(float[] g, int gFrom, float[] x, int xFrom, int len, double mu) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int s = 0;
        for (; s + 3 < len; s += 4) {
            s0 += g[gFrom + s] * (x[xFrom + s] - mu);
            s1 += g[gFrom + s + 1] * (x[xFrom + s + 1] - mu);
            s2 += g[gFrom + s + 2] * (x[xFrom + s + 2] - mu);
            s3 += g[gFrom + s + 3] * (x[xFrom + s + 3] - mu);
        }
        for (; s < len; s++) {
            s0 += g[gFrom + s] * (x[xFrom + s] - mu);
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Runs {@code body} for each channel, in parallel over channels. */
    private static void forChannels(int n, int c, int spatial, java.util.function.IntConsumer body) {
        long work = Math.max(1, (long) n * spatial);
        CpuParallel.parallelFor(0, c, Math.max(1, GRAIN_WORK / work), (from, to) -> {
            for (int ch = (int) from; ch < to; ch++) {
                body.accept(ch);
            }
        });
    }
}
