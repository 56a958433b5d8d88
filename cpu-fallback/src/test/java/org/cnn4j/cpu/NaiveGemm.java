package org.cnn4j.cpu;

/**
 * Reference SGEMM, written to be obviously right, in double precision:
 * <pre>
 *   C_b[i, j] = alpha * sum_p opA_b[i, p] * opB_b[p, j] + beta * C_b[i, j]     (beta * C omitted when beta == 0)
 *   opA_b[i, p] = a[aOff + b * strideA + i * lda + p], or a[... + p * lda + i] when transA (same for B)
 *   C_b[i, j]   = c[cOff + b * strideC + i * ldc + j]
 * </pre>
 */
final class NaiveGemm {
    private NaiveGemm() {
    }

    /** A copy of {@code c} (as doubles) with every C_b element replaced by its reference value. */
    @SuppressWarnings("java:S107")
    static double[] gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                         float[] a, int aOff, int lda, int strideA, float[] b, int bOff, int ldb, int strideB,
                         float beta, float[] c, int cOff, int ldc, int strideC, int batch) {
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            out[i] = c[i];
        }
        for (int bi = 0; bi < batch; bi++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        double av = transA ? a[aOff + bi * strideA + p * lda + i] : a[aOff + bi * strideA + i * lda + p];
                        double bv = transB ? b[bOff + bi * strideB + j * ldb + p] : b[bOff + bi * strideB + p * ldb + j];
                        sum += av * bv;
                    }
                    int ci = cOff + bi * strideC + i * ldc + j;
                    out[ci] = beta == 0f ? alpha * sum : alpha * sum + beta * (double) c[ci];
                }
            }
        }
        return out;
    }
}
