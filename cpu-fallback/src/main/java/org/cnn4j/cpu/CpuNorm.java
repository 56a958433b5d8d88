package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.NormOps;

/**
 * Batch normalization on the CPU over {@code x: [n, c, spatial]}, in parallel over channels (each
 * channel's sums are one thread's, in a fixed order and finally in double, so the results are deterministic):
 * <pre>
 *   mean_c = (1 / M) sum_{i, s} x[i, c, s],   var_c = (1 / M) sum (x - mean_c)^2,   M = n * spatial
 *   invStd_c = 1 / sqrt(var_c + eps),   xhat = (x - mean_c) invStd_c,   y = gamma_c xhat + beta_c
 *   dbeta_c = sum dy,   dgamma_c = sum dy xhat,   dx = gamma_c invStd_c (dy - dbeta_c / M - xhat dgamma_c / M)
 * </pre>
 * The variance is computed in a second pass over the channel (around the mean), not as
 * {@code E[x^2] - mean^2}, which cancels catastrophically when the mean is large. The backward is one
 * task per channel: a pass for the two sums, then a pass writing {@code dx}; {@code dx} may alias
 * {@code dy}, since each channel's {@code dy} is read in full before it is overwritten.
 *
 * <p>Batch norm followed by ReLU is fused: the forward applies ReLU to each plane right after normalizing it, while
 * the plane is in L1 (unfused, ReLU reads and writes the whole tensor once more); the backward writes
 * {@code y > 0 ? dy : 0} into {@code dx} in one pass and runs the backward above on it in place, so it needs no
 * temporary tensor, and its second pass writes to the lines it has just read. (Masking channel by channel inside the
 * backward's tasks was slower on one thread: 64 short strided streams per channel instead of one.)
 */
final class CpuNorm implements NormOps {
    /** Elements of work below which a parallel loop runs on the calling thread. */
    private static final long GRAIN_WORK = 1L << 14;

    /**
     * The sums over one channel (its {@code n} planes of {@code spatial} contiguous elements, {@code c * spatial}
     * apart) and the element-wise passes over one plane: {@link CpuNormPlain}, or {@code CpuNormVector} where
     * {@link CpuVectorSupport} enables the Vector API. The normalization is bit-identical between them; sums and the
     * gradient differ by rounding (the plain kernel sums in double and computes {@code dx} in double, the vector one
     * sums each plane in float and the planes in double, and computes {@code dx} in float).
     */
    interface Kernel {
        /** A short name for logs and test names. */
        String name();

        /** {@code sum_{i < n, s < len} x[base + i * stride + s]}: one channel's elements, {@code n} planes {@code stride} apart. */
        double channelSum(float[] x, int base, int stride, int n, int len);

        /** {@code sum_{i < n, s < len} (x[base + i * stride + s] - mu)^2}. */
        double channelSquaredDeviations(float[] x, int base, int stride, int n, int len, double mu);

        /**
         * {@code sums[0] = sum dy[gBase + i * stride + s]} and {@code sums[1] = sum dy[..] (x[xBase + i * stride + s] - mu)}
         * over {@code i < n, s < len}.
         */
        void channelGradientSums(float[] dy, int gBase, float[] x, int xBase, int stride, int n, int len, double mu,
                                 double[] sums);

        /** {@code y[yo + s] = (x[xo + s] - mu) * scale + shift} in float, for {@code s < len}; {@code y} may be {@code x}. */
        void normalize(float[] x, int xo, float[] y, int yo, int len, float mu, float scale, float shift);

        /**
         * {@code dx = k (dy - meanDy - xhat meanDyXhat)}, {@code xhat = (x - mu) invStd}, for {@code len} elements;
         * {@code dx} may be {@code dy}.
         */
        @SuppressWarnings("java:S107")
        void gradient(float[] x, int xo, float[] dy, int go, float[] dx, int dxo, int len, double mu, double invStd,
                      double k, double meanDy, double meanDyXhat);
    }

    private static final Kernel BEST = CpuVectorSupport.choose("batch norm", Kernel.class, "org.cnn4j.cpu.CpuNormVector",
            CpuNormPlain::new);

    private final Kernel kernel;
    private final CpuActivation.Kernel activation;

    /** With the kernels {@link CpuVectorSupport} chooses. */
    CpuNorm() {
        this(BEST);
    }

    /** With {@code kernel} (tests run both), and the activation kernel {@link CpuVectorSupport} chooses for the fused ReLU. */
    CpuNorm(Kernel kernel) {
        this.kernel = kernel;
        this.activation = CpuActivation.best();
    }

    /** The kernel this instance runs. */
    Kernel kernel() {
        return kernel;
    }

    /** Per-channel mean and biased variance. */
    @Override
    public void batchNormStatistics(int n, int c, int spatial, DeviceMemory x, long xOff,
                                    DeviceMemory mean, long meanOff, DeviceMemory var, long varOff) {
        float[] xs = CpuMemory.array(x);
        float[] ms = CpuMemory.array(mean);
        float[] vs = CpuMemory.array(var);
        long m = (long) n * spatial;
        forChannels(n, c, spatial, ch -> {
            int base = (int) (xOff + (long) ch * spatial);
            int stride = c * spatial;
            double mu = kernel.channelSum(xs, base, stride, n, spatial) / m;
            double sq = kernel.channelSquaredDeviations(xs, base, stride, n, spatial, mu);
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
        forward(false, n, c, spatial, eps, x, xOff, mean, meanOff, var, varOff, gamma, gammaOff, beta, betaOff, y, yOff);
    }

    /** {@code y = max(0, gamma * (x - mean) / sqrt(var + eps) + beta)}: each plane normalized, then ReLU on it in L1. */
    @Override
    public void batchNormReluForward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                                     DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                     DeviceMemory gamma, long gammaOff, DeviceMemory beta, long betaOff,
                                     DeviceMemory y, long yOff) {
        forward(true, n, c, spatial, eps, x, xOff, mean, meanOff, var, varOff, gamma, gammaOff, beta, betaOff, y, yOff);
    }

    @SuppressWarnings("java:S107")
    private void forward(boolean relu, int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
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
                int yo = (int) (yOff + plane * spatial);
                kernel.normalize(xs, (int) (xOff + plane * spatial), ys, yo, spatial, mu, scale, shift);
                if (relu) {
                    activation.forward(Activation.RELU, 0f, ys, yo, ys, yo, spatial);
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
            double[] sums = new double[2];
            kernel.channelGradientSums(gys, (int) (dyOff + (long) ch * spatial), xs, (int) (xOff + (long) ch * spatial),
                    c * spatial, n, spatial, mu, sums);
            double sumDy = sums[0];
            double sumDyXhat = sums[1] * invStd;
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
                kernel.gradient(xs, (int) (xOff + plane * spatial), gys, (int) (dyOff + plane * spatial), dxs,
                        (int) (dxOff + plane * spatial), spatial, mu, invStd, k, meanDy, meanDyXhat);
            }
        });
    }

    /**
     * The backward of batch norm + ReLU: {@code dx = y > 0 ? dy : 0} in one pass over the tensor, then the backward on
     * {@code dx} in place.
     */
    @Override
    public void batchNormReluBackward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                                      DeviceMemory dy, long dyOff, DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                      DeviceMemory gamma, long gammaOff, DeviceMemory dx, long dxOff,
                                      DeviceMemory dgamma, long dgammaOff, DeviceMemory dbeta, long dbetaOff) {
        float[] ys = CpuMemory.array(y);
        float[] dys = CpuMemory.array(dy);
        float[] dxs = CpuMemory.array(dx);
        CpuParallel.parallelFor(0, (long) n * c * spatial, GRAIN_WORK, (from, to) -> activation.backward(Activation.RELU, 0f,
                ys, (int) (yOff + from), ys, (int) (yOff + from), dys, (int) (dyOff + from), dxs, (int) (dxOff + from),
                (int) (to - from)));
        batchNormBackward(n, c, spatial, eps, x, xOff, dx, dxOff, mean, meanOff, var, varOff, gamma, gammaOff, dx, dxOff,
                dgamma, dgammaOff, dbeta, dbetaOff);
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
