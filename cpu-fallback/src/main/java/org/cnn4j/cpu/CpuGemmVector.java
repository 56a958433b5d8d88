package org.cnn4j.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API block kernel of {@link CpuGemm}: the five loops of Goto and van de Geijn ("Anatomy of
 * high-performance matrix multiplication", ACM TOMS 2008) around a register-tiled micro-kernel,
 * <pre>
 *   for jc in steps of NC over the columns:     pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide micro-panels
 *     for pc in steps of KC over the depth:
 *       for ic in steps of MC over the rows:    pack alpha * op(A)[ic:ic+MC, pc:pc+KC] into MR-high micro-panels
 *         for jr in steps of NR:                 (one B micro-panel, KC x NR, stays in L1)
 *           for ir in steps of MR:               micro-kernel: C[ir:ir+MR, jr:jr+NR] += Ap * Bp
 * </pre>
 * The micro-kernel holds an {@code MR x NR} tile of C in {@code MR * 2} vector registers
 * ({@code NR} = two vectors of the JVM's preferred width: 6 x 16 floats with AVX2, 6 x 32 with AVX-512)
 * and, per depth step, loads two vectors of B and broadcasts {@code MR} values of A: {@code 2 MR} fused
 * multiply-adds per {@code 2 + MR} loads. Edge tiles are padded with zeros in the packed panels and only
 * their valid part is added to C. All vector code sits in one small method ({@link #product}): C2 compiles a
 * method only up to a node budget, and a vector that crosses a call it did not inline is boxed on the heap.
 *
 * <p>This class is loaded only when the module {@code jdk.incubator.vector} is present
 * ({@link CpuGemmKernels}). Results differ from {@link CpuGemmPlain} by rounding only (fused multiply-add,
 * a different summation order over the depth).
 */
final class CpuGemmVector implements CpuGemm.BlockKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = SPECIES.length();
    /** Rows of the register tile. */
    static final int MR = 6;
    /** Columns of the register tile: two vectors. */
    static final int NR = 2 * L;
    /** Depth of one packed block. */
    static final int KC = 256;
    /** Rows of op(A) packed at a time (a multiple of MR). */
    static final int MC = 24 * MR;
    /** Columns of op(B) packed at a time (a multiple of NR). */
    static final int NC = 64 * NR;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Packing buffers of one thread. */
    private static final class Workspace {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        final float[] acc = new float[MR * NR];
    }

    @Override
    public String name() {
        return "vector" + L * Float.SIZE;
    }

    @Override
    public void multiply(CpuGemm.Call g, int bi, int i0, int i1, int j0, int j1, boolean overwrite) {
        int aBase = (int) (g.aOff() + bi * g.strideA());
        int bBase = (int) (g.bOff() + bi * g.strideB());
        int cBase = (int) (g.cOff() + bi * g.strideC());
        int ldc = g.ldc();
        Workspace ws = WORKSPACE.get();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < g.k(); pc += KC) {
                int kc = Math.min(KC, g.k() - pc);
                packB(g.transB(), g.b(), bBase, g.ldb(), pc, kc, jc, nc, ws.b);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    packA(g.transA(), g.a(), aBase, g.lda(), ic, mc, pc, kc, g.alpha(), ws.a);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int cols = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int rows = Math.min(MR, mc - ir);
                            tile(kc, ws.a, ir * kc, ws.b, jr * kc, g.c(), cBase + (ic + ir) * ldc + jc + jr, ldc,
                                    rows, cols, overwrite && pc == 0, ws.acc);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs {@code alpha * op(A)[i0:i0+mc, p0:p0+kc]} into micro-panels of {@code MR} rows: element
     * {@code (i, p)} goes to {@code dst[(i / MR) * MR * kc + p * MR + i % MR]}; rows past {@code mc} are 0.
     */
    static void packA(boolean trans, float[] a, int base, int lda, int i0, int mc, int p0, int kc, float alpha, float[] dst) {
        for (int ir = 0; ir < mc; ir += MR) {
            int rows = Math.min(MR, mc - ir);
            int d = ir * kc;
            if (!trans) {
                for (int r = 0; r < rows; r++) {
                    int src = base + (i0 + ir + r) * lda + p0;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * MR + r] = alpha * a[src + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = base + (p0 + p) * lda + i0 + ir;
                    for (int r = 0; r < rows; r++) {
                        dst[d + p * MR + r] = alpha * a[src + r];
                    }
                }
            }
            for (int r = rows; r < MR; r++) {
                for (int p = 0; p < kc; p++) {
                    dst[d + p * MR + r] = 0f;
                }
            }
        }
    }

    /**
     * Packs {@code op(B)[p0:p0+kc, j0:j0+nc]} into micro-panels of {@code NR} columns: element
     * {@code (p, j)} goes to {@code dst[(j / NR) * NR * kc + p * NR + j % NR]}; columns past {@code nc} are 0.
     */
    static void packB(boolean trans, float[] b, int base, int ldb, int p0, int kc, int j0, int nc, float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int cols = Math.min(NR, nc - jr);
            int d = jr * kc;
            if (!trans) {
                for (int p = 0; p < kc; p++) {
                    System.arraycopy(b, base + (p0 + p) * ldb + j0 + jr, dst, d + p * NR, cols);
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    int src = base + (j0 + jr + j) * ldb + p0;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * NR + j] = b[src + p];
                    }
                }
            }
            if (cols < NR) {
                for (int p = 0; p < kc; p++) {
                    Arrays.fill(dst, d + p * NR + cols, d + (p + 1) * NR, 0f);
                }
            }
        }
    }

    /**
     * {@code C[r, j] (+)= sum_p Ap[p * MR + r] * Bp[p * NR + j]} for {@code r < rows, j < cols} (the old
     * values of C ignored when {@code store}), where {@code C[r, j]} is {@code c[ci + r * ldc + j]}, {@code Ap}
     * starts at {@code a[ai]} and {@code Bp} at {@code b[bi]}. A full tile is updated in place; an edge tile
     * is computed into {@code acc} and its valid part copied.
     */
    @SuppressWarnings("java:S107")
    private static void tile(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc,
                             int rows, int cols, boolean store, float[] acc) {
        if (rows == MR && cols == NR) {
            product(kc, a, ai, b, bi, c, ci, ldc, !store);
            return;
        }
        product(kc, a, ai, b, bi, acc, 0, NR, false);
        for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            int t = r * NR;
            if (store) {
                System.arraycopy(acc, t, c, row, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    c[row + j] += acc[t + j];
                }
            }
        }
    }

    /**
     * {@code T[r, j] = (add ? T[r, j] : 0) + sum_{p < kc} a[ai + p * MR + r] * b[bi + p * NR + j]} for
     * {@code r < MR, j < NR}, where {@code T[r, j]} is {@code t[ti + r * ldt + j]}. Without {@code add} the old
     * values are loaded but masked out, so NaN in them does not leak; one code path keeps C2's compiled
     * loop free of vector boxes.
     */
    @SuppressWarnings("java:S107")
    private static void product(int kc, float[] a, int ai, float[] b, int bi, float[] t, int ti, int ldt, boolean add) {
        VectorMask<Float> keep = SPECIES.maskAll(add);
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector c00 = zero.blend(FloatVector.fromArray(SPECIES, t, ti), keep);
        FloatVector c01 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + L), keep);
        FloatVector c10 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + ldt), keep);
        FloatVector c11 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + ldt + L), keep);
        FloatVector c20 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + 2 * ldt), keep);
        FloatVector c21 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + 2 * ldt + L), keep);
        FloatVector c30 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + 3 * ldt), keep);
        FloatVector c31 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + 3 * ldt + L), keep);
        FloatVector c40 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + 4 * ldt), keep);
        FloatVector c41 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + 4 * ldt + L), keep);
        FloatVector c50 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + 5 * ldt), keep);
        FloatVector c51 = zero.blend(FloatVector.fromArray(SPECIES, t, ti + 5 * ldt + L), keep);
        int ap = ai;
        int bp = bi;
        for (int p = 0; p < kc; p++, ap += MR, bp += NR) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, bp);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, bp + L);
            FloatVector av = FloatVector.broadcast(SPECIES, a[ap]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, a[ap + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, a[ap + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, a[ap + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, a[ap + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, a[ap + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
        }
        c00.intoArray(t, ti);
        c01.intoArray(t, ti + L);
        c10.intoArray(t, ti + ldt);
        c11.intoArray(t, ti + ldt + L);
        c20.intoArray(t, ti + 2 * ldt);
        c21.intoArray(t, ti + 2 * ldt + L);
        c30.intoArray(t, ti + 3 * ldt);
        c31.intoArray(t, ti + 3 * ldt + L);
        c40.intoArray(t, ti + 4 * ldt);
        c41.intoArray(t, ti + 4 * ldt + L);
        c50.intoArray(t, ti + 5 * ldt);
        c51.intoArray(t, ti + 5 * ldt + L);
    }
}
