package org.cnn4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API tiles of {@link CpuConvShifted} (see {@link ConvTiles} for what each computes). A tile of C is
 * held in vector registers for the whole depth loop; per depth step a {@link #shifted} tile loads three vectors
 * of the image copy and broadcasts one weight per row; a {@link #rowDot} tile loads a run of positions from each
 * of its output-gradient channels and its taps' rows of the copy and multiplies every pair; a {@link #gathered} tile
 * loads two vectors of the transposed output gradient and broadcasts one input value per row. Shapes, chosen by
 * the register file:
 * <pre>
 *   vectors of 16 floats or more (AVX-512, 32 registers):  shifted 8 x 3L, gathered 12 x 2L, rowDot 4 x 6 (24 accumulators)
 *   narrower vectors (AVX2, 16 registers):                shifted 4 x 3L, gathered  6 x 2L, rowDot 2 x 4
 * </pre>
 * The preferred species is used: these loops read operands that stay in the first-level cache, where whole
 * registers pay even when an access splits a cache line. Each tile is one method with every vector local
 * (C2 boxes a vector that crosses a call it did not inline), with one flat loop over the depth (vectors carried
 * through nested loops were boxed too). Results equal the plain sums up to rounding: the
 * products are fused multiply-adds, accumulated per lane in depth order.
 *
 * <p>This class is loaded only when the module {@code jdk.incubator.vector} is present ({@link CpuVectorSupport}).
 */
final class ConvTilesVector implements ConvTiles, CpuVectorSupport.WarmsUp {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    private static final int L = S.length();
    private static final boolean WIDE = L >= 16;

    /**
     * Calls of each tile in {@link #warmUp}, and the depth of each: past C2's tier-4 thresholds (600 calls and 15,000
     * loop iterations). The loops must be as long as in real use: warmed up with 2 to 4 iterations per call, C2
     * compiled a gathered tile that then ran 1.7 times slower on real sizes.
     */
    private static final int WARM_UP_CALLS = 1000;
    private static final int WARM_UP_DEPTH = 64;

    @Override
    public void warmUp() {
        int depth = WARM_UP_DEPTH;
        int n = depth * 3 * L + 8 * L;
        float[] a = new float[n];
        float[] b = new float[n];
        float[] c = new float[16 * 3 * L];
        int[] off = new int[depth + 16];
        for (int i = 0; i < depth; i++) {
            off[i] = i;
        }
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            boolean add = (i & 1) == 0;
            shifted(depth, a, 0, b, 0, off, 0, c, 0, 3 * L, add);
            gathered(a, 0, off, 0, depth, b, 0, 2 * L, c, 0, 2 * L, add);
            rowDot(a, 0, off, 0, b, 0, off, 0, depth * L + 3, c, 0, add);
            copyRows(b, 0, L, c, 0, L + 1, 4, 1f);
            copyRows(b, 0, L, c, 0, 3, 8, 1f);
        }
    }

    @Override
    public int shiftedRows() {
        return WIDE ? 8 : 4;
    }

    @Override
    public int shiftedCols() {
        return 3 * L;
    }

    @Override
    public int rowDotChannels() {
        return WIDE ? 4 : 2;
    }

    @Override
    public int rowDotTaps() {
        return WIDE ? 6 : 4;
    }

    @Override
    public int gatheredRows() {
        return WIDE ? 12 : 6;
    }

    @Override
    public int gatheredCols() {
        return 2 * L;
    }

    @Override
    public int lanes() {
        return L;
    }

    @Override
    public void copyRows(float[] src, int srcPos, int srcPitch, float[] dst, int dstPos, int width, int rows, float bias) {
        if (width >= L) { // a row's last vector overlaps the one before it instead of a scalar tail
            copyRowsPreferred(src, srcPos, srcPitch, dst, dstPos, width, rows, bias);
            return;
        }
        // narrower rows: a whole vector per row, whose lanes past the row are overwritten by the rows after it; the
        // last rows, whose vector would reach past the destination range, are copied by scalar code. (256-bit vectors for
        // these rows, next to 512-bit ones elsewhere, made C2 stop compiling the Vector API calls of every tile in
        // this class: a 3.4 ms convolution took 40 to 88 ms.)
        int r = 0;
        if (srcPitch >= L) {
            for (; r * width + L <= rows * width; r++) {
                FloatVector.fromArray(S, src, srcPos + r * srcPitch).add(bias).intoArray(dst, dstPos + r * width);
            }
        }
        for (; r < rows; r++) {
            for (int w = 0; w < width; w++) {
                dst[dstPos + r * width + w] = src[srcPos + r * srcPitch + w] + bias;
            }
        }
    }

    @SuppressWarnings("java:S107")
    private static void copyRowsPreferred(float[] src, int srcPos, int srcPitch, float[] dst, int dstPos, int width, int rows,
                                 float bias) {
        int lanes = S.length();
        int last = width - lanes;
        for (int r = 0; r < rows; r++) {
            int s = srcPos + r * srcPitch;
            int d = dstPos + r * width;
            for (int w = 0; w < last; w += lanes) {
                FloatVector.fromArray(S, src, s + w).add(bias).intoArray(dst, d + w);
            }
            FloatVector.fromArray(S, src, s + last).add(bias).intoArray(dst, d + last);
        }
    }

    @Override
    public void shifted(int depth, float[] a, int ai, float[] b, int bBase, int[] off, int offStart, float[] c, int ci,
                        int ldc, boolean add) {
        if (WIDE) {
            shifted8x3(depth, a, ai, b, bBase, off, offStart, c, ci, ldc, add);
        } else {
            shifted4x3(depth, a, ai, b, bBase, off, offStart, c, ci, ldc, add);
        }
    }

    @Override
    public void gathered(float[] x, int xBase, int[] rows, int r0, int count, float[] dyT, int dyBase, int ldg, float[] c,
                         int ci, int ldc, boolean add) {
        if (WIDE) {
            gathered12x2(x, xBase, rows, r0, count, dyT, dyBase, ldg, c, ci, ldc, add);
        } else {
            gathered6x2(x, xBase, rows, r0, count, dyT, dyBase, ldg, c, ci, ldc, add);
        }
    }

    @Override
    public void rowDot(float[] x, int xBase, int[] taps, int p0, float[] dy, int dyBase, int[] chans, int k0, int count,
                       float[] sums, int si, boolean add) {
        // the tail in its own method: C2 stops inlining the Vector API calls past a node budget
        int end = count - count % L;
        if (WIDE) {
            rowDot4x6(x, xBase, taps, p0, dy, dyBase, chans, k0, end, sums, si, add);
            if (end < count) {
                rowDotTail4x6(x, xBase, taps, p0, dy, dyBase, chans, k0, end, count - end, sums, si, add || end > 0);
            }
        } else {
            rowDot2x4(x, xBase, taps, p0, dy, dyBase, chans, k0, end, sums, si, add);
            if (end < count) {
                rowDotTail2x4(x, xBase, taps, p0, dy, dyBase, chans, k0, end, count - end, sums, si, add || end > 0);
            }
        }
    }

    @SuppressWarnings("java:S107")
    private static void shifted8x3(int depth, float[] a, int ai, float[] b, int bBase, int[] off, int offStart,
                                   float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero.blend(FloatVector.fromArray(S, c, ci), keep); FloatVector c01 = zero.blend(FloatVector.fromArray(S, c, ci + L), keep); FloatVector c02 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * L), keep);
        FloatVector c10 = zero.blend(FloatVector.fromArray(S, c, ci + ldc), keep); FloatVector c11 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + L), keep); FloatVector c12 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + 2 * L), keep);
        FloatVector c20 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc), keep); FloatVector c21 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + L), keep); FloatVector c22 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L), keep);
        FloatVector c30 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc), keep); FloatVector c31 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + L), keep); FloatVector c32 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L), keep);
        FloatVector c40 = zero.blend(FloatVector.fromArray(S, c, ci + 4 * ldc), keep); FloatVector c41 = zero.blend(FloatVector.fromArray(S, c, ci + 4 * ldc + L), keep); FloatVector c42 = zero.blend(FloatVector.fromArray(S, c, ci + 4 * ldc + 2 * L), keep);
        FloatVector c50 = zero.blend(FloatVector.fromArray(S, c, ci + 5 * ldc), keep); FloatVector c51 = zero.blend(FloatVector.fromArray(S, c, ci + 5 * ldc + L), keep); FloatVector c52 = zero.blend(FloatVector.fromArray(S, c, ci + 5 * ldc + 2 * L), keep);
        FloatVector c60 = zero.blend(FloatVector.fromArray(S, c, ci + 6 * ldc), keep); FloatVector c61 = zero.blend(FloatVector.fromArray(S, c, ci + 6 * ldc + L), keep); FloatVector c62 = zero.blend(FloatVector.fromArray(S, c, ci + 6 * ldc + 2 * L), keep);
        FloatVector c70 = zero.blend(FloatVector.fromArray(S, c, ci + 7 * ldc), keep); FloatVector c71 = zero.blend(FloatVector.fromArray(S, c, ci + 7 * ldc + L), keep); FloatVector c72 = zero.blend(FloatVector.fromArray(S, c, ci + 7 * ldc + 2 * L), keep);
        for (int p = offStart, end = offStart + depth, ap = ai; p < end; p++, ap += 8) {
            int bp = bBase + off[p];
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(S, a[ap + 4]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(S, a[ap + 5]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52);
            FloatVector a6 = FloatVector.broadcast(S, a[ap + 6]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61); c62 = a6.fma(b2, c62);
            FloatVector a7 = FloatVector.broadcast(S, a[ap + 7]);
            c70 = a7.fma(b0, c70); c71 = a7.fma(b1, c71); c72 = a7.fma(b2, c72);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + L); c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, ci + ldc); c11.intoArray(c, ci + ldc + L); c12.intoArray(c, ci + ldc + 2 * L);
        c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L); c22.intoArray(c, ci + 2 * ldc + 2 * L);
        c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L); c32.intoArray(c, ci + 3 * ldc + 2 * L);
        c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L); c42.intoArray(c, ci + 4 * ldc + 2 * L);
        c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L); c52.intoArray(c, ci + 5 * ldc + 2 * L);
        c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L); c62.intoArray(c, ci + 6 * ldc + 2 * L);
        c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L); c72.intoArray(c, ci + 7 * ldc + 2 * L);
    }

    @SuppressWarnings("java:S107")
    private static void shifted4x3(int depth, float[] a, int ai, float[] b, int bBase, int[] off, int offStart,
                                   float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero.blend(FloatVector.fromArray(S, c, ci), keep); FloatVector c01 = zero.blend(FloatVector.fromArray(S, c, ci + L), keep); FloatVector c02 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * L), keep);
        FloatVector c10 = zero.blend(FloatVector.fromArray(S, c, ci + ldc), keep); FloatVector c11 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + L), keep); FloatVector c12 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + 2 * L), keep);
        FloatVector c20 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc), keep); FloatVector c21 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + L), keep); FloatVector c22 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L), keep);
        FloatVector c30 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc), keep); FloatVector c31 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + L), keep); FloatVector c32 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L), keep);
        for (int p = offStart, end = offStart + depth, ap = ai; p < end; p++, ap += 4) {
            int bp = bBase + off[p];
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ap]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[ap + 1]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[ap + 2]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[ap + 3]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + L); c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, ci + ldc); c11.intoArray(c, ci + ldc + L); c12.intoArray(c, ci + ldc + 2 * L);
        c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L); c22.intoArray(c, ci + 2 * ldc + 2 * L);
        c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L); c32.intoArray(c, ci + 3 * ldc + 2 * L);
    }

    @SuppressWarnings("java:S107")
    private static void gathered12x2(float[] x, int xBase, int[] rows, int r0, int count, float[] g, int gBase, int ldg,
                                     float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero.blend(FloatVector.fromArray(S, c, ci), keep); FloatVector c01 = zero.blend(FloatVector.fromArray(S, c, ci + L), keep);
        FloatVector c10 = zero.blend(FloatVector.fromArray(S, c, ci + ldc), keep); FloatVector c11 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + L), keep);
        FloatVector c20 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc), keep); FloatVector c21 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + L), keep);
        FloatVector c30 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc), keep); FloatVector c31 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + L), keep);
        FloatVector c40 = zero.blend(FloatVector.fromArray(S, c, ci + 4 * ldc), keep); FloatVector c41 = zero.blend(FloatVector.fromArray(S, c, ci + 4 * ldc + L), keep);
        FloatVector c50 = zero.blend(FloatVector.fromArray(S, c, ci + 5 * ldc), keep); FloatVector c51 = zero.blend(FloatVector.fromArray(S, c, ci + 5 * ldc + L), keep);
        FloatVector c60 = zero.blend(FloatVector.fromArray(S, c, ci + 6 * ldc), keep); FloatVector c61 = zero.blend(FloatVector.fromArray(S, c, ci + 6 * ldc + L), keep);
        FloatVector c70 = zero.blend(FloatVector.fromArray(S, c, ci + 7 * ldc), keep); FloatVector c71 = zero.blend(FloatVector.fromArray(S, c, ci + 7 * ldc + L), keep);
        FloatVector c80 = zero.blend(FloatVector.fromArray(S, c, ci + 8 * ldc), keep); FloatVector c81 = zero.blend(FloatVector.fromArray(S, c, ci + 8 * ldc + L), keep);
        FloatVector c90 = zero.blend(FloatVector.fromArray(S, c, ci + 9 * ldc), keep); FloatVector c91 = zero.blend(FloatVector.fromArray(S, c, ci + 9 * ldc + L), keep);
        FloatVector c100 = zero.blend(FloatVector.fromArray(S, c, ci + 10 * ldc), keep); FloatVector c101 = zero.blend(FloatVector.fromArray(S, c, ci + 10 * ldc + L), keep);
        FloatVector c110 = zero.blend(FloatVector.fromArray(S, c, ci + 11 * ldc), keep); FloatVector c111 = zero.blend(FloatVector.fromArray(S, c, ci + 11 * ldc + L), keep);
        int x0 = xBase + rows[r0];
        int x1 = xBase + rows[r0 + 1];
        int x2 = xBase + rows[r0 + 2];
        int x3 = xBase + rows[r0 + 3];
        int x4 = xBase + rows[r0 + 4];
        int x5 = xBase + rows[r0 + 5];
        int x6 = xBase + rows[r0 + 6];
        int x7 = xBase + rows[r0 + 7];
        int x8 = xBase + rows[r0 + 8];
        int x9 = xBase + rows[r0 + 9];
        int x10 = xBase + rows[r0 + 10];
        int x11 = xBase + rows[r0 + 11];
        for (int o = 0, gp = gBase; o < count; o++, gp += ldg) {
            FloatVector g0 = FloatVector.fromArray(S, g, gp);
            FloatVector g1 = FloatVector.fromArray(S, g, gp + L);
            FloatVector a0 = FloatVector.broadcast(S, x[x0 + o]);
            c00 = a0.fma(g0, c00); c01 = a0.fma(g1, c01);
            FloatVector a1 = FloatVector.broadcast(S, x[x1 + o]);
            c10 = a1.fma(g0, c10); c11 = a1.fma(g1, c11);
            FloatVector a2 = FloatVector.broadcast(S, x[x2 + o]);
            c20 = a2.fma(g0, c20); c21 = a2.fma(g1, c21);
            FloatVector a3 = FloatVector.broadcast(S, x[x3 + o]);
            c30 = a3.fma(g0, c30); c31 = a3.fma(g1, c31);
            FloatVector a4 = FloatVector.broadcast(S, x[x4 + o]);
            c40 = a4.fma(g0, c40); c41 = a4.fma(g1, c41);
            FloatVector a5 = FloatVector.broadcast(S, x[x5 + o]);
            c50 = a5.fma(g0, c50); c51 = a5.fma(g1, c51);
            FloatVector a6 = FloatVector.broadcast(S, x[x6 + o]);
            c60 = a6.fma(g0, c60); c61 = a6.fma(g1, c61);
            FloatVector a7 = FloatVector.broadcast(S, x[x7 + o]);
            c70 = a7.fma(g0, c70); c71 = a7.fma(g1, c71);
            FloatVector a8 = FloatVector.broadcast(S, x[x8 + o]);
            c80 = a8.fma(g0, c80); c81 = a8.fma(g1, c81);
            FloatVector a9 = FloatVector.broadcast(S, x[x9 + o]);
            c90 = a9.fma(g0, c90); c91 = a9.fma(g1, c91);
            FloatVector a10 = FloatVector.broadcast(S, x[x10 + o]);
            c100 = a10.fma(g0, c100); c101 = a10.fma(g1, c101);
            FloatVector a11 = FloatVector.broadcast(S, x[x11 + o]);
            c110 = a11.fma(g0, c110); c111 = a11.fma(g1, c111);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc); c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc); c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc); c71.intoArray(c, ci + 7 * ldc + L);
        c80.intoArray(c, ci + 8 * ldc); c81.intoArray(c, ci + 8 * ldc + L);
        c90.intoArray(c, ci + 9 * ldc); c91.intoArray(c, ci + 9 * ldc + L);
        c100.intoArray(c, ci + 10 * ldc); c101.intoArray(c, ci + 10 * ldc + L);
        c110.intoArray(c, ci + 11 * ldc); c111.intoArray(c, ci + 11 * ldc + L);
    }

    @SuppressWarnings("java:S107")
    private static void gathered6x2(float[] x, int xBase, int[] rows, int r0, int count, float[] g, int gBase, int ldg,
                                     float[] c, int ci, int ldc, boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero.blend(FloatVector.fromArray(S, c, ci), keep); FloatVector c01 = zero.blend(FloatVector.fromArray(S, c, ci + L), keep);
        FloatVector c10 = zero.blend(FloatVector.fromArray(S, c, ci + ldc), keep); FloatVector c11 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + L), keep);
        FloatVector c20 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc), keep); FloatVector c21 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + L), keep);
        FloatVector c30 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc), keep); FloatVector c31 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + L), keep);
        FloatVector c40 = zero.blend(FloatVector.fromArray(S, c, ci + 4 * ldc), keep); FloatVector c41 = zero.blend(FloatVector.fromArray(S, c, ci + 4 * ldc + L), keep);
        FloatVector c50 = zero.blend(FloatVector.fromArray(S, c, ci + 5 * ldc), keep); FloatVector c51 = zero.blend(FloatVector.fromArray(S, c, ci + 5 * ldc + L), keep);
        int x0 = xBase + rows[r0];
        int x1 = xBase + rows[r0 + 1];
        int x2 = xBase + rows[r0 + 2];
        int x3 = xBase + rows[r0 + 3];
        int x4 = xBase + rows[r0 + 4];
        int x5 = xBase + rows[r0 + 5];
        for (int o = 0, gp = gBase; o < count; o++, gp += ldg) {
            FloatVector g0 = FloatVector.fromArray(S, g, gp);
            FloatVector g1 = FloatVector.fromArray(S, g, gp + L);
            FloatVector a0 = FloatVector.broadcast(S, x[x0 + o]);
            c00 = a0.fma(g0, c00); c01 = a0.fma(g1, c01);
            FloatVector a1 = FloatVector.broadcast(S, x[x1 + o]);
            c10 = a1.fma(g0, c10); c11 = a1.fma(g1, c11);
            FloatVector a2 = FloatVector.broadcast(S, x[x2 + o]);
            c20 = a2.fma(g0, c20); c21 = a2.fma(g1, c21);
            FloatVector a3 = FloatVector.broadcast(S, x[x3 + o]);
            c30 = a3.fma(g0, c30); c31 = a3.fma(g1, c31);
            FloatVector a4 = FloatVector.broadcast(S, x[x4 + o]);
            c40 = a4.fma(g0, c40); c41 = a4.fma(g1, c41);
            FloatVector a5 = FloatVector.broadcast(S, x[x5 + o]);
            c50 = a5.fma(g0, c50); c51 = a5.fma(g1, c51);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc); c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc); c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc); c51.intoArray(c, ci + 5 * ldc + L);
    }

    @SuppressWarnings("java:S107")
    private static void rowDot4x6(float[] x, int xBase, int[] taps, int p0, float[] dy, int dyBase, int[] chans, int k0,
                                  int end, float[] sums, int si, boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector s00 = zero.blend(FloatVector.fromArray(S, sums, si + 0 * L), keep); FloatVector s01 = zero.blend(FloatVector.fromArray(S, sums, si + 1 * L), keep); FloatVector s02 = zero.blend(FloatVector.fromArray(S, sums, si + 2 * L), keep); FloatVector s03 = zero.blend(FloatVector.fromArray(S, sums, si + 3 * L), keep); FloatVector s04 = zero.blend(FloatVector.fromArray(S, sums, si + 4 * L), keep); FloatVector s05 = zero.blend(FloatVector.fromArray(S, sums, si + 5 * L), keep);
        FloatVector s10 = zero.blend(FloatVector.fromArray(S, sums, si + 6 * L), keep); FloatVector s11 = zero.blend(FloatVector.fromArray(S, sums, si + 7 * L), keep); FloatVector s12 = zero.blend(FloatVector.fromArray(S, sums, si + 8 * L), keep); FloatVector s13 = zero.blend(FloatVector.fromArray(S, sums, si + 9 * L), keep); FloatVector s14 = zero.blend(FloatVector.fromArray(S, sums, si + 10 * L), keep); FloatVector s15 = zero.blend(FloatVector.fromArray(S, sums, si + 11 * L), keep);
        FloatVector s20 = zero.blend(FloatVector.fromArray(S, sums, si + 12 * L), keep); FloatVector s21 = zero.blend(FloatVector.fromArray(S, sums, si + 13 * L), keep); FloatVector s22 = zero.blend(FloatVector.fromArray(S, sums, si + 14 * L), keep); FloatVector s23 = zero.blend(FloatVector.fromArray(S, sums, si + 15 * L), keep); FloatVector s24 = zero.blend(FloatVector.fromArray(S, sums, si + 16 * L), keep); FloatVector s25 = zero.blend(FloatVector.fromArray(S, sums, si + 17 * L), keep);
        FloatVector s30 = zero.blend(FloatVector.fromArray(S, sums, si + 18 * L), keep); FloatVector s31 = zero.blend(FloatVector.fromArray(S, sums, si + 19 * L), keep); FloatVector s32 = zero.blend(FloatVector.fromArray(S, sums, si + 20 * L), keep); FloatVector s33 = zero.blend(FloatVector.fromArray(S, sums, si + 21 * L), keep); FloatVector s34 = zero.blend(FloatVector.fromArray(S, sums, si + 22 * L), keep); FloatVector s35 = zero.blend(FloatVector.fromArray(S, sums, si + 23 * L), keep);
        int d0 = dyBase + chans[k0];
        int d1 = dyBase + chans[k0 + 1];
        int d2 = dyBase + chans[k0 + 2];
        int d3 = dyBase + chans[k0 + 3];
        int t0 = xBase + taps[p0];
        int t1 = xBase + taps[p0 + 1];
        int t2 = xBase + taps[p0 + 2];
        int t3 = xBase + taps[p0 + 3];
        int t4 = xBase + taps[p0 + 4];
        int t5 = xBase + taps[p0 + 5];
        for (int o = 0; o < end; o += L) {
            FloatVector g0 = FloatVector.fromArray(S, dy, d0 + o);
            FloatVector g1 = FloatVector.fromArray(S, dy, d1 + o);
            FloatVector g2 = FloatVector.fromArray(S, dy, d2 + o);
            FloatVector g3 = FloatVector.fromArray(S, dy, d3 + o);
            FloatVector x0 = FloatVector.fromArray(S, x, t0 + o);
            FloatVector x1 = FloatVector.fromArray(S, x, t1 + o);
            FloatVector x2 = FloatVector.fromArray(S, x, t2 + o);
            FloatVector x3 = FloatVector.fromArray(S, x, t3 + o);
            FloatVector x4 = FloatVector.fromArray(S, x, t4 + o);
            FloatVector x5 = FloatVector.fromArray(S, x, t5 + o);
            s00 = g0.fma(x0, s00); s01 = g0.fma(x1, s01); s02 = g0.fma(x2, s02); s03 = g0.fma(x3, s03); s04 = g0.fma(x4, s04); s05 = g0.fma(x5, s05);
            s10 = g1.fma(x0, s10); s11 = g1.fma(x1, s11); s12 = g1.fma(x2, s12); s13 = g1.fma(x3, s13); s14 = g1.fma(x4, s14); s15 = g1.fma(x5, s15);
            s20 = g2.fma(x0, s20); s21 = g2.fma(x1, s21); s22 = g2.fma(x2, s22); s23 = g2.fma(x3, s23); s24 = g2.fma(x4, s24); s25 = g2.fma(x5, s25);
            s30 = g3.fma(x0, s30); s31 = g3.fma(x1, s31); s32 = g3.fma(x2, s32); s33 = g3.fma(x3, s33); s34 = g3.fma(x4, s34); s35 = g3.fma(x5, s35);
        }
        s00.intoArray(sums, si + 0 * L); s01.intoArray(sums, si + 1 * L); s02.intoArray(sums, si + 2 * L); s03.intoArray(sums, si + 3 * L); s04.intoArray(sums, si + 4 * L); s05.intoArray(sums, si + 5 * L);
        s10.intoArray(sums, si + 6 * L); s11.intoArray(sums, si + 7 * L); s12.intoArray(sums, si + 8 * L); s13.intoArray(sums, si + 9 * L); s14.intoArray(sums, si + 10 * L); s15.intoArray(sums, si + 11 * L);
        s20.intoArray(sums, si + 12 * L); s21.intoArray(sums, si + 13 * L); s22.intoArray(sums, si + 14 * L); s23.intoArray(sums, si + 15 * L); s24.intoArray(sums, si + 16 * L); s25.intoArray(sums, si + 17 * L);
        s30.intoArray(sums, si + 18 * L); s31.intoArray(sums, si + 19 * L); s32.intoArray(sums, si + 20 * L); s33.intoArray(sums, si + 21 * L); s34.intoArray(sums, si + 22 * L); s35.intoArray(sums, si + 23 * L);
    }

    @SuppressWarnings("java:S107")
    private static void rowDotTail4x6(float[] x, int xBase, int[] taps, int p0, float[] dy, int dyBase, int[] chans, int k0,
                                      int o, int lanes, float[] sums, int si, boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector s00 = zero.blend(FloatVector.fromArray(S, sums, si + 0 * L), keep); FloatVector s01 = zero.blend(FloatVector.fromArray(S, sums, si + 1 * L), keep); FloatVector s02 = zero.blend(FloatVector.fromArray(S, sums, si + 2 * L), keep); FloatVector s03 = zero.blend(FloatVector.fromArray(S, sums, si + 3 * L), keep); FloatVector s04 = zero.blend(FloatVector.fromArray(S, sums, si + 4 * L), keep); FloatVector s05 = zero.blend(FloatVector.fromArray(S, sums, si + 5 * L), keep);
        FloatVector s10 = zero.blend(FloatVector.fromArray(S, sums, si + 6 * L), keep); FloatVector s11 = zero.blend(FloatVector.fromArray(S, sums, si + 7 * L), keep); FloatVector s12 = zero.blend(FloatVector.fromArray(S, sums, si + 8 * L), keep); FloatVector s13 = zero.blend(FloatVector.fromArray(S, sums, si + 9 * L), keep); FloatVector s14 = zero.blend(FloatVector.fromArray(S, sums, si + 10 * L), keep); FloatVector s15 = zero.blend(FloatVector.fromArray(S, sums, si + 11 * L), keep);
        FloatVector s20 = zero.blend(FloatVector.fromArray(S, sums, si + 12 * L), keep); FloatVector s21 = zero.blend(FloatVector.fromArray(S, sums, si + 13 * L), keep); FloatVector s22 = zero.blend(FloatVector.fromArray(S, sums, si + 14 * L), keep); FloatVector s23 = zero.blend(FloatVector.fromArray(S, sums, si + 15 * L), keep); FloatVector s24 = zero.blend(FloatVector.fromArray(S, sums, si + 16 * L), keep); FloatVector s25 = zero.blend(FloatVector.fromArray(S, sums, si + 17 * L), keep);
        FloatVector s30 = zero.blend(FloatVector.fromArray(S, sums, si + 18 * L), keep); FloatVector s31 = zero.blend(FloatVector.fromArray(S, sums, si + 19 * L), keep); FloatVector s32 = zero.blend(FloatVector.fromArray(S, sums, si + 20 * L), keep); FloatVector s33 = zero.blend(FloatVector.fromArray(S, sums, si + 21 * L), keep); FloatVector s34 = zero.blend(FloatVector.fromArray(S, sums, si + 22 * L), keep); FloatVector s35 = zero.blend(FloatVector.fromArray(S, sums, si + 23 * L), keep);
        int d0 = dyBase + chans[k0];
        int d1 = dyBase + chans[k0 + 1];
        int d2 = dyBase + chans[k0 + 2];
        int d3 = dyBase + chans[k0 + 3];
        int t0 = xBase + taps[p0];
        int t1 = xBase + taps[p0 + 1];
        int t2 = xBase + taps[p0 + 2];
        int t3 = xBase + taps[p0 + 3];
        int t4 = xBase + taps[p0 + 4];
        int t5 = xBase + taps[p0 + 5];
        VectorMask<Float> m = S.indexInRange(0, lanes);
        FloatVector g0 = zero.blend(FloatVector.fromArray(S, dy, d0 + o), m);
        FloatVector g1 = zero.blend(FloatVector.fromArray(S, dy, d1 + o), m);
        FloatVector g2 = zero.blend(FloatVector.fromArray(S, dy, d2 + o), m);
        FloatVector g3 = zero.blend(FloatVector.fromArray(S, dy, d3 + o), m);
        FloatVector x0 = zero.blend(FloatVector.fromArray(S, x, t0 + o), m);
        FloatVector x1 = zero.blend(FloatVector.fromArray(S, x, t1 + o), m);
        FloatVector x2 = zero.blend(FloatVector.fromArray(S, x, t2 + o), m);
        FloatVector x3 = zero.blend(FloatVector.fromArray(S, x, t3 + o), m);
        FloatVector x4 = zero.blend(FloatVector.fromArray(S, x, t4 + o), m);
        FloatVector x5 = zero.blend(FloatVector.fromArray(S, x, t5 + o), m);
        s00 = g0.fma(x0, s00); s01 = g0.fma(x1, s01); s02 = g0.fma(x2, s02); s03 = g0.fma(x3, s03); s04 = g0.fma(x4, s04); s05 = g0.fma(x5, s05);
        s10 = g1.fma(x0, s10); s11 = g1.fma(x1, s11); s12 = g1.fma(x2, s12); s13 = g1.fma(x3, s13); s14 = g1.fma(x4, s14); s15 = g1.fma(x5, s15);
        s20 = g2.fma(x0, s20); s21 = g2.fma(x1, s21); s22 = g2.fma(x2, s22); s23 = g2.fma(x3, s23); s24 = g2.fma(x4, s24); s25 = g2.fma(x5, s25);
        s30 = g3.fma(x0, s30); s31 = g3.fma(x1, s31); s32 = g3.fma(x2, s32); s33 = g3.fma(x3, s33); s34 = g3.fma(x4, s34); s35 = g3.fma(x5, s35);
        s00.intoArray(sums, si + 0 * L); s01.intoArray(sums, si + 1 * L); s02.intoArray(sums, si + 2 * L); s03.intoArray(sums, si + 3 * L); s04.intoArray(sums, si + 4 * L); s05.intoArray(sums, si + 5 * L);
        s10.intoArray(sums, si + 6 * L); s11.intoArray(sums, si + 7 * L); s12.intoArray(sums, si + 8 * L); s13.intoArray(sums, si + 9 * L); s14.intoArray(sums, si + 10 * L); s15.intoArray(sums, si + 11 * L);
        s20.intoArray(sums, si + 12 * L); s21.intoArray(sums, si + 13 * L); s22.intoArray(sums, si + 14 * L); s23.intoArray(sums, si + 15 * L); s24.intoArray(sums, si + 16 * L); s25.intoArray(sums, si + 17 * L);
        s30.intoArray(sums, si + 18 * L); s31.intoArray(sums, si + 19 * L); s32.intoArray(sums, si + 20 * L); s33.intoArray(sums, si + 21 * L); s34.intoArray(sums, si + 22 * L); s35.intoArray(sums, si + 23 * L);
    }

    @SuppressWarnings("java:S107")
    private static void rowDot2x4(float[] x, int xBase, int[] taps, int p0, float[] dy, int dyBase, int[] chans, int k0,
                                  int end, float[] sums, int si, boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector s00 = zero.blend(FloatVector.fromArray(S, sums, si + 0 * L), keep); FloatVector s01 = zero.blend(FloatVector.fromArray(S, sums, si + 1 * L), keep); FloatVector s02 = zero.blend(FloatVector.fromArray(S, sums, si + 2 * L), keep); FloatVector s03 = zero.blend(FloatVector.fromArray(S, sums, si + 3 * L), keep);
        FloatVector s10 = zero.blend(FloatVector.fromArray(S, sums, si + 4 * L), keep); FloatVector s11 = zero.blend(FloatVector.fromArray(S, sums, si + 5 * L), keep); FloatVector s12 = zero.blend(FloatVector.fromArray(S, sums, si + 6 * L), keep); FloatVector s13 = zero.blend(FloatVector.fromArray(S, sums, si + 7 * L), keep);
        int d0 = dyBase + chans[k0];
        int d1 = dyBase + chans[k0 + 1];
        int t0 = xBase + taps[p0];
        int t1 = xBase + taps[p0 + 1];
        int t2 = xBase + taps[p0 + 2];
        int t3 = xBase + taps[p0 + 3];
        for (int o = 0; o < end; o += L) {
            FloatVector g0 = FloatVector.fromArray(S, dy, d0 + o);
            FloatVector g1 = FloatVector.fromArray(S, dy, d1 + o);
            FloatVector x0 = FloatVector.fromArray(S, x, t0 + o);
            FloatVector x1 = FloatVector.fromArray(S, x, t1 + o);
            FloatVector x2 = FloatVector.fromArray(S, x, t2 + o);
            FloatVector x3 = FloatVector.fromArray(S, x, t3 + o);
            s00 = g0.fma(x0, s00); s01 = g0.fma(x1, s01); s02 = g0.fma(x2, s02); s03 = g0.fma(x3, s03);
            s10 = g1.fma(x0, s10); s11 = g1.fma(x1, s11); s12 = g1.fma(x2, s12); s13 = g1.fma(x3, s13);
        }
        s00.intoArray(sums, si + 0 * L); s01.intoArray(sums, si + 1 * L); s02.intoArray(sums, si + 2 * L); s03.intoArray(sums, si + 3 * L);
        s10.intoArray(sums, si + 4 * L); s11.intoArray(sums, si + 5 * L); s12.intoArray(sums, si + 6 * L); s13.intoArray(sums, si + 7 * L);
    }

    @SuppressWarnings("java:S107")
    private static void rowDotTail2x4(float[] x, int xBase, int[] taps, int p0, float[] dy, int dyBase, int[] chans, int k0,
                                      int o, int lanes, float[] sums, int si, boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector s00 = zero.blend(FloatVector.fromArray(S, sums, si + 0 * L), keep); FloatVector s01 = zero.blend(FloatVector.fromArray(S, sums, si + 1 * L), keep); FloatVector s02 = zero.blend(FloatVector.fromArray(S, sums, si + 2 * L), keep); FloatVector s03 = zero.blend(FloatVector.fromArray(S, sums, si + 3 * L), keep);
        FloatVector s10 = zero.blend(FloatVector.fromArray(S, sums, si + 4 * L), keep); FloatVector s11 = zero.blend(FloatVector.fromArray(S, sums, si + 5 * L), keep); FloatVector s12 = zero.blend(FloatVector.fromArray(S, sums, si + 6 * L), keep); FloatVector s13 = zero.blend(FloatVector.fromArray(S, sums, si + 7 * L), keep);
        int d0 = dyBase + chans[k0];
        int d1 = dyBase + chans[k0 + 1];
        int t0 = xBase + taps[p0];
        int t1 = xBase + taps[p0 + 1];
        int t2 = xBase + taps[p0 + 2];
        int t3 = xBase + taps[p0 + 3];
        VectorMask<Float> m = S.indexInRange(0, lanes);
        FloatVector g0 = zero.blend(FloatVector.fromArray(S, dy, d0 + o), m);
        FloatVector g1 = zero.blend(FloatVector.fromArray(S, dy, d1 + o), m);
        FloatVector x0 = zero.blend(FloatVector.fromArray(S, x, t0 + o), m);
        FloatVector x1 = zero.blend(FloatVector.fromArray(S, x, t1 + o), m);
        FloatVector x2 = zero.blend(FloatVector.fromArray(S, x, t2 + o), m);
        FloatVector x3 = zero.blend(FloatVector.fromArray(S, x, t3 + o), m);
        s00 = g0.fma(x0, s00); s01 = g0.fma(x1, s01); s02 = g0.fma(x2, s02); s03 = g0.fma(x3, s03);
        s10 = g1.fma(x0, s10); s11 = g1.fma(x1, s11); s12 = g1.fma(x2, s12); s13 = g1.fma(x3, s13);
        s00.intoArray(sums, si + 0 * L); s01.intoArray(sums, si + 1 * L); s02.intoArray(sums, si + 2 * L); s03.intoArray(sums, si + 3 * L);
        s10.intoArray(sums, si + 4 * L); s11.intoArray(sums, si + 5 * L); s12.intoArray(sums, si + 6 * L); s13.intoArray(sums, si + 7 * L);
    }
}
