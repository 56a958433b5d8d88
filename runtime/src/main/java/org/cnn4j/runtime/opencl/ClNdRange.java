package org.cnn4j.runtime.opencl;

import java.util.Arrays;

/**
 * The global and local sizes of one launch. The global size is always a multiple of the local size
 * (OpenCL 1.2 has no non-uniform work-groups), so kernels guard their bounds, and kernels with barriers
 * must not return before a barrier.
 *
 * @param global work-items per dimension, rounded up to a multiple of {@code local}
 * @param local work-group size per dimension
 */
public record ClNdRange(long[] global, long[] local) {
    /** Checks that the two have the same rank (1 to 3) and that {@code local} divides {@code global}. */
    public ClNdRange {
        if (global.length != local.length || global.length < 1 || global.length > 3) {
            throw new IllegalArgumentException("ClNdRange: global and local must have the same rank in [1, 3], but got global="
                    + Arrays.toString(global) + " local=" + Arrays.toString(local));
        }
        for (int d = 0; d < global.length; d++) {
            if (local[d] < 1 || global[d] < 1 || global[d] % local[d] != 0) {
                throw new IllegalArgumentException("ClNdRange: global size must be a positive multiple of the local size in "
                        + "every dimension, but got global=" + Arrays.toString(global) + " local=" + Arrays.toString(local));
            }
        }
        global = global.clone();
        local = local.clone();
    }

    /**
     * The range covering {@code work} items with work-groups of {@code local}: each global size is
     * {@code work[d]} rounded up to a multiple of {@code local[d]}.
     */
    public static ClNdRange covering(long[] work, long[] local) {
        long[] global = new long[work.length];
        for (int d = 0; d < work.length; d++) {
            long w = Math.max(1, work[d]);
            global[d] = (w + local[d] - 1) / local[d] * local[d];
        }
        return new ClNdRange(global, local);
    }

    /**
     * A work-group shape for {@code work} items within the limits: per dimension at most the preferred
     * size ({@code 256} in 1-D, {@code 16 x 16} in 2-D and 3-D, {@code 1} in the third dimension), the
     * device's {@code maxItems[d]}, what is left of {@code limit} (the product of the sizes never exceeds
     * it) and the next power of two of {@code work[d]} (no idle items for tiny launches).
     *
     * @param work items per dimension
     * @param limit the most work-items a group may have (device, kernel and user cap, already combined)
     * @param maxItems {@code CL_DEVICE_MAX_WORK_ITEM_SIZES}
     */
    public static long[] autoLocal(long[] work, long limit, long[] maxItems) {
        long[] preferred = switch (work.length) {
            case 1 -> new long[] {256};
            case 2 -> new long[] {16, 16};
            case 3 -> new long[] {16, 16, 1};
            default -> throw new IllegalArgumentException("ClNdRange.autoLocal: rank must be in [1, 3], but got " + work.length);
        };
        long[] local = new long[work.length];
        long left = Math.max(1, limit);
        for (int d = 0; d < work.length; d++) {
            long l = Math.min(Math.min(preferred[d], maxItems[d]), Math.min(left, nextPowerOfTwo(work[d])));
            local[d] = Math.max(1, l);
            left = Math.max(1, left / local[d]);
        }
        return local;
    }

    /** The smallest power of two at least {@code x} (1 for {@code x <= 1}). */
    public static long nextPowerOfTwo(long x) {
        return x <= 1 ? 1 : Long.highestOneBit(x - 1) << 1;
    }

    /** Number of dimensions. */
    public int rank() {
        return global.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClNdRange r && Arrays.equals(global, r.global) && Arrays.equals(local, r.local);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(global) + Arrays.hashCode(local);
    }

    @Override
    public String toString() {
        return "global=" + Arrays.toString(global) + ", local=" + Arrays.toString(local);
    }
}
