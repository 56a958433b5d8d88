package org.cnn4j.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnn4j.runtime.opencl.ClNdRange;
import org.junit.jupiter.api.Test;

/** Work-group shapes stay within every limit and global sizes round up; needs no device. */
class ClNdRangeTest {
    @Test
    void globalRoundsUpToTheLocalSize() {
        ClNdRange r = ClNdRange.covering(new long[] {1000, 3}, new long[] {16, 4});
        assertArrayEquals(new long[] {1008, 4}, r.global());
        assertArrayEquals(new long[] {16, 4}, r.local());
    }

    @Test
    void autoLocalRespectsLimits() {
        long[] items = {1024, 1024, 64};
        assertArrayEquals(new long[] {256}, ClNdRange.autoLocal(new long[] {100000}, 1024, items));
        assertArrayEquals(new long[] {16}, ClNdRange.autoLocal(new long[] {100000}, 16, items));
        assertArrayEquals(new long[] {8}, ClNdRange.autoLocal(new long[] {5}, 1024, items));
        assertArrayEquals(new long[] {4}, ClNdRange.autoLocal(new long[] {100000}, 1024, new long[] {4, 1, 1}));
        assertArrayEquals(new long[] {16, 2}, ClNdRange.autoLocal(new long[] {100, 100}, 32, items));
        assertArrayEquals(new long[] {16, 16, 1}, ClNdRange.autoLocal(new long[] {100, 100, 7}, 1024, items));
        for (long limit = 1; limit <= 300; limit++) {
            long[] l = ClNdRange.autoLocal(new long[] {999, 77, 5}, limit, items);
            assertTrue(l[0] * l[1] * l[2] <= limit, "limit " + limit);
        }
    }

    @Test
    void rejectsNonUniformRanges() {
        assertThrows(IllegalArgumentException.class, () -> new ClNdRange(new long[] {10}, new long[] {4}));
        assertThrows(IllegalArgumentException.class, () -> new ClNdRange(new long[] {8, 8}, new long[] {4}));
    }
}
