package org.cnn4j.cpu;

/**
 * The plain-Java block kernel of {@link CpuGemm}, for JVMs without the Vector API. Cache-blocked in the
 * manner of Goto and van de Geijn ("Anatomy of high-performance matrix multiplication", ACM TOMS 2008):
 * <pre>
 *   for jc in steps of NC over the columns of C:
 *     for pc in steps of KC over the depth:   pack op(B)[pc:pc+KC, jc:jc+NC]           (L2)
 *       for ic in steps of MC over the rows:  pack alpha * op(A)[ic:ic+MC, pc:pc+KC]
 *         for each strip of MR rows of C:      copy the strip's NC columns into row buffers (L1)
 *           for each KR depth steps, for each row: micro-kernel (CpuGemmKernel.depth4)
 *           copy the strip back
 * </pre>
 * The KR rows of the B panel a step reads stay in L1 while the MR rows of the strip use them; the inner
 * loops are left to the JIT's auto-vectoriser. Packing buffers are per thread and reused across calls.
 */
final class CpuGemmPlain implements CpuGemm.BlockKernel {
    /** Rows of op(A) packed at a time. */
    static final int MC = 128;
    /** Rows of C in one strip. */
    static final int MR = 4;
    /** Depth of one packed block. */
    static final int KC = 256;
    /** Columns of op(B) packed at a time. */
    static final int NC = 512;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Packing buffers of one thread. */
    private static final class Workspace {
        final float[] a = new float[MC * KC];
        final float[][] b = new float[KC][NC];
        final float[][] c = new float[MR][NC];
    }

    @Override
    public String name() {
        return "plain";
    }

    @Override
    public void multiply(CpuGemm.Call g, int bi, int i0, int i1, int j0, int j1, boolean overwrite) {
        int aBase = (int) (g.aOff() + bi * g.strideA());
        int bBase = (int) (g.bOff() + bi * g.strideB());
        int cBase = (int) (g.cOff() + bi * g.strideC());
        if (overwrite) {
            CpuGemm.scale(0f, g.c(), cBase, g.ldc(), i0, i1, j0, j1);
        }
        Workspace ws = WORKSPACE.get();
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < g.k(); pc += KC) {
                int kc = Math.min(KC, g.k() - pc);
                CpuGemmPack.packB(g.transB(), g.b(), bBase, g.ldb(), pc, kc, jc, nc, ws.b);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    CpuGemmPack.packA(g.transA(), g.a(), aBase, g.lda(), ic, mc, pc, kc, g.alpha(), ws.a);
                    block(ws.a, mc, kc, ws.b, nc, g.c(), cBase + ic * g.ldc() + jc, g.ldc(), ws.c);
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
}
