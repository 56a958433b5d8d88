package org.cnn4j.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link CpuNorm}, {@link CpuVectorShapes#F} lanes at a time (the element-wise loops from
 * the first output index on a cache-line boundary, {@link CpuVectorShapes#head}).
 *
 * <p>Sums run over one channel at a time (its {@code n} planes, {@code stride} apart): each plane, in blocks of at most
 * {@value #BLOCK} elements (a plane of a CNN is usually one block), is summed in float in two vector accumulators,
 * so that each lane adds at most {@code BLOCK / (2 L)} values and the float rounding stays near that of a pairwise
 * sum; the block's float lanes are then widened ({@code F2D}, exact) and added to double vector accumulators of the
 * channel, and the tail shorter than a vector to a double. The double lanes are added in lane order once per
 * channel, so the result is the same on every run and in every compiler tier (unlike {@code reduceLanes}, whose order
 * may differ between them). (Adding each plane's lanes to a double one by one cost more than the plane's sum on
 * 196-element planes.) Deviations are taken from the mean rounded to float, {@code m = (float) mu}: {@code x - m} is
 * exact where {@code x} is within a factor of two of the mean (Sterbenz). The gradient sum is corrected to the exact
 * mean, {@code sum dy (x - mu) = sum dy (x - m) + (m - mu) sum dy}, since {@code |m - mu|} times a large
 * {@code sum dy} is not small; the squared deviations need no correction (summed over a channel it is
 * {@code -M (m - mu)^2}).
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
    /** Doubles of the channel accumulators: each half of a float vector widens to one ({@code F2D} part 0 and 1). */
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    /** Elements summed in float before the partial sum moves to double. */
    static final int BLOCK = 4096;

    @Override
    public String name() {
        return "vector" + S.vectorBitSize();
    }

    @Override
    public double channelSum(float[] x, int base, int stride, int n, int len) {
        if (len < L) { // no vector step (a plane of BatchNorm1d has one element)
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < len; s++) {
                    sum += x[base + i * stride + s];
                }
            }
            return sum;
        }
        DoubleVector a0 = DoubleVector.zero(DS);
        DoubleVector a1 = DoubleVector.zero(DS);
        double tail = 0;
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < len; b += BLOCK) {
                int from = base + i * stride + b;
                int count = Math.min(BLOCK, len - b);
                FloatVector s0 = FloatVector.zero(S);
                FloatVector s1 = FloatVector.zero(S);
                int k = 0;
                for (; k + 2 * L <= count; k += 2 * L) {
                    s0 = s0.add(FloatVector.fromArray(S, x, from + k));
                    s1 = s1.add(FloatVector.fromArray(S, x, from + k + L));
                }
                if (k + L <= count) {
                    s0 = s0.add(FloatVector.fromArray(S, x, from + k));
                    k += L;
                }
                FloatVector block = s0.add(s1);
                a0 = a0.add(block.convertShape(VectorOperators.F2D, DS, 0));
                a1 = a1.add(block.convertShape(VectorOperators.F2D, DS, 1));
                for (; k < count; k++) {
                    tail += x[from + k];
                }
            }
        }
        return lanes(a0.add(a1)) + tail;
    }

    @Override
    public double channelSquaredDeviations(float[] x, int base, int stride, int n, int len, double mu) {
        float m = (float) mu;
        if (len < L) {
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < len; s++) {
                    float d = x[base + i * stride + s] - m;
                    sq += d * d;
                }
            }
            return sq;
        }
        DoubleVector a0 = DoubleVector.zero(DS);
        DoubleVector a1 = DoubleVector.zero(DS);
        double tail = 0;
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < len; b += BLOCK) {
                int from = base + i * stride + b;
                int count = Math.min(BLOCK, len - b);
                FloatVector s0 = FloatVector.zero(S);
                FloatVector s1 = FloatVector.zero(S);
                int k = 0;
                for (; k + 2 * L <= count; k += 2 * L) {
                    FloatVector d0 = FloatVector.fromArray(S, x, from + k).sub(m);
                    FloatVector d1 = FloatVector.fromArray(S, x, from + k + L).sub(m);
                    s0 = s0.add(d0.mul(d0));
                    s1 = s1.add(d1.mul(d1));
                }
                if (k + L <= count) {
                    FloatVector d0 = FloatVector.fromArray(S, x, from + k).sub(m);
                    s0 = s0.add(d0.mul(d0));
                    k += L;
                }
                FloatVector block = s0.add(s1);
                a0 = a0.add(block.convertShape(VectorOperators.F2D, DS, 0));
                a1 = a1.add(block.convertShape(VectorOperators.F2D, DS, 1));
                for (; k < count; k++) {
                    float d = x[from + k] - m;
                    tail += d * d;
                }
            }
        }
        return lanes(a0.add(a1)) + tail;
    }

    @Override
    public void channelGradientSums(float[] dy, int gBase, float[] x, int xBase, int stride, int n, int len, double mu,
                                    double[] sums) {
        float m = (float) mu;
        double sumDy = 0;
        double dotTail = 0;
        if (len < L) {
            for (int i = 0; i < n; i++) {
                for (int s = 0; s < len; s++) {
                    float g = dy[gBase + i * stride + s];
                    sumDy += g;
                    dotTail += g * (x[xBase + i * stride + s] - m);
                }
            }
        } else {
            DoubleVector a0 = DoubleVector.zero(DS);
            DoubleVector a1 = DoubleVector.zero(DS);
            DoubleVector c0 = DoubleVector.zero(DS);
            DoubleVector c1 = DoubleVector.zero(DS);
            for (int i = 0; i < n; i++) {
                for (int b = 0; b < len; b += BLOCK) {
                    int go = gBase + i * stride + b;
                    int xo = xBase + i * stride + b;
                    int count = Math.min(BLOCK, len - b);
                    FloatVector s0 = FloatVector.zero(S);
                    FloatVector s1 = FloatVector.zero(S);
                    FloatVector d0 = FloatVector.zero(S);
                    FloatVector d1 = FloatVector.zero(S);
                    int k = 0;
                    for (; k + 2 * L <= count; k += 2 * L) {
                        FloatVector g0 = FloatVector.fromArray(S, dy, go + k);
                        FloatVector g1 = FloatVector.fromArray(S, dy, go + k + L);
                        s0 = s0.add(g0);
                        s1 = s1.add(g1);
                        d0 = d0.add(g0.mul(FloatVector.fromArray(S, x, xo + k).sub(m)));
                        d1 = d1.add(g1.mul(FloatVector.fromArray(S, x, xo + k + L).sub(m)));
                    }
                    if (k + L <= count) {
                        FloatVector g0 = FloatVector.fromArray(S, dy, go + k);
                        s0 = s0.add(g0);
                        d0 = d0.add(g0.mul(FloatVector.fromArray(S, x, xo + k).sub(m)));
                        k += L;
                    }
                    FloatVector sum = s0.add(s1);
                    FloatVector dot = d0.add(d1);
                    a0 = a0.add(sum.convertShape(VectorOperators.F2D, DS, 0));
                    a1 = a1.add(sum.convertShape(VectorOperators.F2D, DS, 1));
                    c0 = c0.add(dot.convertShape(VectorOperators.F2D, DS, 0));
                    c1 = c1.add(dot.convertShape(VectorOperators.F2D, DS, 1));
                    for (; k < count; k++) {
                        float g = dy[go + k];
                        sumDy += g;
                        dotTail += g * (x[xo + k] - m);
                    }
                }
            }
            sumDy += lanes(a0.add(a1));
            dotTail += lanes(c0.add(c1));
        }
        sums[0] = sumDy;
        sums[1] = dotTail + (m - mu) * sumDy; // sum dy (x - m) + sum dy (m - mu)
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

    /** The lanes of {@code v} added in lane order (a fixed order, unlike {@code reduceLanes}). */
    private static double lanes(DoubleVector v) {
        double[] lane = new double[DS.length()];
        v.intoArray(lane, 0);
        double total = 0;
        for (double d : lane) {
            total += d;
        }
        return total;
    }
}
