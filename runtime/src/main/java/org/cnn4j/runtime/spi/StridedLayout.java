package org.cnn4j.runtime.spi;

import java.util.Arrays;

/**
 * The index map of a strided, possibly broadcast, traversal: an output of {@code dims} (row-major,
 * contiguous) where operand element {@code (i0, ..., i_{r-1})} lives at {@code offset + sum_d i_d * strides[d]}.
 * A stride of 0 repeats (broadcasts) an operand along that dimension.
 *
 * <p>Rank is at most {@link #MAX_RANK}; the runtime merges adjacent dimensions that traverse memory
 * the same way before it builds one, so most ops reach the backend with rank 1 or 2.
 *
 * @param dims output extent per dimension, each at least 1
 * @param strides operand stride per dimension, in elements
 */
public record StridedLayout(int[] dims, long[] strides) {
    /** The most dimensions a strided kernel accepts (one OpenCL {@code int8}/{@code long8} argument). */
    public static final int MAX_RANK = 8;

    /** Checks rank and lengths; copies nothing. */
    public StridedLayout {
        if (dims.length != strides.length || dims.length == 0 || dims.length > MAX_RANK) {
            throw new IllegalArgumentException("StridedLayout: dims and strides must have the same rank in [1, "
                    + MAX_RANK + "], but got dims=" + Arrays.toString(dims) + " strides=" + Arrays.toString(strides));
        }
    }

    /** Number of output elements. */
    public long size() {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** Rank. */
    public int rank() {
        return dims.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StridedLayout other && Arrays.equals(dims, other.dims) && Arrays.equals(strides, other.strides);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(strides);
    }

    @Override
    public String toString() {
        return "StridedLayout[dims=" + Arrays.toString(dims) + ", strides=" + Arrays.toString(strides) + "]";
    }
}
