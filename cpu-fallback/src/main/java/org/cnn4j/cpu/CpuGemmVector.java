package org.cnn4j.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API block kernel of {@link CpuGemm}: the loops of Goto and van de Geijn ("Anatomy of
 * high-performance matrix multiplication", ACM TOMS 2008) around a register-tiled micro-kernel,
 * <pre>
 *   for jc in steps of NC over the columns:     pack alpha * op(B)[pc:pc+KC, jc:jc+NC] into NR-wide panels
 *     for pc in steps of KC over the depth:
 *       for each block of MC rows:
 *         for jr over the panels:                (one B panel, KC x NR, stays in L1)
 *           for ir in steps of MR over the rows:  micro-kernel: C[ir:ir+MR, jr:jr+NR] += op(A) * panel
 * </pre>
 * The micro-kernel holds an {@code MR x NR} tile of C in vector registers ({@code NR} = three vectors of the
 * JVM's preferred width; {@code MR} = 8 with vectors of 16 floats or more (AVX-512, 32 registers), else 4:
 * 24 or 12 accumulators) and, per depth step, loads three vectors of the panel and broadcasts {@code MR} values
 * of op(A). op(A) is read in place, never packed: row {@code r} of a tile is a run of the stored A when A is not
 * transposed ({@link #rows8x3}: one pointer per row), and the {@code MR} values of a depth step are adjacent
 * when it is ({@link #panel8x3}: one pointer, advanced by {@code lda}); an edge tile of fewer rows is copied into
 * a zero-padded panel first. Edge columns are zeros in the packed panels; an edge tile is computed into a
 * buffer and only its valid part added to C. All vector code of a tile sits in one method: C2 compiles a method
 * only up to a node budget, and a vector that crosses a call it did not inline is boxed on the heap.
 *
 * <p>A single product large enough for every thread ({@link #multiplyAll}) packs each B block once, in parallel
 * over panels, and shares it: the threads then take blocks of rows (and ranges of panels when there are few row
 * blocks). When all of op(B) packed fits {@link #WHOLE_B} (the fully connected layers of a small network), it is packed
 * at once, so a call costs two parallel loops instead of two per block: waking a parked worker takes about 45 us in
 * this kind of virtual machine, a large share of a 0.3 ms product. Smaller or batched products, and products
 * {@code A B^T} (see {@link #splitsSingleProduct}), run {@link #multiply} on pieces that {@link CpuGemm} gives each
 * thread.
 *
 * <p>This class is loaded only when the module {@code jdk.incubator.vector} is present
 * ({@link CpuGemmKernels}). Results differ from {@link CpuGemmPlain} by rounding only (fused multiply-add,
 * a different summation order over the depth); for the same sizes they do not depend on the number of threads.
 */
final class CpuGemmVector implements CpuGemm.BlockKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = S.length();
    private static final boolean WIDE = L >= 16;
    /** Rows of the register tile. */
    static final int MR = WIDE ? 8 : 4;
    /** Columns of the register tile: three vectors. */
    static final int NR = 3 * L;
    /** Depth of one packed block: a KC x NR panel stays in L1. */
    static final int KC = 192;
    /** Rows of op(A) one task multiplies by a B block (their KC-deep slice stays in L2; a multiple of MR). */
    static final int MC = 12 * MR;
    /** Columns of op(B) packed at a time (a multiple of NR). */
    static final int NC = 32 * NR;
    /**
     * Most floats of a whole packed op(B) that {@link #multiplyAll} packs at once (2 MiB): a product whose
     * op(B) fits (the layers of a small fully connected network) costs two parallel loops, not two per block.
     */
    static final int WHOLE_B = 1 << 19;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Buffers of one thread. */
    private static final class Workspace {
        final float[] b = new float[KC * NC];
        final float[] shared = new float[KC * NC];
        final float[] edgeA = new float[KC * MR];
        final float[] acc = new float[MR * NR];
        private float[] whole;

        /** The buffer for a whole packed op(B), allocated on first use. */
        float[] whole() {
            if (whole == null) {
                whole = new float[WHOLE_B];
            }
            return whole;
        }
    }

    @Override
    public String name() {
        return "vector" + L * Float.SIZE + " " + MR + "x" + NR;
    }

    @Override
    public void multiply(CpuGemm.Call g, int bi, int i0, int i1, int j0, int j1, boolean overwrite) {
        Workspace ws = WORKSPACE.get();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            int panels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < g.k(); pc += KC) {
                int kc = Math.min(KC, g.k() - pc);
                packB(g, bi, pc, kc, jc, nc, 0, panels, ws.b, 0);
                block(g, bi, i0, i1, 0, panels, pc, kc, jc, nc, ws.b, 0, overwrite && pc == 0, ws);
            }
        }
    }

    /**
     * Every single product except {@code A B^T}: B transposed and A not. Packing a transposed B reads it across its
     * rows and costs about as much as a third of the multiplications when the product is small (for the fully
     * connected layer {@code [64 x 3136] [128 x 3136]^T}: 184 of 495 us on one thread); a block packed by the thread
     * that multiplies it is still in that core's cache, one packed for all threads is not. Measured on 2 threads,
     * {@code A B^T} ran 1.2 to 2.2 times faster split into {@link CpuGemm}'s pieces, each thread packing its own
     * columns, than with a shared packed B (64 x 128 x 3136: 430 against 750-940 us; 288 x 64 x 12544: 3.1 against
     * 4.1 ms; 512 x 512 x 1024: 2.1 against 2.6 ms), while the other three transpositions ran faster shared (up to 1.2
     * times, 2048 x 2048 x 2048: 321 against 269 GFLOP/s).
     */
    @Override
    public boolean splitsSingleProduct(CpuGemm.Call g) {
        return g.transA() || !g.transB();
    }

    /**
     * {@code C = (overwrite ? 0 : C) + alpha op(A) op(B)} for a single product ({@code batch == 1}), on every thread:
     * each B block is packed once, in parallel, into the calling thread's shared buffer; the row blocks (and, when
     * they are fewer than twice the threads, ranges of panels) are then split over the threads.
     */
    @Override
    public void multiplyAll(CpuGemm.Call g, boolean overwrite) {
        if ((long) g.k() * CpuGemm.ceilDiv(g.n(), NR) * NR <= WHOLE_B) {
            multiplyWhole(g, overwrite);
            return;
        }
        float[] shared = WORKSPACE.get().shared;
        int m = g.m();
        int rowBlocks = (m + MC - 1) / MC;
        int threads = CpuParallel.threads();
        for (int jc = 0; jc < g.n(); jc += NC) {
            int nc = Math.min(NC, g.n() - jc);
            int panels = (nc + NR - 1) / NR;
            int panelGroups = Math.min(panels, Math.max(1, (2 * threads + rowBlocks - 1) / rowBlocks));
            for (int pc = 0; pc < g.k(); pc += KC) {
                int kc = Math.min(KC, g.k() - pc);
                int jcAt = jc;
                int pcAt = pc;
                CpuParallel.parallelFor(0, panels, 2, (from, to) -> packB(g, 0, pcAt, kc, jcAt, nc, (int) from, (int) to, shared, 0));
                boolean first = overwrite && pc == 0;
                CpuParallel.parallelFor(0, (long) rowBlocks * panelGroups, 1, (from, to) -> {
                    Workspace ws = WORKSPACE.get();
                    for (long task = from; task < to; task++) {
                        int rb = (int) (task / panelGroups);
                        int pg = (int) (task % panelGroups);
                        block(g, 0, rb * MC, Math.min(m, (rb + 1) * MC), panels * pg / panelGroups,
                                panels * (pg + 1) / panelGroups, pcAt, kc, jcAt, nc, shared, 0, first, ws);
                    }
                });
            }
        }
    }

    /**
     * {@link #multiplyAll} when the whole packed op(B) fits {@link #WHOLE_B}: one parallel loop packs every depth
     * block (block {@code pc} at {@code pc * panels * NR}), one multiplies. Its tasks are (group of row tiles, panel)
     * pairs, at least four per thread, each running through the whole depth.
     */
    private static void multiplyWhole(CpuGemm.Call g, boolean overwrite) {
        int m = g.m();
        int n = g.n();
        int k = g.k();
        int panels = CpuGemm.ceilDiv(n, NR);
        int depthBlocks = CpuGemm.ceilDiv(k, KC);
        float[] packed = WORKSPACE.get().whole();
        CpuParallel.parallelFor(0, (long) depthBlocks * panels, 2, (from, to) -> {
            for (long task = from; task < to; task++) {
                int pc = (int) (task / panels) * KC;
                int jp = (int) (task % panels);
                packB(g, 0, pc, Math.min(KC, k - pc), 0, n, jp, jp + 1, packed, pc * panels * NR);
            }
        });
        int rowTiles = CpuGemm.ceilDiv(m, MR);
        int rowGroups = Math.min(rowTiles, Math.max(CpuGemm.ceilDiv(rowTiles, MC / MR), CpuGemm.ceilDiv(4 * CpuParallel.threads(), panels)));
        CpuParallel.parallelFor(0, (long) rowGroups * panels, 1, (from, to) -> {
            Workspace ws = WORKSPACE.get();
            for (long task = from; task < to; task++) {
                int group = (int) (task / panels);
                int jp = (int) (task % panels);
                int i0 = rowTiles * group / rowGroups * MR;
                int i1 = Math.min(m, rowTiles * (group + 1) / rowGroups * MR);
                for (int pc = 0; pc < k; pc += KC) {
                    block(g, 0, i0, i1, jp, jp + 1, pc, Math.min(KC, k - pc), 0, n, packed, pc * panels * NR,
                            overwrite && pc == 0, ws);
                }
            }
        });
    }

    /**
     * Multiplies rows {@code [i0, i1)} of op(A), depth {@code [pc, pc + kc)}, by panels {@code [jp0, jp1)} of the
     * packed B block at {@code packed[packedOff]} that starts at column {@code jc}, into C; C is overwritten when
     * {@code first}.
     */
    @SuppressWarnings("java:S107")
    private static void block(CpuGemm.Call g, int bi, int i0, int i1, int jp0, int jp1, int pc, int kc, int jc, int nc,
                              float[] packed, int packedOff, boolean first, Workspace ws) {
        int aBase = (int) (g.aOff() + bi * g.strideA());
        int cBase = (int) (g.cOff() + bi * g.strideC());
        int lda = g.lda();
        int ldc = g.ldc();
        for (int jp = jp0; jp < jp1; jp++) {
            int col = jp * NR;
            int cols = Math.min(NR, nc - col);
            int panel = packedOff + jp * kc * NR;
            for (int ir = i0; ir < i1; ir += MR) {
                int rows = Math.min(MR, i1 - ir);
                int ci = cBase + ir * ldc + jc + col;
                if (rows == MR && cols == NR) {
                    tile(g, aBase, ir, pc, kc, packed, panel, g.c(), ci, ldc, !first);
                    continue;
                }
                if (rows == MR) {
                    tile(g, aBase, ir, pc, kc, packed, panel, ws.acc, 0, NR, false);
                } else {
                    packEdgeRows(g, aBase, ir, rows, pc, kc, ws.edgeA);
                    panelTile(kc, ws.edgeA, 0, MR, packed, panel, ws.acc, 0, NR, false);
                }
                for (int r = 0; r < rows; r++) {
                    int row = ci + r * ldc;
                    if (first) {
                        System.arraycopy(ws.acc, r * NR, g.c(), row, cols);
                    } else {
                        for (int j = 0; j < cols; j++) {
                            g.c()[row + j] += ws.acc[r * NR + j];
                        }
                    }
                }
            }
        }
    }

    /** A full-height tile of op(A) rows {@code [ir, ir + MR)}, read in place, times one packed panel. */
    @SuppressWarnings("java:S107")
    private static void tile(CpuGemm.Call g, int aBase, int ir, int pc, int kc, float[] b, int bi, float[] c, int ci,
                             int ldc, boolean add) {
        if (g.transA()) { // op(A)[i, p] = a[p lda + i]: the MR values of a depth step are adjacent
            panelTile(kc, g.a(), aBase + pc * g.lda() + ir, g.lda(), b, bi, c, ci, ldc, add);
        } else if (WIDE) {
            rows8x3(kc, g.a(), aBase + ir * g.lda() + pc, g.lda(), b, bi, c, ci, ldc, add);
        } else {
            rows4x3(kc, g.a(), aBase + ir * g.lda() + pc, g.lda(), b, bi, c, ci, ldc, add);
        }
    }

    @SuppressWarnings("java:S107")
    private static void panelTile(int kc, float[] a, int ai, int step, float[] b, int bi, float[] c, int ci, int ldc,
                                  boolean add) {
        if (WIDE) {
            panel8x3(kc, a, ai, step, b, bi, c, ci, ldc, add);
        } else {
            panel4x3(kc, a, ai, step, b, bi, c, ci, ldc, add);
        }
    }

    /** Copies op(A) rows {@code [ir, ir + rows)}, depth {@code [pc, pc + kc)}, to {@code dst[p MR + r]}; rows past {@code rows} are 0. */
    private static void packEdgeRows(CpuGemm.Call g, int aBase, int ir, int rows, int pc, int kc, float[] dst) {
        Arrays.fill(dst, 0, kc * MR, 0f);
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < kc; p++) {
                int i = ir + r;
                dst[p * MR + r] = g.transA() ? g.a()[aBase + (pc + p) * g.lda() + i] : g.a()[aBase + i * g.lda() + pc + p];
            }
        }
    }

    /**
     * Packs panels {@code [jp0, jp1)} of {@code alpha * op(B)[pc:pc+kc, jc:jc+nc]}: element {@code (p, j)} of panel
     * {@code jp} (columns {@code jp NR + j}) goes to {@code dst[dstOff + jp kc NR + p NR + j]}; columns past {@code nc}
     * are 0.
     */
    @SuppressWarnings("java:S107")
    static void packB(CpuGemm.Call g, int bi, int pc, int kc, int jc, int nc, int jp0, int jp1, float[] dst, int dstOff) {
        float[] b = g.b();
        int base = (int) (g.bOff() + bi * g.strideB());
        int ldb = g.ldb();
        float alpha = g.alpha();
        for (int jp = jp0; jp < jp1; jp++) {
            int col = jc + jp * NR;
            int cols = Math.min(NR, jc + nc - col);
            int d = dstOff + jp * kc * NR;
            if (!g.transB()) { // rows of op(B) are runs of the stored B
                for (int p = 0; p < kc; p++) {
                    int src = base + (pc + p) * ldb + col;
                    int row = d + p * NR;
                    if (alpha == 1f) {
                        System.arraycopy(b, src, dst, row, cols);
                    } else {
                        for (int j = 0; j < cols; j++) {
                            dst[row + j] = alpha * b[src + j];
                        }
                    }
                    Arrays.fill(dst, row + cols, row + NR, 0f);
                }
            } else { // op(B)[p, j] = b[j ldb + p]: four depth steps per pass over the columns
                int p = 0;
                for (; p + 4 <= kc; p += 4) {
                    int row = d + p * NR;
                    for (int j = 0; j < cols; j++) {
                        int src = base + (col + j) * ldb + pc + p;
                        dst[row + j] = alpha * b[src];
                        dst[row + NR + j] = alpha * b[src + 1];
                        dst[row + 2 * NR + j] = alpha * b[src + 2];
                        dst[row + 3 * NR + j] = alpha * b[src + 3];
                    }
                }
                for (; p < kc; p++) {
                    int row = d + p * NR;
                    for (int j = 0; j < cols; j++) {
                        dst[row + j] = alpha * b[base + (col + j) * ldb + pc + p];
                    }
                }
                if (cols < NR) {
                    for (int q = 0; q < kc; q++) {
                        Arrays.fill(dst, d + q * NR + cols, d + (q + 1) * NR, 0f);
                    }
                }
            }
        }
    }

    /*
     * The micro-kernels: C[r, j] = (add ? C[r, j] : 0) + sum_{p < kc} A(r, p) b[bi + p NR + j] for r < MR, j < NR,
     * where C[r, j] is c[ci + r ldc + j]. rows*: A(r, p) = a[ai + r lda + p]; panel*: A(r, p) = a[ai + p step + r].
     * Without add the old values of C are loaded but masked out, so NaN in them does not leak.
     */

    @SuppressWarnings("java:S107")
    private static void rows8x3(int kc, float[] a, int ai, int lda, float[] b, int bi, float[] c, int ci, int ldc,
                                boolean add) {
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
        int a0i = ai;
        int a1i = ai + lda;
        int a2i = ai + 2 * lda;
        int a3i = ai + 3 * lda;
        int a4i = ai + 4 * lda;
        int a5i = ai + 5 * lda;
        int a6i = ai + 6 * lda;
        int a7i = ai + 7 * lda;
        for (int p = 0, bp = bi; p < kc; p++, bp += 3 * L) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[a0i + p]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[a1i + p]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[a2i + p]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[a3i + p]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
            FloatVector a4 = FloatVector.broadcast(S, a[a4i + p]);
            c40 = a4.fma(b0, c40); c41 = a4.fma(b1, c41); c42 = a4.fma(b2, c42);
            FloatVector a5 = FloatVector.broadcast(S, a[a5i + p]);
            c50 = a5.fma(b0, c50); c51 = a5.fma(b1, c51); c52 = a5.fma(b2, c52);
            FloatVector a6 = FloatVector.broadcast(S, a[a6i + p]);
            c60 = a6.fma(b0, c60); c61 = a6.fma(b1, c61); c62 = a6.fma(b2, c62);
            FloatVector a7 = FloatVector.broadcast(S, a[a7i + p]);
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
    private static void panel8x3(int kc, float[] a, int ai, int step, float[] b, int bi, float[] c, int ci, int ldc,
                                 boolean add) {
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
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += step, bp += 3 * L) {
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
    private static void rows4x3(int kc, float[] a, int ai, int lda, float[] b, int bi, float[] c, int ci, int ldc,
                                boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero.blend(FloatVector.fromArray(S, c, ci), keep); FloatVector c01 = zero.blend(FloatVector.fromArray(S, c, ci + L), keep); FloatVector c02 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * L), keep);
        FloatVector c10 = zero.blend(FloatVector.fromArray(S, c, ci + ldc), keep); FloatVector c11 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + L), keep); FloatVector c12 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + 2 * L), keep);
        FloatVector c20 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc), keep); FloatVector c21 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + L), keep); FloatVector c22 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L), keep);
        FloatVector c30 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc), keep); FloatVector c31 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + L), keep); FloatVector c32 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L), keep);
        int a0i = ai;
        int a1i = ai + lda;
        int a2i = ai + 2 * lda;
        int a3i = ai + 3 * lda;
        for (int p = 0, bp = bi; p < kc; p++, bp += 3 * L) {
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[a0i + p]);
            c00 = a0.fma(b0, c00); c01 = a0.fma(b1, c01); c02 = a0.fma(b2, c02);
            FloatVector a1 = FloatVector.broadcast(S, a[a1i + p]);
            c10 = a1.fma(b0, c10); c11 = a1.fma(b1, c11); c12 = a1.fma(b2, c12);
            FloatVector a2 = FloatVector.broadcast(S, a[a2i + p]);
            c20 = a2.fma(b0, c20); c21 = a2.fma(b1, c21); c22 = a2.fma(b2, c22);
            FloatVector a3 = FloatVector.broadcast(S, a[a3i + p]);
            c30 = a3.fma(b0, c30); c31 = a3.fma(b1, c31); c32 = a3.fma(b2, c32);
        }
        c00.intoArray(c, ci); c01.intoArray(c, ci + L); c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, ci + ldc); c11.intoArray(c, ci + ldc + L); c12.intoArray(c, ci + ldc + 2 * L);
        c20.intoArray(c, ci + 2 * ldc); c21.intoArray(c, ci + 2 * ldc + L); c22.intoArray(c, ci + 2 * ldc + 2 * L);
        c30.intoArray(c, ci + 3 * ldc); c31.intoArray(c, ci + 3 * ldc + L); c32.intoArray(c, ci + 3 * ldc + 2 * L);
    }

    @SuppressWarnings("java:S107")
    private static void panel4x3(int kc, float[] a, int ai, int step, float[] b, int bi, float[] c, int ci, int ldc,
                                 boolean add) {
        VectorMask<Float> keep = S.maskAll(add);
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero.blend(FloatVector.fromArray(S, c, ci), keep); FloatVector c01 = zero.blend(FloatVector.fromArray(S, c, ci + L), keep); FloatVector c02 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * L), keep);
        FloatVector c10 = zero.blend(FloatVector.fromArray(S, c, ci + ldc), keep); FloatVector c11 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + L), keep); FloatVector c12 = zero.blend(FloatVector.fromArray(S, c, ci + ldc + 2 * L), keep);
        FloatVector c20 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc), keep); FloatVector c21 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + L), keep); FloatVector c22 = zero.blend(FloatVector.fromArray(S, c, ci + 2 * ldc + 2 * L), keep);
        FloatVector c30 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc), keep); FloatVector c31 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + L), keep); FloatVector c32 = zero.blend(FloatVector.fromArray(S, c, ci + 3 * ldc + 2 * L), keep);
        for (int p = 0, ap = ai, bp = bi; p < kc; p++, ap += step, bp += 3 * L) {
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
}
