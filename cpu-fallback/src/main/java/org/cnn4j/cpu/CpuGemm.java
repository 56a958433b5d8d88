package org.cnn4j.cpu;

import java.util.Arrays;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.GemmOps;

/**
 * Batched SGEMM on the CPU, {@code C_b = alpha * op(A_b) * op(B_b) + beta * C_b} (row-major, see
 * {@link GemmOps}), cache-blocked in the manner of Goto and van de Geijn ("Anatomy of high-performance
 * matrix multiplication", ACM TOMS 2008):
 * <pre>
 *   for jc in steps of NC over the columns of C:
 *     for pc in steps of KC over the depth:   pack op(B)[pc:pc+KC, jc:jc+NC]           (L2)
 *       for ic in steps of MC over the rows:  pack alpha * op(A)[ic:ic+MC, pc:pc+KC]
 *         for each strip of MR rows of C:      copy the strip's NC columns into row buffers (L1)
 *           for each KR depth steps, for each row: micro-kernel (CpuGemmKernel.depth4)
 *           copy the strip back
 * </pre>
 * The KR rows of the B panel a step reads stay in L1 while the MR rows of the strip use them.
 * C is first scaled by {@code beta} (set to 0 without being read when {@code beta == 0}), then the
 * product is accumulated into it. The work of a call is split into about one piece per thread: over the
 * batch when it is large enough, else over rows or columns of C (whichever is longer). Packing buffers
 * are per thread and reused across calls.
 */
final class CpuGemm implements GemmOps {
    /** Rows of op(A) packed at a time. */
    static final int MC = 128;
    /** Rows of C in one strip. */
    static final int MR = 4;
    /** Depth of one packed block. */
    static final int KC = 256;
    /** Columns of op(B) packed at a time. */
    static final int NC = 512;
    /** Column splits between threads are multiples of this (one SIMD vector of floats, or more). */
    private static final int COLUMN_ALIGN = 16;
    /** Calls with fewer multiply-adds than this (times two) run on the calling thread. */
    private static final long PARALLEL_FLOPS = 1L << 21;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Packing buffers of one thread. */
    private static final class Workspace {
        final float[] a = new float[MC * KC];
        final float[][] b = new float[KC][NC];
        final float[][] c = new float[MR][NC];
    }

    /** The arguments of one call, arrays resolved. */
    private record Call(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        float[] a, long aOff, int lda, long strideA, float[] b, long bOff, int ldb, long strideB,
                        float beta, float[] c, long cOff, int ldc, long strideC) {
    }

    /** See {@link GemmOps}: {@code C_b = alpha * op(A_b) * op(B_b) + beta * C_b} for {@code b < batch}. */
    @Override
    @SuppressWarnings("java:S107")
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     DeviceMemory a, long aOff, int lda, long strideA,
                     DeviceMemory b, long bOff, int ldb, long strideB,
                     float beta, DeviceMemory c, long cOff, int ldc, long strideC, int batch) {
        if (m <= 0 || n <= 0 || batch <= 0) {
            return;
        }
        Call call = new Call(transA, transB, m, n, k, alpha, CpuMemory.array(a), aOff, lda, strideA,
                CpuMemory.array(b), bOff, ldb, strideB, beta, CpuMemory.array(c), cOff, ldc, strideC);
        int threads = CpuParallel.threads();
        long flops = 2L * m * n * Math.max(k, 1) * batch;
        boolean parallel = flops >= PARALLEL_FLOPS && threads > 1;
        int parts = parallel && batch < threads ? (threads + batch - 1) / batch : 1;
        int mParts = m >= n ? Math.min(parts, ceilDiv(m, MR)) : 1;
        int nParts = m >= n ? 1 : Math.min(parts, ceilDiv(n, COLUMN_ALIGN));
        long pieces = (long) batch * mParts * nParts;
        CpuParallel.parallelFor(0, pieces, parallel ? 1 : pieces, (from, to) -> {
            for (long piece = from; piece < to; piece++) {
                int bi = (int) (piece / (mParts * nParts));
                int pm = (int) (piece % (mParts * nParts)) / nParts;
                int pn = (int) (piece % nParts);
                multiply(call, bi, split(m, MR, pm, mParts), split(m, MR, pm + 1, mParts),
                        split(n, COLUMN_ALIGN, pn, nParts), split(n, COLUMN_ALIGN, pn + 1, nParts));
            }
        });
    }

    /** Rows {@code [i0, i1)} and columns {@code [j0, j1)} of {@code C_bi}, blocked as in the type's javadoc. */
    private static void multiply(Call g, int bi, int i0, int i1, int j0, int j1) {
        int aBase = (int) (g.aOff + bi * g.strideA);
        int bBase = (int) (g.bOff + bi * g.strideB);
        int cBase = (int) (g.cOff + bi * g.strideC);
        scale(g.beta, g.c, cBase, g.ldc, i0, i1, j0, j1);
        if (g.k <= 0 || g.alpha == 0f) {
            return;
        }
        Workspace ws = WORKSPACE.get();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < g.k; pc += KC) {
                int kc = Math.min(KC, g.k - pc);
                CpuGemmPack.packB(g.transB, g.b, bBase, g.ldb, pc, kc, jc, nc, ws.b);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    CpuGemmPack.packA(g.transA, g.a, aBase, g.lda, ic, mc, pc, kc, g.alpha, ws.a);
                    block(ws.a, mc, kc, ws.b, nc, g.c, cBase + ic * g.ldc + jc, g.ldc, ws.c);
                }
            }
        }
    }

    /**
     * {@code C[i, j] += sum_p Ap[i, p] * Bp[p][j]} for one packed {@code mc x kc} block {@code Ap} and
     * {@code kc x nc} panel {@code Bp}; {@code C[i, j]} is {@code c[ci + i * ldc + j]}.
     */
    private static void block(float[] ap, int mc, int kc, float[][] bp, int nc, float[] c, int ci, int ldc, float[][] rows) {
        int kr = CpuGemmKernel.KR;
        for (int ir = 0; ir < mc; ir += MR) {
            int strip = Math.min(MR, mc - ir);
            for (int r = 0; r < strip; r++) {
                System.arraycopy(c, ci + (ir + r) * ldc, rows[r], 0, nc);
            }
            int p = 0;
            for (; p + kr <= kc; p += kr) {
                for (int r = 0; r < strip; r++) {
                    CpuGemmKernel.depth4(ap, (ir + r) * kc + p, bp, p, rows[r], nc);
                }
            }
            for (; p < kc; p++) {
                for (int r = 0; r < strip; r++) {
                    CpuGemmKernel.depth1(ap[(ir + r) * kc + p], bp[p], rows[r], nc);
                }
            }
            for (int r = 0; r < strip; r++) {
                System.arraycopy(rows[r], 0, c, ci + (ir + r) * ldc, nc);
            }
        }
    }

    /** {@code C[i, j] *= beta} on the block; {@code C[i, j] = 0} without reading C when {@code beta == 0}. */
    private static void scale(float beta, float[] c, int base, int ldc, int i0, int i1, int j0, int j1) {
        if (beta == 1f) {
            return;
        }
        for (int i = i0; i < i1; i++) {
            int row = base + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, row + j0, row + j1, 0f);
            } else {
                for (int j = j0; j < j1; j++) {
                    c[row + j] *= beta;
                }
            }
        }
    }

    /** Start of piece {@code p} of {@code parts} over {@code total}, on a multiple of {@code align} (or {@code total}). */
    private static int split(int total, int align, int p, int parts) {
        return (int) Math.min(total, (long) ceilDiv(total, align) * p / parts * align);
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
