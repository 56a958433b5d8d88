package org.cnn4j.cpu;

import java.util.Arrays;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.cnn4j.runtime.spi.PoolOps;

/**
 * Max, average and adaptive average pooling on the CPU, over {@code [planes, D, H, W]} planes, in
 * parallel over planes. Window {@code o = (od, oh, ow)} starts at {@code o * stride - pad} in each
 * dimension and spans {@code kernel} positions:
 * <pre>
 *   max:       y[p, o] = max_{i in window(o) within the input} x[p, i]
 *              argmax[p, o] = (d * H + h) * W + w of the first maximum in (d, h, w) order, as a float;
 *              NaN counts as the maximum (the first NaN wins); padding never wins
 *   avg:       y[p, o] = sum_{i in window(o) within the input} x[p, i] / count(o)
 *              count(o) = prod over dims of (min(start + kernel, in + pad) - start)   countIncludePad
 *                       = prod over dims of (min(start + kernel, in) - max(start, 0))  otherwise
 *   adaptive:  cell o of out over in covers [floor(o * in / out), ceil((o + 1) * in / out))
 * </pre>
 * (With {@code countIncludePad} the divisor counts padded positions but not window positions past the
 * padding, which ceil mode can create, as PyTorch does.) A window with no input elements gives 0
 * (avg) or {@code -inf} with argmax -1 (max; only reachable with geometries PyTorch rejects).
 * Backward passes zero each {@code dx} plane and scatter each window's gradient into it in window order:
 * one thread owns a plane, so there are no races and the sums are deterministic.
 */
final class CpuPool implements PoolOps {
    /** Elements of work below which a parallel loop runs on the calling thread. */
    private static final long GRAIN_WORK = 1L << 14;

    /**
     * The max-pooling loops over one plane: {@link CpuPoolPlain}, or {@code CpuPoolVector} where
     * {@link CpuVectorSupport} enables the Vector API. Both give bit-identical values and arg-max indices.
     */
    interface Kernel {
        /** A short name for logs and test names. */
        String name();

        /**
         * The forward pass of one plane when {@link #windowsInside2d} holds: {@code y[yb + o]} and
         * {@code argmax[ab + o]} for every output {@code o} of the plane starting at {@code x[xb]}, with the first
         * maximum in (h, w) order, a NaN counting as the maximum (the first NaN wins).
         */
        void maxPlane2d(PoolGeometry g, float[] x, int xb, float[] y, int yb, float[] argmax, int ab);

        /**
         * The backward pass of one plane: {@code dx[xb + i] = sum of dy[yb + o] over the outputs o with
         * argmax[ab + o] = i}, each sum {@code 0 + dy + ...} in output order; indices outside the plane are skipped.
         */
        void maxBackwardPlane(PoolGeometry g, float[] dy, int yb, float[] argmax, int ab, float[] dx, int xb);
    }

    private static final Kernel BEST = CpuVectorSupport.choose("pooling", Kernel.class, "org.cnn4j.cpu.CpuPoolVector",
            CpuPoolPlain::new);

    private final Kernel kernel;

    /** With the kernel {@link CpuVectorSupport} chooses. */
    CpuPool() {
        this(BEST);
    }

    /** With {@code kernel} (tests run both). */
    CpuPool(Kernel kernel) {
        this.kernel = kernel;
    }

    /** The kernel this instance runs. */
    Kernel kernel() {
        return kernel;
    }

    /** One dimension's window bounds {@code [lo, hi)} clipped to the input, and the divisor extent. */
    private record Range(int lo, int hi, int padded) {
        /** The window of output {@code o}: start {@code o * stride - pad}, clipped; {@code padded} clipped to {@code in + pad}. */
        static Range window(int o, int stride, int pad, int kernel, int in) {
            int start = o * stride - pad;
            int end = Math.min(start + kernel, in + pad);
            return new Range(Math.max(start, 0), Math.min(end, in), end - start);
        }

        /** PyTorch's adaptive cell {@code [floor(o * in / out), ceil((o + 1) * in / out))}. */
        static Range adaptive(int o, int in, int out) {
            int lo = (int) ((long) o * in / out);
            int hi = (int) (((long) (o + 1) * in + out - 1) / out);
            return new Range(lo, hi, hi - lo);
        }

        int size() {
            return Math.max(0, hi - lo);
        }
    }

    /** Body run for each window: the clipped ranges in depth, height and width, and the output index. */
    @FunctionalInterface
    private interface WindowBody {
        void run(int o, Range rd, Range rh, Range rw);
    }

    /** Max over each window, with the first arg-max (flat plane index, as a float). */
    @Override
    public void maxPoolForward(PoolGeometry g, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                               DeviceMemory argmax, long argmaxOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        float[] as = CpuMemory.array(argmax);
        int inPlane = g.inDepth() * g.inHeight() * g.inWidth();
        int outPlane = g.outDepth() * g.outHeight() * g.outWidth();
        int hw = g.inHeight() * g.inWidth();
        int w = g.inWidth();
        boolean interior = windowsInside2d(g);
        forPlanes(g, (plane) -> {
            int xb = (int) (xOff + plane * inPlane);
            int yb = (int) (yOff + plane * outPlane);
            int ab = (int) (argmaxOff + plane * outPlane);
            if (interior) {
                kernel.maxPlane2d(g, xs, xb, ys, yb, as, ab);
                return;
            }
            forWindows(g, false, (o, rd, rh, rw) -> {
                float best = Float.NEGATIVE_INFINITY;
                int bestIndex = -1;
                for (int d = rd.lo; d < rd.hi; d++) {
                    for (int h = rh.lo; h < rh.hi; h++) {
                        int row = d * hw + h * w;
                        for (int i = row + rw.lo; i < row + rw.hi; i++) {
                            float v = xs[xb + i];
                            if (v > best || bestIndex < 0 || (v != v && best == best)) {
                                best = v;
                                bestIndex = i;
                            }
                        }
                    }
                }
                ys[yb + o] = best;
                as[ab + o] = bestIndex;
            });
        });
    }

    /** Whether the pooling is 2-D and every window lies inside the input (no padding, no clipping). */
    static boolean windowsInside2d(PoolGeometry g) {
        return g.inDepth() == 1 && g.kernelD() == 1 && g.outDepth() == 1 && g.padH() == 0 && g.padW() == 0
                && (g.outHeight() - 1) * g.strideH() + g.kernelH() <= g.inHeight()
                && (g.outWidth() - 1) * g.strideW() + g.kernelW() <= g.inWidth();
    }

    /**
     * An integer that orders floats as {@code >} does and ranks NaN above everything: for a finite or
     * infinite {@code v}, {@code orderKey(u) > orderKey(v)} iff {@code u > v} ({@code -0} and {@code +0}
     * share a key, as they compare equal); every NaN maps to {@link Integer#MAX_VALUE}, and no number does
     * (+inf maps to {@code 0x7f800000}). With the bits {@code b} of {@code v}, magnitude {@code m = b & 0x7fffffff}
     * and sign {@code s = b >> 31} (0 or -1): {@code key = (m ^ s) - s}, which is {@code m} or {@code -m}.
     */
    static int orderKey(float v) {
        int b = Float.floatToRawIntBits(v);
        int m = b & 0x7fffffff;
        int s = b >> 31;
        int nan = (0x7f800000 - m) >> 31; // -1 iff m > 0x7f800000, i.e. v is NaN
        return (((m ^ s) - s) & ~nan) | (Integer.MAX_VALUE & nan);
    }

    /** {@code dx[p, argmax[p, o]] += dy[p, o]} after zeroing {@code dx}; overwrites {@code dx}. */
    @Override
    public void maxPoolBackward(PoolGeometry g, DeviceMemory dy, long dyOff, DeviceMemory argmax, long argmaxOff,
                                DeviceMemory dx, long dxOff) {
        float[] gs = CpuMemory.array(dy);
        float[] as = CpuMemory.array(argmax);
        float[] dxs = CpuMemory.array(dx);
        int inPlane = g.inDepth() * g.inHeight() * g.inWidth();
        int outPlane = g.outDepth() * g.outHeight() * g.outWidth();
        forPlanes(g, (plane) -> {
            int xb = (int) (dxOff + plane * inPlane);
            int yb = (int) (dyOff + plane * outPlane);
            int ab = (int) (argmaxOff + plane * outPlane);
            kernel.maxBackwardPlane(g, gs, yb, as, ab, dxs, xb);
        });
    }

    /** Mean over each window, divisor as in the type's javadoc. */
    @Override
    public void avgPoolForward(PoolGeometry g, boolean countIncludePad, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        avgForward(g, false, countIncludePad, xs, xOff, ys, yOff);
    }

    /** {@code dx[p, i] = sum over windows o covering i of dy[p, o] / count(o)}; overwrites {@code dx}. */
    @Override
    public void avgPoolBackward(PoolGeometry g, boolean countIncludePad, DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff) {
        avgBackward(g, false, countIncludePad, CpuMemory.array(dy), dyOff, CpuMemory.array(dx), dxOff);
    }

    /** Mean over PyTorch's adaptive cells. */
    @Override
    public void adaptiveAvgPoolForward(PoolGeometry g, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        avgForward(g, true, false, CpuMemory.array(x), xOff, CpuMemory.array(y), yOff);
    }

    /** Gradient of the adaptive mean; overwrites {@code dx}. */
    @Override
    public void adaptiveAvgPoolBackward(PoolGeometry g, DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff) {
        avgBackward(g, true, false, CpuMemory.array(dy), dyOff, CpuMemory.array(dx), dxOff);
    }

    private static void avgForward(PoolGeometry g, boolean adaptive, boolean countIncludePad,
                                   float[] xs, long xOff, float[] ys, long yOff) {
        int inPlane = g.inDepth() * g.inHeight() * g.inWidth();
        int outPlane = g.outDepth() * g.outHeight() * g.outWidth();
        int hw = g.inHeight() * g.inWidth();
        int w = g.inWidth();
        forPlanes(g, (plane) -> {
            int xb = (int) (xOff + plane * inPlane);
            int yb = (int) (yOff + plane * outPlane);
            forWindows(g, adaptive, (o, rd, rh, rw) -> {
                float sum = 0f;
                for (int d = rd.lo; d < rd.hi; d++) {
                    for (int h = rh.lo; h < rh.hi; h++) {
                        int row = xb + d * hw + h * w;
                        for (int i = row + rw.lo; i < row + rw.hi; i++) {
                            sum += xs[i];
                        }
                    }
                }
                int count = count(countIncludePad, rd, rh, rw);
                ys[yb + o] = count == 0 ? 0f : sum / count;
            });
        });
    }

    private static void avgBackward(PoolGeometry g, boolean adaptive, boolean countIncludePad,
                                    float[] gs, long dyOff, float[] dxs, long dxOff) {
        int inPlane = g.inDepth() * g.inHeight() * g.inWidth();
        int outPlane = g.outDepth() * g.outHeight() * g.outWidth();
        int hw = g.inHeight() * g.inWidth();
        int w = g.inWidth();
        forPlanes(g, (plane) -> {
            int xb = (int) (dxOff + plane * inPlane);
            int yb = (int) (dyOff + plane * outPlane);
            Arrays.fill(dxs, xb, xb + inPlane, 0f);
            forWindows(g, adaptive, (o, rd, rh, rw) -> {
                int count = count(countIncludePad, rd, rh, rw);
                if (count == 0) {
                    return;
                }
                float share = gs[yb + o] / count;
                for (int d = rd.lo; d < rd.hi; d++) {
                    for (int h = rh.lo; h < rh.hi; h++) {
                        int row = xb + d * hw + h * w;
                        for (int i = row + rw.lo; i < row + rw.hi; i++) {
                            dxs[i] += share;
                        }
                    }
                }
            });
        });
    }

    private static int count(boolean countIncludePad, Range rd, Range rh, Range rw) {
        return countIncludePad ? rd.padded * rh.padded * rw.padded : rd.size() * rh.size() * rw.size();
    }

    /** Runs {@code body} for each plane index, in parallel over planes. */
    private static void forPlanes(PoolGeometry g, java.util.function.LongConsumer body) {
        long work = Math.max(1, g.inputSize() / Math.max(1, g.planes()) + g.outputSize() / Math.max(1, g.planes()));
        CpuParallel.parallelFor(0, g.planes(), Math.max(1, GRAIN_WORK / work), (from, to) -> {
            for (long plane = from; plane < to; plane++) {
                body.accept(plane);
            }
        });
    }

    /** Runs {@code body} for every output position of one plane, in row-major order, with its clipped window. */
    private static void forWindows(PoolGeometry g, boolean adaptive, WindowBody body) {
        int oH = g.outHeight();
        int oW = g.outWidth();
        Range[] rws = new Range[oW];
        for (int ow = 0; ow < oW; ow++) {
            rws[ow] = adaptive ? Range.adaptive(ow, g.inWidth(), oW)
                    : Range.window(ow, g.strideW(), g.padW(), g.kernelW(), g.inWidth());
        }
        for (int od = 0; od < g.outDepth(); od++) {
            Range rd = adaptive ? Range.adaptive(od, g.inDepth(), g.outDepth())
                    : Range.window(od, g.strideD(), g.padD(), g.kernelD(), g.inDepth());
            for (int oh = 0; oh < oH; oh++) {
                Range rh = adaptive ? Range.adaptive(oh, g.inHeight(), oH)
                        : Range.window(oh, g.strideH(), g.padH(), g.kernelH(), g.inHeight());
                int base = (od * oH + oh) * oW;
                for (int ow = 0; ow < oW; ow++) {
                    body.run(base + ow, rd, rh, rws[ow]);
                }
            }
        }
    }
}
