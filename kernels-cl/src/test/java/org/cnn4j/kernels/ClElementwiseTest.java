package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.slice;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** elementwise.cl against {@link NaiveElementwise}: every op, contiguous and strided, odd sizes, offsets, aliasing. */
class ClElementwiseTest {
    private static final int[] SIZES = {1, 3, 4, 5, 17, 1023, 4099};
    private static final double ATOL = 1e-6;
    private static final double RTOL = 4e-6;

    static java.util.stream.Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    /** Inputs that exercise every op's domain: negatives, zeros, large magnitudes, a NaN and infinities. */
    private static float[] inputs(long seed, int n) {
        float[] x = random(seed, n, -6f, 6f);
        float[] specials = {0f, -0f, 1f, -1f, 30f, -30f, 100f, -100f, Float.NaN, Float.POSITIVE_INFINITY,
                            Float.NEGATIVE_INFINITY, 1e-30f};
        for (int i = 0; i < Math.min(specials.length, n / 3); i++) {
            x[(i * 7) % n] = specials[i];
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void unaryMatchesReferenceForEveryOpAndSize(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : SIZES) {
                int xOff = 3;
                int yOff = 5;
                float[] x = inputs(n * 31L + op.ordinal(), n + xOff);
                DeviceMemory xd = upload(b, x);
                DeviceMemory yd = b.allocate(n + yOff + 2);
                b.unary(op, n, xd, xOff, yd, yOff);
                float[] expected = new float[n];
                for (int i = 0; i < n; i++) {
                    expected[i] = NaiveElementwise.unary(op, x[xOff + i]);
                }
                assertClose(op + " n=" + n + " on " + tb, expected, download(b, yd, yOff, n), ATOL, RTOL);
                b.release(xd);
                b.release(yd);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void unaryInPlace(TestBackend tb) {
        OpenClBackend b = tb.backend();
        int n = 1001;
        float[] x = inputs(7, n + 1);
        DeviceMemory d = upload(b, x);
        b.unary(UnaryOp.SIGMOID, n, d, 1, d, 1);
        float[] expected = x.clone();
        for (int i = 1; i <= n; i++) {
            expected[i] = NaiveElementwise.unary(UnaryOp.SIGMOID, x[i]);
        }
        assertClose("in-place SIGMOID on " + tb, expected, download(b, d, 0, n + 1), ATOL, RTOL);
        b.release(d);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void scalarMatchesReferenceBothOrders(TestBackend tb) {
        OpenClBackend b = tb.backend();
        float[] scalars = {2.5f, -0.75f, 0f};
        for (BinaryOp op : BinaryOp.values()) {
            for (boolean first : new boolean[] {false, true}) {
                for (int n : SIZES) {
                    float s = scalars[n % scalars.length];
                    float[] x = op == BinaryOp.POW && !first ? random(n, n + 2, 0.1f, 4f) : inputs(n * 13L + op.ordinal(), n + 2);
                    DeviceMemory xd = upload(b, x);
                    DeviceMemory yd = b.allocate(n + 1);
                    b.scalar(op, n, xd, 2, s, first, yd, 1);
                    float[] expected = new float[n];
                    for (int i = 0; i < n; i++) {
                        expected[i] = first ? NaiveElementwise.binary(op, s, x[2 + i]) : NaiveElementwise.binary(op, x[2 + i], s);
                    }
                    assertClose(op + (first ? " s op x" : " x op s") + " n=" + n + " s=" + s + " on " + tb, expected,
                            download(b, yd, 1, n), ATOL, RTOL);
                    b.release(xd);
                    b.release(yd);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void contiguousBinaryMatchesReference(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : SIZES) {
                StridedLayout flat = new StridedLayout(new int[] {n}, new long[] {1});
                assertTrue(Layouts.isContiguous(flat));
                float[] a = op == BinaryOp.POW ? random(n, n + 1, 0.1f, 4f) : inputs(n * 3L, n + 1);
                float[] c = op == BinaryOp.POW ? random(n + 9, n + 4, -3f, 3f) : inputs(n * 5L + 1, n + 4);
                checkBinary(tb, op, flat, a, 1, flat, c, 4);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void broadcastAndTransposedBinaryMatchesReference(TestBackend tb) {
        // [5, 7] op [1, 7] (row broadcast), [5, 7] op [5, 1] (column broadcast), scalar broadcast,
        // a transposed operand, and rank 3 / rank 8 mixtures with odd extents.
        int[][] dims = {{5, 7}, {5, 7}, {5, 7}, {7, 5}, {3, 4, 5}, {2, 1, 3, 2, 1, 2, 3, 5}};
        long[][] aStrides = {{7, 1}, {7, 1}, {7, 1}, {1, 7}, {20, 5, 1}, null};
        long[][] bStrides = {{0, 1}, {1, 0}, {0, 0}, {5, 1}, {0, 1, 4}, null};
        for (int t = 0; t < dims.length; t++) {
            StridedLayout aL;
            StridedLayout bL;
            if (aStrides[t] == null) {
                aL = new StridedLayout(dims[t], permutedStrides(dims[t], 11));
                bL = new StridedLayout(dims[t], broadcastStrides(dims[t], 0b10110010));
            } else {
                aL = new StridedLayout(dims[t], aStrides[t]);
                bL = new StridedLayout(dims[t], bStrides[t]);
            }
            for (BinaryOp op : BinaryOp.values()) {
                float[] a = random(t * 100L + op.ordinal(), (int) (Layouts.maxReach(aL) + 3), 0.2f, 3f);
                float[] c = random(t * 200L + op.ordinal(), (int) (Layouts.maxReach(bL) + 5), -2f, 2f);
                checkBinary(tb, op, aL, a, 2, bL, c, 4);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void randomStridedLayoutsUpToRank8(TestBackend tb) {
        SplittableRandom random = new SplittableRandom(42);
        for (int trial = 0; trial < 24; trial++) {
            int rank = 1 + trial % 8;
            int[] dims = new int[rank];
            for (int d = 0; d < rank; d++) {
                dims[d] = 1 + random.nextInt(rank > 5 ? 3 : 6);
            }
            StridedLayout aL = new StridedLayout(dims, permutedStrides(dims, random.nextLong()));
            StridedLayout bL = new StridedLayout(dims, broadcastStrides(dims, random.nextInt()));
            float[] a = random(trial, (int) (Layouts.maxReach(aL) + 1), -3f, 3f);
            float[] c = random(trial + 1000, (int) (Layouts.maxReach(bL) + 1), -3f, 3f);
            checkBinary(tb, BinaryOp.values()[trial % 6], aL, a, 0, bL, c, 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void maxAndMinPropagateNaN(TestBackend tb) {
        StridedLayout flat = new StridedLayout(new int[] {6}, new long[] {1});
        float[] a = {1f, Float.NaN, 3f, Float.NaN, -1f, 2f};
        float[] c = {Float.NaN, 2f, 1f, Float.NaN, -2f, 2f};
        checkBinary(tb, BinaryOp.MAX, flat, a, 0, flat, c, 0);
        checkBinary(tb, BinaryOp.MIN, flat, a, 0, flat, c, 0);
        StridedLayout strided = new StridedLayout(new int[] {2, 3}, new long[] {1, 2});
        assertFalse(Layouts.isContiguous(strided));
        checkBinary(tb, BinaryOp.MAX, strided, a, 0, strided, c, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void binaryOutputMayAliasContiguousInput(TestBackend tb) {
        OpenClBackend b = tb.backend();
        int n = 1029;
        StridedLayout flat = new StridedLayout(new int[] {n}, new long[] {1});
        float[] a = random(1, n, -1f, 1f);
        float[] c = random(2, n, -1f, 1f);
        DeviceMemory ad = upload(b, a);
        DeviceMemory cd = upload(b, c);
        b.binary(BinaryOp.ADD, flat, ad, 0, flat, cd, 0, ad, 0);
        assertClose("a += b on " + tb, NaiveElementwise.binary(BinaryOp.ADD, flat, a, 0, flat, c, 0),
                download(b, ad, 0, n), ATOL, RTOL);
        b.release(ad);
        b.release(cd);
    }

    private static void checkBinary(TestBackend tb, BinaryOp op, StridedLayout aL, float[] a, int aOff,
                                    StridedLayout bL, float[] c, int bOff) {
        OpenClBackend b = tb.backend();
        float[] aPadded = pad(a, aOff);
        float[] cPadded = pad(c, bOff);
        DeviceMemory ad = upload(b, aPadded);
        DeviceMemory cd = upload(b, cPadded);
        int n = (int) aL.size();
        DeviceMemory out = b.allocate(n + 3);
        b.binary(op, aL, ad, aOff, bL, cd, bOff, out, 3);
        float[] expected = NaiveElementwise.binary(op, aL, aPadded, aOff, bL, cPadded, bOff);
        assertClose(op + " " + aL + " op " + bL + " on " + tb, expected, download(b, out, 3, n), ATOL, RTOL);
        b.release(ad);
        b.release(cd);
        b.release(out);
    }

    /** x shifted right by off, with garbage in front, so offsets are really used. */
    private static float[] pad(float[] x, int off) {
        float[] out = new float[x.length + off];
        Arrays.fill(out, 0, off, 1e30f);
        System.arraycopy(x, 0, out, off, x.length);
        return slice(out, 0, out.length);
    }

    /** Strides of a packed array whose dimensions are stored in a seeded random order (a transposed view). */
    static long[] permutedStrides(int[] dims, long seed) {
        int rank = dims.length;
        Integer[] order = new Integer[rank];
        for (int d = 0; d < rank; d++) {
            order[d] = d;
        }
        java.util.Collections.shuffle(Arrays.asList(order), new java.util.Random(seed));
        long[] strides = new long[rank];
        long s = 1;
        for (int i = rank - 1; i >= 0; i--) {
            strides[order[i]] = s;
            s *= dims[order[i]];
        }
        return strides;
    }

    /** Packed row-major strides with stride 0 on the dimensions whose bit is set in mask. */
    static long[] broadcastStrides(int[] dims, int mask) {
        long[] strides = new long[dims.length];
        long s = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            if ((mask >> d & 1) != 0) {
                strides[d] = 0;
            } else {
                strides[d] = s;
                s *= dims[d];
            }
        }
        return strides;
    }
}
