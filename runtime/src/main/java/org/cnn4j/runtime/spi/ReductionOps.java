package org.cnn4j.runtime.spi;

/**
 * Reductions of a contiguous tensor seen as {@code [outer, axis, inner]}:
 * {@code y[o * inner + j] = op_{k < axis} x[(o * axis + k) * inner + j]}.
 * A whole-tensor reduction is {@code outer = inner = 1}.
 */
public interface ReductionOps {
    /** Reduces along the middle dimension; {@code axis >= 1}. Sums accumulate in at least float32 with pairwise or tree order. */
    void reduce(ReduceOp op, int outer, int axis, int inner, DeviceMemory x, long xOff, DeviceMemory y, long yOff);

    /** Index (as a float) of the largest element along the axis; the first such index on ties; a NaN counts as largest. */
    void argmax(int outer, int axis, int inner, DeviceMemory x, long xOff, DeviceMemory y, long yOff);
}
