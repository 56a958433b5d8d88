package org.cnn4j.runtime;

import java.util.Arrays;
import org.cnn4j.runtime.spi.StridedLayout;

/**
 * NumPy broadcasting and dimension merging.
 *
 * <p>Two shapes broadcast when, aligned at their last dimensions, each pair of extents is equal or one
 * of them is 1; the result takes the larger extent, and the operand with extent 1 (or without that
 * dimension) is read with stride 0.
 */
final class Broadcast {
    private Broadcast() {
    }

    /** The broadcast result shape of {@code a} and {@code b}, or an error naming {@code op}. */
    static Shape shape(String op, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = extent(a, i - rank + a.rank());
            int db = extent(b, i - rank + b.rank());
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes must be broadcastable, but got " + a + " and " + b);
            }
            dims[i] = Math.max(da, db);
        }
        return Shape.of(dims);
    }

    private static int extent(Shape s, int i) {
        return i < 0 ? 1 : s.toArray()[i];
    }

    /** Strides that read {@code operand} (contiguous) as if it had shape {@code out}: 0 along broadcast dimensions. */
    static long[] stridesFor(Shape operand, Shape out) {
        int[] od = operand.toArray();
        long[] os = operand.contiguousStrides();
        long[] strides = new long[out.rank()];
        int shift = out.rank() - od.length;
        for (int i = shift; i < out.rank(); i++) {
            strides[i] = od[i - shift] == 1 ? 0 : os[i - shift];
        }
        return strides;
    }

    /**
     * Merges adjacent dimensions that every operand traverses as one (stride[d] == stride[d+1] * dims[d+1])
     * and drops dimensions of extent 1; the output is contiguous, so it never prevents a merge.
     *
     * @param dims output extents
     * @param strides one stride array per operand, each of {@code dims.length}
     * @return one layout per operand, all with the same merged dims
     * @throws IllegalArgumentException if more than {@link StridedLayout#MAX_RANK} dimensions remain
     */
    static StridedLayout[] coalesce(String op, int[] dims, long[]... strides) {
        int n = strides.length;
        int[] md = new int[Math.max(1, dims.length)];
        long[][] ms = new long[n][Math.max(1, dims.length)];
        int r = 0;
        for (int d = 0; d < dims.length; d++) {
            if (dims[d] == 1) {
                continue;
            }
            if (r > 0 && mergeable(md[r - 1], ms, r - 1, dims[d], strides, d)) {
                md[r - 1] *= dims[d];
                for (int k = 0; k < n; k++) {
                    ms[k][r - 1] = strides[k][d];
                }
                continue;
            }
            md[r] = dims[d];
            for (int k = 0; k < n; k++) {
                ms[k][r] = strides[k][d];
            }
            r++;
        }
        if (r == 0) { // a single element: one dimension of extent 1
            r = 1;
            md[0] = 1;
        }
        if (r > StridedLayout.MAX_RANK) {
            throw new IllegalArgumentException(op + ": the strided traversal must merge to at most " + StridedLayout.MAX_RANK
                    + " dimensions, but got " + r + " (dims " + Arrays.toString(dims) + ")");
        }
        StridedLayout[] layouts = new StridedLayout[n];
        for (int k = 0; k < n; k++) {
            layouts[k] = new StridedLayout(Arrays.copyOf(md, r), Arrays.copyOf(ms[k], r));
        }
        return layouts;
    }

    private static boolean mergeable(int prevDim, long[][] merged, int prev, int dim, long[][] strides, int d) {
        for (int k = 0; k < strides.length; k++) {
            if (merged[k][prev] != strides[k][d] * dim) {
                return false;
            }
        }
        return prevDim > 0;
    }

    /** True when a layout reads its operand contiguously, with no broadcast: rank 1, stride 1. */
    static boolean isContiguous(StridedLayout layout) {
        return layout.rank() == 1 && layout.strides()[0] == 1;
    }
}
