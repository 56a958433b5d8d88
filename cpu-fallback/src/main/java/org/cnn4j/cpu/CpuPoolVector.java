package org.cnn4j.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * The Vector API kernel of {@link CpuPool}: a dedicated path for 2-D max pooling with a 2x2 window and stride 2
 * (no padding, every window inside the input) on planes at least 4 outputs wide, 8 windows at a time with
 * 256-bit vectors (4 with 128-bit ones on planes 4 to 7 outputs wide); every other geometry runs
 * {@link CpuPoolPlain}.
 *
 * <p>Forward, for the windows {@code ow .. ow + n - 1} of output row {@code oh}: the {@code 2n} inputs of the top
 * row {@code 2 oh} and of the bottom row {@code 2 oh + 1} are split by lane permutations into the even columns
 * (each window's left element) and the odd ones, {@code te, to, be, bo}. Then, with strict {@code >} so that ties
 * keep the earlier element,
 * <pre>
 *   top    = to &gt; te ? (to, 1) : (te, 0)          bottom = bo &gt; be ? (bo, W + 1) : (be, W)
 *   (y, k) = bottom &gt; top ? bottom : top            argmax = 2 oh W + 2 ow + k
 * </pre>
 * which is the first maximum in (h, w) order: each pair's winner is its first maximum, and the bottom one wins
 * only when strictly larger. A NaN is the maximum (the first NaN wins), which {@code >} does not see, so a group
 * whose inputs hold a NaN (or sum to NaN, as {@code inf - inf} does) takes the scalar rule of
 * {@link CpuPoolPlain}. The last group of a row starts at {@code oW - n} and may recompute outputs of the one
 * before, with the same result.
 *
 * <p>Backward, where each input belongs to at most one window (planes at least 8 outputs wide; on narrower ones the
 * plain fill-and-scatter measured as fast): each window's {@code 0 + dy} and arg-max are duplicated into the lanes
 * of its two columns, and {@code dx} is {@code 0 + dy} where the lane's plane index is
 * the arg-max, else 0; the columns and rows no window covers are zeroed. A plane whose arg-max holds an index
 * outside its window (not produced by the forward pass) runs the plain scatter instead.
 *
 * <p>Plane indices are computed and compared as floats (the arg-max is stored as a float, and the JDK 17
 * compiler has no vector float-to-int conversion), exact on planes of at most 2^24 elements; larger planes run
 * the plain kernel. Values and arg-max indices are bit-identical to {@link CpuPoolPlain}.
 *
 * <p>Only lane-wise operations, loads, stores, single-vector permutations and blends of one species are used:
 * in JDK 17 the results of shape conversions and reinterpretations are not exactly typed for C2, so calls on them
 * depend on type profiles that other vector code in the JVM pollutes, and then run the API's scalar fallback
 * (measured: 20 times slower). Loaded only by name through {@link CpuVectorSupport}.
 */
final class CpuPoolVector implements CpuPool.Kernel {
    private static final VectorSpecies<Float> S8 = FloatVector.SPECIES_256;
    /** Whether the hardware has 256-bit vectors (elsewhere the 256-bit shapes would be emulated: plain instead). */
    private static final boolean WIDE = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    private static final VectorSpecies<Float> S4 = FloatVector.SPECIES_128;
    /** Lane permutations that gather the even lanes into the low half (EVENS_LOW) or the high half (EVENS_HIGH). */
    private static final VectorShuffle<Float> EVENS_LOW8 = VectorShuffle.fromValues(S8, 0, 2, 4, 6, 1, 3, 5, 7);
    private static final VectorShuffle<Float> EVENS_HIGH8 = VectorShuffle.fromValues(S8, 1, 3, 5, 7, 0, 2, 4, 6);
    private static final VectorShuffle<Float> SWAP_HALVES8 = VectorShuffle.fromValues(S8, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorMask<Float> HIGH8 = VectorMask.fromValues(S8, false, false, false, false, true, true, true, true);
    private static final VectorShuffle<Float> EVENS_LOW4 = VectorShuffle.fromValues(S4, 0, 2, 1, 3);
    private static final VectorShuffle<Float> EVENS_HIGH4 = VectorShuffle.fromValues(S4, 1, 3, 0, 2);
    private static final VectorShuffle<Float> SWAP_HALVES4 = VectorShuffle.fromValues(S4, 2, 3, 0, 1);
    private static final VectorMask<Float> HIGH4 = VectorMask.fromValues(S4, false, false, true, true);
    /** Lane permutations that repeat each lane of the low half (DUP_LOW) or high half (DUP_HIGH) twice. */
    private static final VectorShuffle<Float> DUP_LOW8 = VectorShuffle.fromValues(S8, 0, 0, 1, 1, 2, 2, 3, 3);
    private static final VectorShuffle<Float> DUP_HIGH8 = VectorShuffle.fromValues(S8, 4, 4, 5, 5, 6, 6, 7, 7);
    /** {@code 0, 1, 2, ...}: lane offsets; {@code 0, 2, 4, ...}: the left column of each lane's window. */
    private static final float[] IOTA = {0, 1, 2, 3, 4, 5, 6, 7};
    private static final float[] TWICE_IOTA = {0, 2, 4, 6, 8, 10, 12, 14};

    private final CpuPoolPlain plain = new CpuPoolPlain();

    @Override
    public String name() {
        return "vector";
    }

    /**
     * Whether {@code g} is the 2x2 stride-2 case this kernel vectorises (given {@link CpuPool#windowsInside2d}):
     * at least 4 outputs wide, planes of at most 2^24 elements, on hardware with 256-bit vectors.
     */
    static boolean twoByTwo(PoolGeometry g) {
        return WIDE && g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.outWidth() >= S4.length()
                && (long) g.inHeight() * g.inWidth() <= 1L << 24;
    }

    @Override
    public void maxPlane2d(PoolGeometry g, float[] x, int xb, float[] y, int yb, float[] argmax, int ab) {
        if (!twoByTwo(g)) {
            plain.maxPlane2d(g, x, xb, y, yb, argmax, ab);
        } else if (g.outWidth() >= S8.length()) {
            forwardPlane8(g, x, xb, y, yb, argmax, ab);
        } else {
            forwardPlane4(g, x, xb, y, yb, argmax, ab);
        }
    }

    private static void forwardPlane8(PoolGeometry g, float[] x, int xb, float[] y, int yb, float[] argmax, int ab) {
        int w = g.inWidth();
        int oW = g.outWidth();
        int n = S8.length();
        for (int oh = 0; oh < g.outHeight(); oh++) {
            for (int step = 0; step < oW; step += n) {
                int ow = Math.min(step, oW - n);
                int first = 2 * oh * w + 2 * ow;
                int o = oh * oW + ow;
                if (!forwardGroup8(x, xb + first, w, first, y, yb + o, argmax, ab + o)) {
                    scalarGroup(n, x, xb, w, first, y, yb + o, argmax, ab + o);
                }
            }
        }
    }

    private static void forwardPlane4(PoolGeometry g, float[] x, int xb, float[] y, int yb, float[] argmax, int ab) {
        int w = g.inWidth();
        int oW = g.outWidth();
        int n = S4.length();
        for (int oh = 0; oh < g.outHeight(); oh++) {
            for (int step = 0; step < oW; step += n) {
                int ow = Math.min(step, oW - n);
                int first = 2 * oh * w + 2 * ow;
                int o = oh * oW + ow;
                if (!forwardGroup4(x, xb + first, w, first, y, yb + o, argmax, ab + o)) {
                    scalarGroup(n, x, xb, w, first, y, yb + o, argmax, ab + o);
                }
            }
        }
    }

    /*
     * The 8-wide and 4-wide group methods are the same code with a different constant species: C2 intrinsifies a
     * vector operation only when its species is a compile-time constant, and a group method is too large to be
     * inlined reliably, so it cannot take its species as an argument. Every vector lives and dies inside one group
     * method: a vector that crosses a call C2 did not inline is boxed on the heap.
     */

    /**
     * The 8 windows whose top-left inputs are {@code x[in + 2 j]}, at plane index {@code first + 2 j}: values to
     * {@code y[yo + j]}, arg-max to {@code argmax[ao + j]}; false, writing nothing, when an input is NaN (or the
     * inputs sum to NaN), which {@code >} cannot rank.
     */
    private static boolean forwardGroup8(float[] x, int in, int w, int first, float[] y, int yo, float[] argmax, int ao) {
        FloatVector t0 = FloatVector.fromArray(S8, x, in).rearrange(EVENS_LOW8);      // [even, odd] of inputs 0 .. 7
        FloatVector t1 = FloatVector.fromArray(S8, x, in + 8).rearrange(EVENS_HIGH8); // [odd, even] of inputs 8 .. 15
        FloatVector b0 = FloatVector.fromArray(S8, x, in + w).rearrange(EVENS_LOW8);
        FloatVector b1 = FloatVector.fromArray(S8, x, in + w + 8).rearrange(EVENS_HIGH8);
        FloatVector te = t0.blend(t1, HIGH8);
        FloatVector to = t1.blend(t0, HIGH8).rearrange(SWAP_HALVES8);
        FloatVector be = b0.blend(b1, HIGH8);
        FloatVector bo = b1.blend(b0, HIGH8).rearrange(SWAP_HALVES8);
        FloatVector sum = te.add(to).add(be).add(bo);
        if (sum.compare(VectorOperators.NE, sum).anyTrue()) {
            return false;
        }
        VectorMask<Float> topRight = to.compare(VectorOperators.GT, te);
        FloatVector top = te.blend(to, topRight);
        FloatVector topK = FloatVector.zero(S8).blend(1f, topRight);
        VectorMask<Float> bottomRight = bo.compare(VectorOperators.GT, be);
        FloatVector bottom = be.blend(bo, bottomRight);
        FloatVector bottomK = FloatVector.broadcast(S8, w).blend(w + 1f, bottomRight);
        VectorMask<Float> lower = bottom.compare(VectorOperators.GT, top);
        top.blend(bottom, lower).intoArray(y, yo);
        topK.blend(bottomK, lower).add(FloatVector.fromArray(S8, TWICE_IOTA, 0).add(first)).intoArray(argmax, ao);
        return true;
    }

    /** {@link #forwardGroup8} for 4 windows. */
    private static boolean forwardGroup4(float[] x, int in, int w, int first, float[] y, int yo, float[] argmax, int ao) {
        FloatVector t0 = FloatVector.fromArray(S4, x, in).rearrange(EVENS_LOW4);
        FloatVector t1 = FloatVector.fromArray(S4, x, in + 4).rearrange(EVENS_HIGH4);
        FloatVector b0 = FloatVector.fromArray(S4, x, in + w).rearrange(EVENS_LOW4);
        FloatVector b1 = FloatVector.fromArray(S4, x, in + w + 4).rearrange(EVENS_HIGH4);
        FloatVector te = t0.blend(t1, HIGH4);
        FloatVector to = t1.blend(t0, HIGH4).rearrange(SWAP_HALVES4);
        FloatVector be = b0.blend(b1, HIGH4);
        FloatVector bo = b1.blend(b0, HIGH4).rearrange(SWAP_HALVES4);
        FloatVector sum = te.add(to).add(be).add(bo);
        if (sum.compare(VectorOperators.NE, sum).anyTrue()) {
            return false;
        }
        VectorMask<Float> topRight = to.compare(VectorOperators.GT, te);
        FloatVector top = te.blend(to, topRight);
        FloatVector topK = FloatVector.zero(S4).blend(1f, topRight);
        VectorMask<Float> bottomRight = bo.compare(VectorOperators.GT, be);
        FloatVector bottom = be.blend(bo, bottomRight);
        FloatVector bottomK = FloatVector.broadcast(S4, w).blend(w + 1f, bottomRight);
        VectorMask<Float> lower = bottom.compare(VectorOperators.GT, top);
        top.blend(bottom, lower).intoArray(y, yo);
        topK.blend(bottomK, lower).add(FloatVector.fromArray(S4, TWICE_IOTA, 0).add(first)).intoArray(argmax, ao);
        return true;
    }

    /** {@code n} windows starting at plane index {@code first} by the scalar rule of {@link CpuPoolPlain}. */
    private static void scalarGroup(int n, float[] x, int xb, int w, int first, float[] y, int yo, float[] argmax, int ao) {
        for (int j = 0; j < n; j++) {
            int left = first + 2 * j;
            int bestIndex = left;
            int bestKey = CpuPool.orderKey(x[xb + left]);
            for (int q = 1; q < 4; q++) {
                int i = left + (q >> 1) * w + (q & 1); // (0, 1), (1, 0), (1, 1) in (h, w) order
                int key = CpuPool.orderKey(x[xb + i]);
                if (key > bestKey) {
                    bestKey = key;
                    bestIndex = i;
                }
            }
            y[yo + j] = x[xb + bestIndex];
            argmax[ao + j] = bestIndex;
        }
    }

    @Override
    public void maxBackwardPlane(PoolGeometry g, float[] dy, int yb, float[] argmax, int ab, float[] dx, int xb) {
        if (!twoByTwo(g) || g.outWidth() < S8.length() || !CpuPool.windowsInside2d(g)
                || !backwardPlane(g, dy, yb, argmax, ab, dx, xb)) {
            plain.maxBackwardPlane(g, dy, yb, argmax, ab, dx, xb);
        }
    }

    /** The 2x2 backward of one plane; false (with {@code dx} partly written) when an arg-max lies outside its window. */
    private static boolean backwardPlane(PoolGeometry g, float[] dy, int yb, float[] argmax, int ab, float[] dx, int xb) {
        int w = g.inWidth();
        int oW = g.outWidth();
        int n = S8.length();
        boolean inside = true;
        for (int oh = 0; oh < g.outHeight(); oh++) {
            int row = 2 * oh * w;
            for (int step = 0; step < oW; step += n) {
                int ow = Math.min(step, oW - n);
                int first = row + 2 * ow;
                int o = oh * oW + ow;
                inside &= backwardGroup8(dy, yb + o, argmax, ab + o, first, w, dx, xb + first);
            }
            if (2 * oW < w) { // columns no window covers
                Arrays.fill(dx, xb + row + 2 * oW, xb + row + w, 0f);
                Arrays.fill(dx, xb + row + w + 2 * oW, xb + row + 2 * w, 0f);
            }
        }
        Arrays.fill(dx, xb + 2 * g.outHeight() * w, xb + g.inHeight() * w, 0f); // rows no window covers
        return inside;
    }

    /**
     * The gradients of the 8 windows at plane index {@code first + 2 j} written to their four inputs,
     * {@code dx[out ..]} for the top row and {@code dx[out + w ..]} for the bottom one; false when some arg-max is
     * none of its window's positions (each window matches at most one, so all match iff there are 8 matches).
     */
    private static boolean backwardGroup8(float[] dy, int yo, float[] argmax, int ao, int first, int w, float[] dx, int out) {
        FloatVector grad = FloatVector.fromArray(S8, dy, yo).add(0f); // 0 + dy, as the scatter sums
        FloatVector index = FloatVector.fromArray(S8, argmax, ao);
        FloatVector grad0 = grad.rearrange(DUP_LOW8);
        FloatVector grad1 = grad.rearrange(DUP_HIGH8);
        FloatVector index0 = index.rearrange(DUP_LOW8);
        FloatVector index1 = index.rearrange(DUP_HIGH8);
        FloatVector top0 = FloatVector.fromArray(S8, IOTA, 0).add(first);
        FloatVector top1 = top0.add(8f);
        VectorMask<Float> t0 = top0.compare(VectorOperators.EQ, index0);
        VectorMask<Float> t1 = top1.compare(VectorOperators.EQ, index1);
        VectorMask<Float> b0 = top0.add(w).compare(VectorOperators.EQ, index0);
        VectorMask<Float> b1 = top1.add(w).compare(VectorOperators.EQ, index1);
        FloatVector zero = FloatVector.zero(S8);
        zero.blend(grad0, t0).intoArray(dx, out);
        zero.blend(grad1, t1).intoArray(dx, out + 8);
        zero.blend(grad0, b0).intoArray(dx, out + w);
        zero.blend(grad1, b1).intoArray(dx, out + w + 8);
        return t0.trueCount() + t1.trueCount() + b0.trueCount() + b1.trueCount() == 8;
    }
}
