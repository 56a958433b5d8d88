package org.cnn4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * The Vector API kernel of {@link CpuPool}: a dedicated forward path for 2-D max pooling with a 2x2 window and
 * stride 2 (no padding, every window inside the input), {@code n} windows per step with {@code n} the lanes of
 * {@link CpuVectorShapes#F} (16 with AVX-512, 8 with AVX2); other geometries, and the backward pass (whose plain
 * fill-and-scatter measured as fast as a vector version), run {@link CpuPoolPlain}.
 *
 * <p>A step covers windows {@code ow .. ow + n - 1} of output row {@code oh}: the {@code 2n} inputs of the top row
 * {@code 2 oh} and of the bottom row {@code 2 oh + 1} are split by lane permutations into the even columns (each
 * window's left element) and the odd ones, {@code te, to, be, bo}. Then, with strict {@code >} so that ties keep
 * the earlier element,
 * <pre>
 *   top    = to &gt; te ? (to, 1) : (te, 0)          bottom = bo &gt; be ? (bo, W + 1) : (be, W)
 *   (y, k) = bottom &gt; top ? bottom : top            argmax = 2 oh W + 2 ow + k
 * </pre>
 * which is the first maximum in (h, w) order: each pair's winner is its first maximum, and the bottom one wins only
 * when strictly larger. A NaN is the maximum (the first NaN wins), which {@code >} does not see, so a step whose
 * inputs hold a NaN (or sum to NaN, as {@code inf - inf} does) takes the scalar rule of {@link CpuPoolPlain}.
 *
 * <p>Rows narrower than {@code n} windows (the reference CNN's are 14 and 7) still take whole steps: the lanes past
 * the row's end read the rows below and write junk into the outputs of the following rows, which their own steps
 * overwrite later (one thread owns a plane, and its rows run in order). A step never writes past its plane's outputs
 * or reads past the input array: there it moves back to end at the row's end when the row is wide enough, else the
 * row's remaining windows take the scalar rule.
 *
 * <p>Plane indices are computed as floats (the arg-max is stored as a float, and the JDK 17 compiler has no vector
 * float-to-int conversion), exact on planes of at most 2^24 elements; larger planes run the plain kernel. Values and
 * arg-max indices are bit-identical to {@link CpuPoolPlain}. Loaded only by name through {@link CpuVectorSupport}.
 */
final class CpuPoolVector implements CpuPool.Kernel {
    private static final VectorSpecies<Float> S = CpuVectorShapes.F;
    /** Lanes, and windows per step. */
    private static final int N = S.length();
    private static final int HALF = N / 2;
    /** {@code [even lanes, odd lanes]}, {@code [odd lanes, even lanes]}, and the halves swapped. */
    private static final VectorShuffle<Float> EVENS_LOW = VectorShuffle.fromOp(S, i -> i < HALF ? 2 * i : 2 * (i - HALF) + 1);
    private static final VectorShuffle<Float> EVENS_HIGH = VectorShuffle.fromOp(S, i -> i < HALF ? 2 * i + 1 : 2 * (i - HALF));
    private static final VectorShuffle<Float> SWAP_HALVES = VectorShuffle.fromOp(S, i -> (i + HALF) % N);
    private static final VectorMask<Float> HIGH = VectorMask.fromArray(S, highHalf(), 0);
    /** {@code 0, 2, 4, ...}: the left column of each lane's window, relative to the step's first. */
    private static final float[] TWICE_IOTA = twiceIota();

    private final CpuPoolPlain plain = new CpuPoolPlain();

    @Override
    public String name() {
        return "vector" + S.vectorBitSize();
    }

    /**
     * Whether {@code g} is the 2x2 stride-2 case this kernel vectorises (given {@link CpuPool#windowsInside2d}): at
     * least 4 windows wide, planes of at most 2^24 elements.
     */
    static boolean twoByTwo(PoolGeometry g) {
        return g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.outWidth() >= 4
                && (long) g.inHeight() * g.inWidth() <= 1L << 24;
    }

    @Override
    public void maxPlane2d(PoolGeometry g, float[] x, int xb, float[] y, int yb, float[] argmax, int ab) {
        if (!twoByTwo(g)) {
            plain.maxPlane2d(g, x, xb, y, yb, argmax, ab);
            return;
        }
        int w = g.inWidth();
        int oW = g.outWidth();
        int outPlane = g.outHeight() * oW;
        for (int oh = 0; oh < g.outHeight(); oh++) {
            for (int ow = 0; ow < oW; ow += N) {
                int start = ow;
                int o = oh * oW + start;
                int first = 2 * oh * w + 2 * start;
                boolean inside = o + N <= outPlane && xb + first + w + 2 * N <= x.length;
                if (!inside && oW >= N) { // end the step at the row's end instead
                    start = oW - N;
                    o = oh * oW + start;
                    first = 2 * oh * w + 2 * start;
                    inside = xb + first + w + 2 * N <= x.length;
                }
                int windows = Math.min(N, oW - start);
                if (!inside || !step(x, xb + first, w, first, y, yb + o, argmax, ab + o)) {
                    scalarWindows(windows, x, xb, w, first, y, yb + o, argmax, ab + o);
                }
            }
        }
    }

    /**
     * The {@link #N} windows whose top-left inputs are {@code x[in + 2 j]}, at plane index {@code first + 2 j}: values
     * to {@code y[yo + j]}, arg-max to {@code argmax[ao + j]}; false, writing nothing, when an input is NaN (or the
     * inputs sum to NaN), which {@code >} cannot rank. All vectors live and die in this method: a vector that crosses
     * a call C2 did not inline is boxed on the heap.
     */
    private static boolean step(float[] x, int in, int w, int first, float[] y, int yo, float[] argmax, int ao) {
        FloatVector t0 = FloatVector.fromArray(S, x, in).rearrange(EVENS_LOW);         // [even, odd] of inputs 0 .. N-1
        FloatVector t1 = FloatVector.fromArray(S, x, in + N).rearrange(EVENS_HIGH);    // [odd, even] of inputs N .. 2N-1
        FloatVector b0 = FloatVector.fromArray(S, x, in + w).rearrange(EVENS_LOW);
        FloatVector b1 = FloatVector.fromArray(S, x, in + w + N).rearrange(EVENS_HIGH);
        FloatVector te = t0.blend(t1, HIGH);
        FloatVector to = t1.blend(t0, HIGH).rearrange(SWAP_HALVES);
        FloatVector be = b0.blend(b1, HIGH);
        FloatVector bo = b1.blend(b0, HIGH).rearrange(SWAP_HALVES);
        FloatVector sum = te.add(to).add(be).add(bo);
        if (sum.compare(VectorOperators.NE, sum).anyTrue()) {
            return false;
        }
        VectorMask<Float> topRight = to.compare(VectorOperators.GT, te);
        FloatVector top = te.blend(to, topRight);
        FloatVector topK = FloatVector.zero(S).blend(1f, topRight);
        VectorMask<Float> bottomRight = bo.compare(VectorOperators.GT, be);
        FloatVector bottom = be.blend(bo, bottomRight);
        FloatVector bottomK = FloatVector.broadcast(S, w).blend(w + 1f, bottomRight);
        VectorMask<Float> lower = bottom.compare(VectorOperators.GT, top);
        top.blend(bottom, lower).intoArray(y, yo);
        topK.blend(bottomK, lower).add(FloatVector.fromArray(S, TWICE_IOTA, 0).add(first)).intoArray(argmax, ao);
        return true;
    }

    /** {@code n} windows starting at plane index {@code first} by the scalar rule of {@link CpuPoolPlain}. */
    private static void scalarWindows(int n, float[] x, int xb, int w, int first, float[] y, int yo, float[] argmax, int ao) {
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

    /** The plain fill-and-scatter: a vector version (duplicating each window's gradient into its lanes) was no faster. */
    @Override
    public void maxBackwardPlane(PoolGeometry g, float[] dy, int yb, float[] argmax, int ab, float[] dx, int xb) {
        plain.maxBackwardPlane(g, dy, yb, argmax, ab, dx, xb);
    }

    private static boolean[] highHalf() {
        boolean[] high = new boolean[N];
        for (int i = HALF; i < N; i++) {
            high[i] = true;
        }
        return high;
    }

    private static float[] twiceIota() {
        float[] t = new float[N];
        for (int i = 0; i < N; i++) {
            t[i] = 2 * i;
        }
        return t;
    }
}
