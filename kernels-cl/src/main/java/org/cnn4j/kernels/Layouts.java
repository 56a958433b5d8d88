package org.cnn4j.kernels;

import org.cnn4j.runtime.spi.StridedLayout;

/** Small facts about {@link StridedLayout}s that the launchers choose variants by. */
final class Layouts {
    private Layouts() {
    }

    /**
     * Whether the layout walks memory contiguously in row-major order: every dimension longer than 1 has
     * the stride of a packed row-major array of {@code dims} (dimensions of extent 1 may have any stride).
     */
    static boolean isContiguous(StridedLayout layout) {
        long expected = 1;
        for (int d = layout.rank() - 1; d >= 0; d--) {
            if (layout.dims()[d] != 1 && layout.strides()[d] != expected) {
                return false;
            }
            expected *= layout.dims()[d];
        }
        return true;
    }

    /** Smallest element offset the layout reaches, relative to its base (negative strides go below it). */
    static long minReach(StridedLayout layout) {
        long reach = 0;
        for (int d = 0; d < layout.rank(); d++) {
            long stride = layout.strides()[d];
            if (stride < 0) {
                reach += (layout.dims()[d] - 1L) * stride;
            }
        }
        return reach;
    }

    /** Largest element offset the layout reaches, relative to its base. */
    static long maxReach(StridedLayout layout) {
        long reach = 0;
        for (int d = 0; d < layout.rank(); d++) {
            long stride = layout.strides()[d];
            if (stride > 0) {
                reach += (layout.dims()[d] - 1L) * stride;
            }
        }
        return reach;
    }
}
