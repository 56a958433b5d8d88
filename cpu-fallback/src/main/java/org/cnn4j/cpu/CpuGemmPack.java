package org.cnn4j.cpu;

/**
 * Packing for {@link CpuGemm}: copies a block of {@code op(A)} or {@code op(B)} into a contiguous
 * panel, resolving the transposition, so that the micro-kernel reads unit-stride memory.
 * Element {@code (r, c)} of the stored matrix {@code X} is {@code x[base + r * ld + c]}.
 */
final class CpuGemmPack {
    private CpuGemmPack() {
    }

    /**
     * {@code dst[i * kc + p] = alpha * op(A)[i0 + i, p0 + p]} for {@code i < mc, p < kc}, where
     * {@code op(A)[i, p] = A[i, p]}, or {@code A[p, i]} when {@code trans}.
     */
    static void packA(boolean trans, float[] a, int base, int lda, int i0, int mc, int p0, int kc,
                      float alpha, float[] dst) {
        if (!trans) {
            for (int i = 0; i < mc; i++) {
                int src = base + (i0 + i) * lda + p0;
                int d = i * kc;
                for (int p = 0; p < kc; p++) {
                    dst[d + p] = alpha * a[src + p];
                }
            }
        } else {
            for (int p = 0; p < kc; p++) {
                int src = base + (p0 + p) * lda + i0;
                for (int i = 0; i < mc; i++) {
                    dst[i * kc + p] = alpha * a[src + i];
                }
            }
        }
    }

    /**
     * {@code dst[p][j] = op(B)[p0 + p, j0 + j]} for {@code p < kc, j < nc}, where
     * {@code op(B)[p, j] = B[p, j]}, or {@code B[j, p]} when {@code trans}. Each row is its own array,
     * indexed from 0, as {@link CpuGemmKernel} needs.
     */
    static void packB(boolean trans, float[] b, int base, int ldb, int p0, int kc, int j0, int nc, float[][] dst) {
        if (!trans) {
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, base + (p0 + p) * ldb + j0, dst[p], 0, nc);
            }
        } else {
            for (int j = 0; j < nc; j++) {
                int src = base + (j0 + j) * ldb + p0;
                for (int p = 0; p < kc; p++) {
                    dst[p][j] = b[src + p];
                }
            }
        }
    }
}
