package org.cnn4j.runtime.spi;

/**
 * Batched general matrix multiply, row-major, as BLAS {@code sgemm} with row-major storage:
 * <pre>
 *   C_b = alpha * op(A_b) * op(B_b) + beta * C_b      for b &lt; batch
 *   op(A) = A or A^T (transA), op(A) is m x k;  op(B) = B or B^T (transB), op(B) is k x n;  C is m x n
 *   A_b starts at aOff + b * strideA, element (r, c) of the stored A at A_b + r * lda + c (same for B, C)
 * </pre>
 * When {@code beta == 0}, C is not read (NaN in C does not propagate), as in BLAS.
 */
public interface GemmOps {
    /** See the type's javadoc for the meaning of each argument. */
    @SuppressWarnings("java:S107") // BLAS's argument list is the clearest contract here
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
              DeviceMemory a, long aOff, int lda, long strideA,
              DeviceMemory b, long bOff, int ldb, long strideB,
              float beta, DeviceMemory c, long cOff, int ldc, long strideC, int batch);
}
