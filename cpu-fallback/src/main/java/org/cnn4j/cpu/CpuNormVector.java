package org.cnn4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link CpuNorm}, {@link CpuVectorShapes#F} lanes at a time (the element-wise loops from
 * the first output index on a cache-line boundary, {@link CpuVectorShapes#head}).
 *
 * <p>Sums run in float, in two vector accumulators, over blocks of at most {@value #BLOCK} elements (a plane of a
 * CNN is usually one block): each accumulator lane adds at most {@code BLOCK / (2 L)} values, so the float
 * rounding stays near that of a pairwise sum. A block's lanes are stored and added in double in lane order, and
 * the tail shorter than a vector is added in double, so the result is the same on every run and in every
 * compiler tier (unlike {@code reduceLanes}, whose order may differ between them). Deviations are taken from the
 * mean rounded to float, {@code m = (float) mu}: {@code x - m} is exact where {@code x} is within a factor of two of
 * the mean (Sterbenz). The gradient sum is corrected to the exact mean, {@code sum dy (x - mu) = sum dy (x - m) +
 * (m - mu) sum dy}, since {@code |m - mu|} times a large {@code sum dy} is not small; the squared deviations need
 * no correction (summed over a channel it is {@code -M (m - mu)^2}).
 *
 * <p>{@link #normalize} is bit-identical to {@link CpuNormPlain}'s (the same float operations, unfused). The
 * gradient is computed in float as {@code a (dy - b) - c (x - (float) mu)} with {@code a = k}, {@code b = meanDy},
 * {@code c = k invStd meanDyXhat} rounded to float once per channel, where the plain kernel evaluates the same
 * expression in double; results agree to a few float ulps of the terms. Loaded only by name through
 * {@link CpuVectorSupport}.
 */
final class CpuNormVector implements CpuNorm.Kernel {
    private static final VectorSpecies<Float> S = CpuVectorShapes.F;
    private static final int L = S.length();
    /** Elements summed in float before the partial sum moves to double. */
    static final int BLOCK = 4096;

    @Override
    public String name() {
        return "vector" + S.vectorBitSize();
    }

    @Override
    public double sum(float[] x, int from, int len) {
        double total = 0;
        for (int b = 0; b < len; b += BLOCK) {
            total += blockSum(x, from + b, Math.min(BLOCK, len - b));
        }
        return total;
    }

    @Override
    public double sumSquaredDeviations(float[] x, int from, int len, double mu) {
        float m = (float) mu;
        double total = 0;
        for (int b = 0; b < len; b += BLOCK) {
            total += blockSquares(x, from + b, Math.min(BLOCK, len - b), m);
        }
        return total;
    }

    @Override
    public void addGradientSums(float[] dy, int go, float[] x, int xo, int len, double mu, double[] sums) {
        float m = (float) mu;
        double[] block = new double[2];
        for (int b = 0; b < len; b += BLOCK) {
            blockGradientSums(dy, go + b, x, xo + b, Math.min(BLOCK, len - b), m, block);
            sums[0] += block[0];
            sums[1] += block[1] + (m - mu) * block[0]; // sum dy (x - m) + sum dy (m - mu)
        }
    }

    @Override
    public void normalize(float[] x, int xo, float[] y, int yo, int len, float mu, float scale, float shift) {
        int s = 0;
        for (int head = CpuVectorShapes.head(yo, len); s < head; s++) {
            y[yo + s] = (x[xo + s] - mu) * scale + shift;
        }
        int bound = s + S.loopBound(len - s);
        for (; s < bound; s += L) {
            FloatVector.fromArray(S, x, xo + s).sub(mu).mul(scale).add(shift).intoArray(y, yo + s);
        }
        for (; s < len; s++) {
            y[yo + s] = (x[xo + s] - mu) * scale + shift;
        }
    }

    @Override
    @SuppressWarnings("java:S107")
    public void gradient(float[] x, int xo, float[] dy, int go, float[] dx, int dxo, int len, double mu, double invStd,
                         double k, double meanDy, double meanDyXhat) {
        float m = (float) mu;
        float a = (float) k;
        float b = (float) meanDy;
        float c = (float) (k * invStd * meanDyXhat);
        int s = 0;
        for (int head = CpuVectorShapes.head(dxo, len); s < head; s++) {
            dx[dxo + s] = (dy[go + s] - b) * a - (x[xo + s] - m) * c;
        }
        int bound = s + S.loopBound(len - s);
        for (; s < bound; s += L) {
            FloatVector centered = FloatVector.fromArray(S, x, xo + s).sub(m);
            FloatVector.fromArray(S, dy, go + s).sub(b).mul(a).sub(centered.mul(c)).intoArray(dx, dxo + s);
        }
        for (; s < len; s++) {
            dx[dxo + s] = (dy[go + s] - b) * a - (x[xo + s] - m) * c;
        }
    }

    /** {@code sum x[from .. from + n)}: float lanes, added in double in lane order, then the tail in double. */
    private static double blockSum(float[] x, int from, int n) {
        if (n < L) { // no vector step (a plane of BatchNorm1d has one element)
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += x[from + i];
            }
            return total;
        }
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            s0 = s0.add(FloatVector.fromArray(S, x, from + i));
            s1 = s1.add(FloatVector.fromArray(S, x, from + i + L));
        }
        if (i + L <= n) {
            s0 = s0.add(FloatVector.fromArray(S, x, from + i));
            i += L;
        }
        double total = lanes(s0.add(s1));
        for (; i < n; i++) {
            total += x[from + i];
        }
        return total;
    }

    /** {@code sum (x - m)^2} over {@code x[from .. from + n)}, as {@link #blockSum}. */
    private static double blockSquares(float[] x, int from, int n, float m) {
        if (n < L) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                float d = x[from + i] - m;
                total += d * d;
            }
            return total;
        }
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector d0 = FloatVector.fromArray(S, x, from + i).sub(m);
            FloatVector d1 = FloatVector.fromArray(S, x, from + i + L).sub(m);
            s0 = s0.add(d0.mul(d0));
            s1 = s1.add(d1.mul(d1));
        }
        if (i + L <= n) {
            FloatVector d0 = FloatVector.fromArray(S, x, from + i).sub(m);
            s0 = s0.add(d0.mul(d0));
            i += L;
        }
        double total = lanes(s0.add(s1));
        for (; i < n; i++) {
            float d = x[from + i] - m;
            total += d * d;
        }
        return total;
    }

    /**
     * {@code sum g} into {@code out[0]} and {@code sum g (x - m)} into {@code out[1]} over {@code n} elements, in one
     * pass, each as {@link #blockSum}.
     */
    private static void blockGradientSums(float[] g, int go, float[] x, int xo, int n, float m, double[] out) {
        if (n < L) {
            double sum = 0;
            double dot = 0;
            for (int i = 0; i < n; i++) {
                sum += g[go + i];
                dot += g[go + i] * (x[xo + i] - m);
            }
            out[0] = sum;
            out[1] = dot;
            return;
        }
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector d0 = FloatVector.zero(S);
        FloatVector d1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            FloatVector g0 = FloatVector.fromArray(S, g, go + i);
            FloatVector g1 = FloatVector.fromArray(S, g, go + i + L);
            s0 = s0.add(g0);
            s1 = s1.add(g1);
            d0 = d0.add(g0.mul(FloatVector.fromArray(S, x, xo + i).sub(m)));
            d1 = d1.add(g1.mul(FloatVector.fromArray(S, x, xo + i + L).sub(m)));
        }
        if (i + L <= n) {
            FloatVector g0 = FloatVector.fromArray(S, g, go + i);
            s0 = s0.add(g0);
            d0 = d0.add(g0.mul(FloatVector.fromArray(S, x, xo + i).sub(m)));
            i += L;
        }
        double sum = lanes(s0.add(s1));
        double dot = lanes(d0.add(d1));
        for (; i < n; i++) {
            sum += g[go + i];
            dot += g[go + i] * (x[xo + i] - m);
        }
        out[0] = sum;
        out[1] = dot;
    }

    /** The lanes of {@code v} added in double in lane order (a fixed order, unlike {@code reduceLanes}). */
    private static double lanes(FloatVector v) {
        float[] lane = new float[L];
        v.intoArray(lane, 0);
        double total = 0;
        for (float f : lane) {
            total += f;
        }
        return total;
    }
}
