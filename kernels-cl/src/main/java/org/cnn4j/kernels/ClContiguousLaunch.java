package org.cnn4j.kernels;

import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClNdRange;

/**
 * The launch shape of the element-wise kernels that walk a contiguous range ({@link ClElementwise}, {@link ClActivation},
 * {@link ClOptimizer}'s SGD and Adam): {@value #SCALAR_PER_ITEM} elements per work-item for the scalar kernels, with
 * {@link ClNdRange#autoLocal}'s work-groups; {@link ClElementwise#VECTORS_PER_ITEM} vectors of the device's float width
 * per work-item for the {@code _vec} kernels of CPU devices, in work-groups of up to 16 work-items, so that even small
 * tensors spread over the compute units.
 */
final class ClContiguousLaunch {
    /** Elements per work-item of the scalar kernels. */
    static final int SCALAR_PER_ITEM = 4;

    private final boolean vector;
    private final int perItem;
    /** {@code CL_DEVICE_MAX_WORK_ITEM_SIZES}. */
    private final long[] maxItems;

    /** For the {@code _vec} kernels of width {@code vw} when {@code vector}, else for the scalar ones. */
    ClContiguousLaunch(ClContext context, boolean vector, int vw) {
        this.vector = vector;
        this.perItem = vector ? ClElementwise.VECTORS_PER_ITEM * vw : SCALAR_PER_ITEM;
        this.maxItems = context.device().maxWorkItemSizes();
    }

    /** Elements per work-item. */
    int perItem() {
        return perItem;
    }

    /** The range that covers {@code n} elements with {@code kernel}. */
    ClNdRange range(long n, ClKernel kernel) {
        long items = ClElementwise.ceilDiv(n, perItem);
        long limit = kernel.maxWorkGroupSize();
        if (!vector) {
            return ClNdRange.covering(new long[] {items}, ClNdRange.autoLocal(new long[] {items}, limit, maxItems));
        }
        long local = Math.min(Math.min(16, ClNdRange.nextPowerOfTwo(items)), Math.min(limit, maxItems[0]));
        return ClNdRange.covering(new long[] {items}, new long[] {Long.highestOneBit(Math.max(1, local))});
    }
}
