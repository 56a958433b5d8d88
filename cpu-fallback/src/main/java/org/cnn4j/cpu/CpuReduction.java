package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.spi.ReductionOps;

/**
 * Reductions of a contiguous {@code [outer, axis, inner]} tensor along its middle dimension:
 * {@code y[o * inner + j] = op_{k < axis} x[(o * axis + k) * inner + j]}.
 *
 * <p>Sums accumulate in double: column sums in index order, a row's sum in partial sums whose order depends on
 * the kernel. {@code MAX} and {@code MIN} propagate NaN (as
 * {@link Math#max}). {@code argmax} returns the first index of the largest element, a NaN counting as
 * larger than anything. Work is split over the {@code outer * inner} outputs, in blocks of
 * {@link #INNER_BLOCK} columns so that each pass over the axis reads rows of contiguous memory.
 */
final class CpuReduction implements ReductionOps {
    /** Columns of the inner dimension reduced together. */
    static final int INNER_BLOCK = 512;
    /** Elements read below which a reduction runs on the calling thread. */
    private static final long GRAIN = 1L << 15;
    /**
     * The most pieces a long row sum is cut into, a constant so that the double sum, and so the result, is the same
     * for every number of threads (parallel whenever there are fewer rows than threads).
     */
    private static final int ROW_PIECES = 16;

    /**
     * The loops over one contiguous row or one block of columns: {@link CpuReductionPlain}, or
     * {@code CpuReductionVector} where {@link CpuVectorSupport} enables the Vector API. Column sums and extremes are
     * bit-identical between them; a row sum is in double in both, in a different order.
     */
    interface Kernel {
        /** A short name for logs and test names. */
        String name();

        /** {@code sum_{k < count} x[base + k]}, accumulated in double. */
        double sumRow(float[] x, int base, int count);

        /** {@code acc[j] = sum_{k < axis} x[base + k * inner + j]} for {@code j < cols}, in double, in {@code k} order. */
        void sumColumns(float[] x, int base, int axis, int inner, int cols, double[] acc);

        /** {@code y[dst + j] = max (or min)_{k < axis} x[base + k * inner + j]} for {@code j < cols}, NaN propagating. */
        void extremeColumns(boolean max, float[] x, int base, int axis, int inner, int cols, float[] y, int dst);
    }

    private static final Kernel BEST = CpuVectorSupport.choose("reduction", Kernel.class, "org.cnn4j.cpu.CpuReductionVector",
            CpuReductionPlain::new);

    private final Kernel kernel;

    /** With the kernel {@link CpuVectorSupport} chooses. */
    CpuReduction() {
        this(BEST);
    }

    /** With {@code kernel} (tests run both). */
    CpuReduction(Kernel kernel) {
        this.kernel = kernel;
    }

    /** The kernel this instance runs. */
    Kernel kernel() {
        return kernel;
    }

    /** {@code y[o * inner + j] = op_k x[(o * axis + k) * inner + j]}; {@code MEAN} divides the double sum by {@code axis}. */
    @Override
    public void reduce(ReduceOp op, int outer, int axis, int inner, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        if ((op == ReduceOp.SUM || op == ReduceOp.MEAN) && inner == 1 && outer < CpuParallel.threads()
                && (long) axis >= 2 * GRAIN) {
            for (int o = 0; o < outer; o++) {
                double sum = sumSplit(kernel, xs, (int) (xOff + (long) o * axis), axis);
                ys[(int) (yOff + o)] = (float) (op == ReduceOp.MEAN ? sum / axis : sum);
            }
            return;
        }
        int blocks = (inner + INNER_BLOCK - 1) / INNER_BLOCK;
        long units = (long) outer * blocks;
        long grain = Math.max(1, GRAIN / ((long) axis * Math.min(inner, INNER_BLOCK)));
        CpuParallel.parallelFor(0, units, grain, (from, to) -> {
            double[] acc = new double[Math.min(inner, INNER_BLOCK)];
            for (long u = from; u < to; u++) {
                int o = (int) (u / blocks);
                int j0 = (int) (u % blocks) * INNER_BLOCK;
                int cols = Math.min(INNER_BLOCK, inner - j0);
                int base = (int) (xOff + (long) o * axis * inner + j0);
                int dst = (int) (yOff + (long) o * inner + j0);
                if (op == ReduceOp.SUM || op == ReduceOp.MEAN) {
                    kernel.sumColumns(xs, base, axis, inner, cols, acc);
                    boolean mean = op == ReduceOp.MEAN;
                    for (int j = 0; j < cols; j++) {
                        ys[dst + j] = (float) (mean ? acc[j] / axis : acc[j]);
                    }
                } else {
                    kernel.extremeColumns(op == ReduceOp.MAX, xs, base, axis, inner, cols, ys, dst);
                }
            }
        });
    }

    /** {@code y[o * inner + j] = min { k : x[o, k, j] is the largest (NaN largest) along the axis }}, as a float. */
    @Override
    public void argmax(int outer, int axis, int inner, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        long grain = Math.max(1, GRAIN / axis);
        CpuParallel.parallelFor(0, (long) outer * inner, grain, (from, to) -> {
            for (long u = from; u < to; u++) {
                long o = u / inner;
                long j = u % inner;
                int base = (int) (xOff + o * axis * inner + j);
                ys[(int) (yOff + u)] = argmaxStrided(xs, base, axis, inner);
            }
        });
    }

    /**
     * {@code sum_{k < count} x[base + k]} in double, split into up to {@link #ROW_PIECES} contiguous pieces of at
     * least {@link #GRAIN} floats that the threads share (a whole-tensor sum, such as a loss, would otherwise run on
     * one core); the pieces' sums are added in piece order, so the result does not depend on the number of threads.
     */
    private static double sumSplit(Kernel kernel, float[] x, int base, int count) {
        int pieces = (int) Math.min(ROW_PIECES, count / GRAIN);
        double[] partial = new double[pieces];
        CpuParallel.parallelFor(0, pieces, 1, (from, to) -> {
            for (long q = from; q < to; q++) {
                int lo = (int) ((long) count * q / pieces);
                int hi = (int) ((long) count * (q + 1) / pieces);
                partial[(int) q] = kernel.sumRow(x, base + lo, hi - lo);
            }
        });
        double sum = 0;
        for (double p : partial) {
            sum += p;
        }
        return sum;
    }

    /** {@code sum_{k < count} x[base + k * stride]} in double, with four partial sums. */
    static double sumStrided(float[] x, int base, int count, int stride) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        for (; k + 4 <= count; k += 4) {
            int p = base + k * stride;
            s0 += x[p];
            s1 += x[p + stride];
            s2 += x[p + 2 * stride];
            s3 += x[p + 3 * stride];
        }
        for (; k < count; k++) {
            s0 += x[base + k * stride];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** First {@code k < count} where {@code x[base + k * stride]} is largest, or the first NaN; as a float. */
    private static float argmaxStrided(float[] x, int base, int count, int stride) {
        float best = x[base];
        int bestIndex = 0;
        for (int k = 1; k < count && !Float.isNaN(best); k++) {
            float v = x[base + k * stride];
            if (v > best || Float.isNaN(v)) {
                best = v;
                bestIndex = k;
            }
        }
        return bestIndex;
    }
}
