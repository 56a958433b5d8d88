package org.cnn4j.kernels;

/** Plain-loop reference of batched row-major GEMM, accumulating in double. */
final class NaiveGemm {
    private NaiveGemm() {
    }

    /**
     * C_b = alpha * op(A_b) op(B_b) + beta * C_b, updating {@code c} in place; C is not read when beta == 0
     * and A, B do not contribute when alpha == 0.
     */
    @SuppressWarnings("java:S107")
    static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, int strideA, float[] b, int bOff, int ldb, int strideB,
                     float beta, float[] c, int cOff, int ldc, int strideC, int batch) {
        for (int bi = 0; bi < batch; bi++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        // op(A)(i, p) and op(B)(p, j)
                        float av = transA ? a[aOff + bi * strideA + p * lda + i] : a[aOff + bi * strideA + i * lda + p];
                        float bv = transB ? b[bOff + bi * strideB + j * ldb + p] : b[bOff + bi * strideB + p * ldb + j];
                        acc += (double) av * bv;
                    }
                    int ci = cOff + bi * strideC + i * ldc + j;
                    double ab = alpha == 0 ? 0 : alpha * acc;
                    c[ci] = (float) (beta == 0 ? ab : ab + beta * (double) c[ci]);
                }
            }
        }
    }
}
