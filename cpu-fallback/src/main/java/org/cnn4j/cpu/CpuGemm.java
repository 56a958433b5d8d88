package org.cnn4j.cpu;

import java.util.Arrays;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.GemmOps;

/**
 * Batched SGEMM on the CPU, {@code C_b = alpha * op(A_b) * op(B_b) + beta * C_b} (row-major, see
 * {@link GemmOps}).
 *
 * <p>This class scales C by {@code beta} (or lets the kernel overwrite it, unread, when {@code beta == 0}) and
 * splits the work of a call into about one piece per thread: over the batch when it is large enough, else
 * over rows or columns of C (whichever is longer), unless the kernel splits a large single product itself
 * ({@link BlockKernel#multiplyAll}, which shares the packed blocks of B between the threads). A {@link BlockKernel}
 * then accumulates
 * {@code alpha * op(A) * op(B)} into each piece: {@link CpuGemmVector} (Vector API micro-kernel) where the
 * JVM has {@code jdk.incubator.vector}, else {@link CpuGemmPlain}; {@link CpuGemmKernels} chooses.
 */
final class CpuGemm implements GemmOps {
    /** Column splits between threads are multiples of this (one SIMD vector of floats, or more). */
    private static final int COLUMN_ALIGN = 16;
    /** Row splits between threads are multiples of this (the register tile height of every kernel divides or is close to it). */
    private static final int ROW_ALIGN = 4;
    /** Calls with fewer multiply-adds than this (times two) run on the calling thread. */
    private static final long PARALLEL_FLOPS = 1L << 21;

    /** The arguments of one call, arrays resolved. */
    record Call(boolean transA, boolean transB, int m, int n, int k, float alpha,
                float[] a, long aOff, int lda, long strideA, float[] b, long bOff, int ldb, long strideB,
                float beta, float[] c, long cOff, int ldc, long strideC) {
    }

    /** Accumulates a block of the product into C. */
    interface BlockKernel {
        /**
         * {@code C_bi[i, j] = (overwrite ? 0 : C_bi[i, j]) + alpha * sum_p op(A_bi)[i, p] * op(B_bi)[p, j]} for
         * rows {@code [i0, i1)} and columns {@code [j0, j1)}; {@code k > 0}. With {@code overwrite} the block
         * of C is never read (it may hold NaN). Called concurrently on disjoint blocks.
         */
        void multiply(Call g, int bi, int i0, int i1, int j0, int j1, boolean overwrite);

        /** A short name for logs and benchmarks. */
        String name();

        /** Whether the kernel splits the large single product {@code g} over the threads itself ({@link #multiplyAll}). */
        default boolean splitsSingleProduct(Call g) {
            return false;
        }

        /**
         * {@code C = (overwrite ? 0 : C) + alpha op(A) op(B)} for a whole single product ({@code batch == 1}), split
         * over the threads by the kernel itself; only called when {@link #splitsSingleProduct}.
         */
        default void multiplyAll(Call g, boolean overwrite) {
            throw new UnsupportedOperationException(name() + " does not split single products");
        }
    }

    private final BlockKernel kernel;

    /** The fastest kernel this JVM offers (see {@link CpuGemmKernels#best()}). */
    CpuGemm() {
        this(CpuGemmKernels.best());
    }

    /** @param kernel the block kernel every call uses */
    CpuGemm(BlockKernel kernel) {
        this.kernel = kernel;
    }

    /** The block kernel in use. */
    BlockKernel kernel() {
        return kernel;
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
        int mParts = m >= n ? Math.min(parts, ceilDiv(m, ROW_ALIGN)) : 1;
        int nParts = m >= n ? 1 : Math.min(parts, ceilDiv(n, COLUMN_ALIGN));
        long pieces = (long) batch * mParts * nParts;
        boolean multiply = k > 0 && alpha != 0f;
        if (multiply && parallel && batch == 1 && kernel.splitsSingleProduct(call)) {
            if (beta != 0f && beta != 1f) {
                CpuParallel.parallelFor(0, m, Math.max(1, 8192 / n), (from, to) ->
                        scale(beta, call.c(), (int) cOff, ldc, (int) from, (int) to, 0, n));
            }
            kernel.multiplyAll(call, beta == 0f);
            return;
        }
        CpuParallel.parallelFor(0, pieces, parallel ? 1 : pieces, (from, to) -> {
            for (long piece = from; piece < to; piece++) {
                int bi = (int) (piece / (mParts * nParts));
                int pm = (int) (piece % (mParts * nParts)) / nParts;
                int pn = (int) (piece % nParts);
                int i0 = split(m, ROW_ALIGN, pm, mParts);
                int i1 = split(m, ROW_ALIGN, pm + 1, mParts);
                int j0 = split(n, COLUMN_ALIGN, pn, nParts);
                int j1 = split(n, COLUMN_ALIGN, pn + 1, nParts);
                if (multiply) {
                    if (beta != 0f) {
                        scale(beta, call.c(), (int) (cOff + bi * strideC), ldc, i0, i1, j0, j1);
                    }
                    kernel.multiply(call, bi, i0, i1, j0, j1, beta == 0f);
                } else {
                    scale(beta, call.c(), (int) (cOff + bi * strideC), ldc, i0, i1, j0, j1);
                }
            }
        });
    }

    /** {@code C[i, j] *= beta} on the block; {@code C[i, j] = 0} without reading C when {@code beta == 0}. */
    static void scale(float beta, float[] c, int base, int ldc, int i0, int i1, int j0, int j1) {
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

    /** {@code ceil(x / y)} for {@code x >= 0}, {@code y > 0}. */
    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }
}
