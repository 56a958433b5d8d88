package org.cnn4j.it;

import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * Plain-loop pooling in double precision, the reference for {@link org.cnn4j.runtime.spi.PoolOps}. Planes
 * are {@code [planes, D, H, W]}; window {@code (od, oh, ow)} starts at {@code (od sD - pD, oh sH - pH, ow sW - pW)}
 * and spans the kernel, and only its part inside the input holds values (padding never wins a max and
 * adds nothing to a sum).
 */
final class NaivePool {
    private NaivePool() {
    }

    /**
     * A geometry from PyTorch-style arguments ({@code {depth, height, width}}), output size
     * {@code floor((in + 2 pad - kernel) / stride) + 1}, or with {@code ceilMode} the ceiling, where (as
     * PyTorch) the last window must start inside the input or the left padding:
     * {@code if ((out - 1) * stride >= in + pad) out--}.
     */
    static PoolGeometry geometry(int planes, int[] in, int[] kernel, int[] stride, int[] pad, boolean ceilMode) {
        int[] out = new int[3];
        for (int d = 0; d < 3; d++) {
            int span = in[d] + 2 * pad[d] - kernel[d];
            out[d] = (ceilMode ? Math.floorDiv(span + stride[d] - 1, stride[d]) : Math.floorDiv(span, stride[d])) + 1;
            if (ceilMode && (out[d] - 1) * stride[d] >= in[d] + pad[d]) {
                out[d]--;
            }
        }
        return new PoolGeometry(planes, in[0], in[1], in[2], kernel[0], kernel[1], kernel[2],
                stride[0], stride[1], stride[2], pad[0], pad[1], pad[2], out[0], out[1], out[2]);
    }

    /** A 2-D geometry with square kernel, stride and padding. */
    static PoolGeometry pool2d(int planes, int h, int w, int kernel, int stride, int pad, boolean ceilMode) {
        return geometry(planes, new int[] {1, h, w}, new int[] {1, kernel, kernel}, new int[] {1, stride, stride},
                new int[] {0, pad, pad}, ceilMode);
    }

    /** A geometry for adaptive pooling: only planes, input and output sizes matter. */
    static PoolGeometry adaptive(int planes, int[] in, int[] out) {
        return new PoolGeometry(planes, in[0], in[1], in[2], 1, 1, 1, 1, 1, 1, 0, 0, 0, out[0], out[1], out[2]);
    }

    static int inPlane(PoolGeometry g) {
        return g.inDepth() * g.inHeight() * g.inWidth();
    }

    static int outPlane(PoolGeometry g) {
        return g.outDepth() * g.outHeight() * g.outWidth();
    }

    /** Max pooling: {@code result[0]} the maxima, {@code result[1]} the flat in-plane index of the first maximum. */
    static double[][] maxForward(PoolGeometry g, double[] x) {
        int op = outPlane(g);
        int ip = inPlane(g);
        double[] y = new double[g.planes() * op];
        double[] argmax = new double[y.length];
        for (int p = 0; p < g.planes(); p++) {
            for (int od = 0; od < g.outDepth(); od++) {
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        // scan the window in row-major order; replace only on a strictly larger value, so the
                        // first maximum wins ties; a NaN replaces any number and is never replaced (the first NaN)
                        double best = Double.NEGATIVE_INFINITY;
                        int bestIndex = -1;
                        for (int a = 0; a < g.kernelD(); a++) {
                            int d = od * g.strideD() - g.padD() + a;
                            for (int b = 0; b < g.kernelH(); b++) {
                                int h = oh * g.strideH() - g.padH() + b;
                                for (int e = 0; e < g.kernelW(); e++) {
                                    int w = ow * g.strideW() - g.padW() + e;
                                    if (d < 0 || d >= g.inDepth() || h < 0 || h >= g.inHeight() || w < 0 || w >= g.inWidth()) {
                                        continue; // padding never wins
                                    }
                                    int i = (d * g.inHeight() + h) * g.inWidth() + w;
                                    double v = x[p * ip + i];
                                    boolean better = bestIndex < 0 || (!Double.isNaN(best) && (v > best || Double.isNaN(v)));
                                    if (better) {
                                        best = v;
                                        bestIndex = i;
                                    }
                                }
                            }
                        }
                        int o = p * op + (od * g.outHeight() + oh) * g.outWidth() + ow;
                        y[o] = best;
                        argmax[o] = bestIndex;
                    }
                }
            }
        }
        return new double[][] {y, argmax};
    }

    /** {@code dx[p, i] = sum of dy[p, o] over the windows o with argmax[p, o] = i}. */
    static double[] maxBackward(PoolGeometry g, double[] dy, double[] argmax) {
        int op = outPlane(g);
        int ip = inPlane(g);
        double[] dx = new double[g.planes() * ip];
        for (int p = 0; p < g.planes(); p++) {
            for (int o = 0; o < op; o++) {
                dx[p * ip + (int) argmax[p * op + o]] += dy[p * op + o];
            }
        }
        return dx;
    }

    /**
     * The divisor of window {@code (od, oh, ow)}, as PyTorch's avg_pool: the window clipped to
     * {@code [-pad, in + pad)} (the padded input, which matters in ceil mode) when {@code countIncludePad},
     * else the window clipped to the input {@code [0, in)}.
     */
    static int count(PoolGeometry g, boolean countIncludePad, int od, int oh, int ow) {
        int[] o = {od, oh, ow};
        int[] in = {g.inDepth(), g.inHeight(), g.inWidth()};
        int[] k = {g.kernelD(), g.kernelH(), g.kernelW()};
        int[] s = {g.strideD(), g.strideH(), g.strideW()};
        int[] pad = {g.padD(), g.padH(), g.padW()};
        int count = 1;
        for (int d = 0; d < 3; d++) {
            int start = o[d] * s[d] - pad[d];
            int end = Math.min(start + k[d], in[d] + pad[d]);
            if (!countIncludePad) {
                start = Math.max(start, 0);
                end = Math.min(end, in[d]);
            }
            count *= end - start;
        }
        return count;
    }

    /** Visits every (output, input) pair of a window; the input lies inside the plane. */
    private interface Cover {
        void at(int p, int od, int oh, int ow, int i);
    }

    private static void forEachCover(PoolGeometry g, Cover cover) {
        for (int p = 0; p < g.planes(); p++) {
            for (int od = 0; od < g.outDepth(); od++) {
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        for (int a = 0; a < g.kernelD(); a++) {
                            int d = od * g.strideD() - g.padD() + a;
                            for (int b = 0; b < g.kernelH(); b++) {
                                int h = oh * g.strideH() - g.padH() + b;
                                for (int e = 0; e < g.kernelW(); e++) {
                                    int w = ow * g.strideW() - g.padW() + e;
                                    if (d >= 0 && d < g.inDepth() && h >= 0 && h < g.inHeight() && w >= 0 && w < g.inWidth()) {
                                        cover.at(p, od, oh, ow, (d * g.inHeight() + h) * g.inWidth() + w);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int outIndex(PoolGeometry g, int p, int od, int oh, int ow) {
        return p * outPlane(g) + (od * g.outHeight() + oh) * g.outWidth() + ow;
    }

    /** {@code y[p, o] = sum_{i in window(o)} x[p, i] / count(o)}. */
    static double[] avgForward(PoolGeometry g, boolean countIncludePad, double[] x) {
        double[] y = new double[g.planes() * outPlane(g)];
        int ip = inPlane(g);
        forEachCover(g, (p, od, oh, ow, i) ->
                y[outIndex(g, p, od, oh, ow)] += x[p * ip + i] / (double) count(g, countIncludePad, od, oh, ow));
        return y;
    }

    /** {@code dx[p, i] = sum over windows o covering i of dy[p, o] / count(o)} (the adjoint of the same loop). */
    static double[] avgBackward(PoolGeometry g, boolean countIncludePad, double[] dy) {
        int ip = inPlane(g);
        double[] dx = new double[g.planes() * ip];
        forEachCover(g, (p, od, oh, ow, i) ->
                dx[p * ip + i] += dy[outIndex(g, p, od, oh, ow)] / (double) count(g, countIncludePad, od, oh, ow));
        return dx;
    }

    /** Adaptive cell {@code o} of {@code out} over {@code in}: {@code [floor(o in / out), ceil((o + 1) in / out))}. */
    static int start(int o, int in, int out) {
        return Math.floorDiv(o * in, out);
    }

    static int end(int o, int in, int out) {
        return -Math.floorDiv(-(o + 1) * in, out);
    }

    /** Visits every (output cell, input) pair of adaptive pooling with the cell's element count. */
    private interface AdaptiveCover {
        void at(int o, int i, int count);
    }

    private static void forEachAdaptive(PoolGeometry g, AdaptiveCover cover) {
        int ip = inPlane(g);
        for (int p = 0; p < g.planes(); p++) {
            for (int od = 0; od < g.outDepth(); od++) {
                int d0 = start(od, g.inDepth(), g.outDepth());
                int d1 = end(od, g.inDepth(), g.outDepth());
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    int h0 = start(oh, g.inHeight(), g.outHeight());
                    int h1 = end(oh, g.inHeight(), g.outHeight());
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        int w0 = start(ow, g.inWidth(), g.outWidth());
                        int w1 = end(ow, g.inWidth(), g.outWidth());
                        int count = (d1 - d0) * (h1 - h0) * (w1 - w0);
                        for (int d = d0; d < d1; d++) {
                            for (int h = h0; h < h1; h++) {
                                for (int w = w0; w < w1; w++) {
                                    cover.at(outIndex(g, p, od, oh, ow), p * ip + (d * g.inHeight() + h) * g.inWidth() + w, count);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code y[p, o] = mean of x over cell o}. */
    static double[] adaptiveForward(PoolGeometry g, double[] x) {
        double[] y = new double[g.planes() * outPlane(g)];
        forEachAdaptive(g, (o, i, count) -> y[o] += x[i] / (double) count);
        return y;
    }

    /** {@code dx[i] = sum over cells o containing i of dy[o] / count(o)}. */
    static double[] adaptiveBackward(PoolGeometry g, double[] dy) {
        double[] dx = new double[g.planes() * inPlane(g)];
        forEachAdaptive(g, (o, i, count) -> dx[i] += dy[o] / (double) count);
        return dx;
    }

    /** The most windows (or cells) that cover one input element: bounds the terms of a backward sum. */
    static int maxCover(PoolGeometry g, boolean adaptive) {
        int[] counts = new int[inPlane(g)];
        int ip = inPlane(g);
        if (adaptive) {
            forEachAdaptive(g, (o, i, count) -> {
                if (i < ip) {
                    counts[i]++;
                }
            });
        } else {
            forEachCover(g, (p, od, oh, ow, i) -> {
                if (p == 0) {
                    counts[i]++;
                }
            });
        }
        int max = 1;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        return max;
    }
}
