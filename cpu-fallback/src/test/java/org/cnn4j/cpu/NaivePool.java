package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * Plain-loop pooling in double (see {@link PoolGeometry}), as PyTorch defines it. Window {@code o} in one
 * dimension starts at {@code o * stride - pad} and spans {@code kernel} positions; only positions inside
 * the input take part. Average divisor: with {@code countIncludePad} the window's extent clipped to
 * {@code [-pad, in + pad)}, else the number of input positions in it. Adaptive cell {@code o}:
 * {@code [floor(o * in / out), ceil((o + 1) * in / out))}. Backward passes are the transposes, written
 * as scatters: each window sends its gradient to the inputs it read.
 */
final class NaivePool {
    private NaivePool() {
    }

    /** One window in one dimension: input positions {@code [lo, hi)} and the divisor extent. */
    private record Span(int lo, int hi, int padded) {
    }

    private static Span window(int o, int stride, int pad, int kernel, int in) {
        int start = o * stride - pad;
        int end = start + kernel;
        int paddedEnd = Math.min(end, in + pad); // PyTorch: windows are clipped to the padded input
        return new Span(Math.max(0, start), Math.min(in, end), paddedEnd - start);
    }

    private static Span adaptive(int o, int in, int out) {
        int lo = (int) Math.floor((double) o * in / out);
        int hi = (int) Math.ceil((double) (o + 1) * in / out);
        return new Span(lo, hi, hi - lo);
    }

    private static Span[] spans(PoolGeometry g, boolean adaptive, int od, int oh, int ow) {
        if (adaptive) {
            return new Span[] {adaptive(od, g.inDepth(), g.outDepth()), adaptive(oh, g.inHeight(), g.outHeight()),
                    adaptive(ow, g.inWidth(), g.outWidth())};
        }
        return new Span[] {window(od, g.strideD(), g.padD(), g.kernelD(), g.inDepth()),
                window(oh, g.strideH(), g.padH(), g.kernelH(), g.inHeight()),
                window(ow, g.strideW(), g.padW(), g.kernelW(), g.inWidth())};
    }

    /** What to do for one (window, input element) pair: output flat index, input flat index within the plane. */
    private interface Visit {
        void at(int p, int o, Span[] s, int d, int h, int w);
    }

    private static void forEach(PoolGeometry g, boolean adaptive, Visit visit) {
        for (int p = 0; p < g.planes(); p++) {
            for (int od = 0; od < g.outDepth(); od++) {
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        int o = (od * g.outHeight() + oh) * g.outWidth() + ow;
                        Span[] s = spans(g, adaptive, od, oh, ow);
                        for (int d = s[0].lo; d < s[0].hi; d++) {
                            for (int h = s[1].lo; h < s[1].hi; h++) {
                                for (int w = s[2].lo; w < s[2].hi; w++) {
                                    visit.at(p, o, s, d, h, w);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int inPlane(PoolGeometry g) {
        return g.inDepth() * g.inHeight() * g.inWidth();
    }

    private static int outPlane(PoolGeometry g) {
        return g.outDepth() * g.outHeight() * g.outWidth();
    }

    /** Result of max pooling: values and arg-max plane indices. */
    record Max(double[] y, double[] argmax) {
    }

    /** Max over each window; first maximum in (d, h, w) order wins, a NaN beats any number. */
    static Max maxForward(PoolGeometry g, double[] x) {
        double[] y = new double[(int) g.outputSize()];
        double[] arg = new double[y.length];
        java.util.Arrays.fill(y, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(arg, -1);
        forEach(g, false, (p, o, s, d, h, w) -> {
            int i = (d * g.inHeight() + h) * g.inWidth() + w;
            double v = x[p * inPlane(g) + i];
            int yi = p * outPlane(g) + o;
            boolean bestIsNaN = Double.isNaN(y[yi]);
            if (arg[yi] < 0 || (!bestIsNaN && (v > y[yi] || Double.isNaN(v)))) {
                y[yi] = v;
                arg[yi] = i;
            }
        });
        return new Max(y, arg);
    }

    /** {@code dx[p, argmax[p, o]] += dy[p, o]}. */
    static double[] maxBackward(PoolGeometry g, double[] dy, double[] argmax) {
        double[] dx = new double[(int) g.inputSize()];
        for (int p = 0; p < g.planes(); p++) {
            for (int o = 0; o < outPlane(g); o++) {
                int i = (int) argmax[p * outPlane(g) + o];
                if (i >= 0) {
                    dx[p * inPlane(g) + i] += dy[p * outPlane(g) + o];
                }
            }
        }
        return dx;
    }

    private static double count(Span[] s, boolean includePad) {
        if (includePad) {
            return (double) s[0].padded * s[1].padded * s[2].padded;
        }
        return (double) (s[0].hi - s[0].lo) * (s[1].hi - s[1].lo) * (s[2].hi - s[2].lo);
    }

    /** Average (or adaptive average, where {@code countIncludePad} is ignored) over each window. */
    static double[] avgForward(PoolGeometry g, boolean adaptive, boolean countIncludePad, double[] x) {
        double[] y = new double[(int) g.outputSize()];
        forEach(g, adaptive, (p, o, s, d, h, w) -> y[p * outPlane(g) + o]
                += x[p * inPlane(g) + (d * g.inHeight() + h) * g.inWidth() + w] / count(s, countIncludePad && !adaptive));
        return y;
    }

    /** Transpose of {@link #avgForward}. */
    static double[] avgBackward(PoolGeometry g, boolean adaptive, boolean countIncludePad, double[] dy) {
        double[] dx = new double[(int) g.inputSize()];
        forEach(g, adaptive, (p, o, s, d, h, w) -> dx[p * inPlane(g) + (d * g.inHeight() + h) * g.inWidth() + w]
                += dy[p * outPlane(g) + o] / count(s, countIncludePad && !adaptive));
        return dx;
    }
}
