package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.StridedLayout;

/**
 * Walks the row-major index space of a {@link StridedLayout} one innermost row at a time, for up to
 * two operands with their own strides: an index odometer with no per-element allocation.
 */
final class CpuStrides {

    /** Receives one innermost row of a walk. */
    @FunctionalInterface
    interface RowVisitor {
        /**
         * Handles {@code len} consecutive output elements starting at output position {@code outPos}
         * (row-major), whose operands start at {@code aPos} and {@code bPos} and advance by the
         * innermost strides of their layouts.
         */
        void row(long outPos, long aPos, long bPos, int len);
    }

    private CpuStrides() {
    }

    /** Whether {@code layout} traverses memory contiguously: its strides are the row-major strides of its dims. */
    static boolean isContiguous(StridedLayout layout) {
        int[] dims = layout.dims();
        long[] strides = layout.strides();
        long expected = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            if (dims[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= dims[d];
        }
        return true;
    }

    /**
     * Visits the output positions {@code [from, to)} of {@code dims} row by row: a row ends at the end of
     * the innermost dimension or at {@code to}. Operand position of index {@code (i_0, ..., i_{r-1})} is
     * {@code aBase + sum_d i_d * aStrides[d]} (same for b).
     */
    static void forEachRow(int[] dims, long[] aStrides, long aBase, long[] bStrides, long bBase,
                           long from, long to, RowVisitor visitor) {
        int rank = dims.length;
        int last = rank - 1;
        int[] idx = new int[rank];
        long aPos = aBase;
        long bPos = bBase;
        long rest = from;
        for (int d = last; d >= 0; d--) {
            idx[d] = (int) (rest % dims[d]);
            rest /= dims[d];
            aPos += idx[d] * aStrides[d];
            bPos += idx[d] * bStrides[d];
        }
        long pos = from;
        while (pos < to) {
            int len = (int) Math.min(dims[last] - idx[last], to - pos);
            visitor.row(pos, aPos, bPos, len);
            pos += len;
            aPos += len * aStrides[last];
            bPos += len * bStrides[last];
            idx[last] += len;
            for (int d = last; d > 0 && idx[d] == dims[d]; d--) {
                idx[d] = 0;
                aPos += aStrides[d - 1] - dims[d] * aStrides[d];
                bPos += bStrides[d - 1] - dims[d] * bStrides[d];
                idx[d - 1]++;
            }
        }
    }
}
