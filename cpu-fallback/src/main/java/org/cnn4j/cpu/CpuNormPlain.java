package org.cnn4j.cpu;

/**
 * The plain-Java loops of {@link CpuNorm}, in double: the reference the Vector API kernel ({@code CpuNormVector})
 * is tested against, and what runs on a JVM without the module.
 */
final class CpuNormPlain implements CpuNorm.Kernel {
    @Override
    public String name() {
        return "plain";
    }

    /** The planes' {@link CpuReduction#sumStrided} sums, added in plane order. */
    @Override
    public double channelSum(float[] x, int base, int stride, int n, int len) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += CpuReduction.sumStrided(x, base + i * stride, len, 1);
        }
        return sum;
    }

    /** The planes' {@link #sumSquaredDeviations}, added in plane order. */
    @Override
    public double channelSquaredDeviations(float[] x, int base, int stride, int n, int len, double mu) {
        double sq = 0;
        for (int i = 0; i < n; i++) {
            sq += sumSquaredDeviations(x, base + i * stride, len, mu);
        }
        return sq;
    }

    /** The planes' sums and {@link #dotDeviations}, added in plane order. */
    @Override
    public void channelGradientSums(float[] dy, int gBase, float[] x, int xBase, int stride, int n, int len, double mu,
                                    double[] sums) {
        double sumDy = 0;
        double sumDyX = 0;
        for (int i = 0; i < n; i++) {
            sumDy += CpuReduction.sumStrided(dy, gBase + i * stride, len, 1);
            sumDyX += dotDeviations(dy, gBase + i * stride, x, xBase + i * stride, len, mu);
        }
        sums[0] = sumDy;
        sums[1] = sumDyX;
    }

    @Override
    public void normalize(float[] x, int xo, float[] y, int yo, int len, float mu, float scale, float shift) {
        for (int s = 0; s < len; s++) {
            y[yo + s] = (x[xo + s] - mu) * scale + shift;
        }
    }

    @Override
    @SuppressWarnings("java:S107")
    public void gradient(float[] x, int xo, float[] dy, int go, float[] dx, int dxo, int len, double mu, double invStd,
                         double k, double meanDy, double meanDyXhat) {
        for (int s = 0; s < len; s++) {
            double xhat = (x[xo + s] - mu) * invStd;
            dx[dxo + s] = (float) (k * (dy[go + s] - meanDy - xhat * meanDyXhat));
        }
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
}
