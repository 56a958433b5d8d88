package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.StridedLayout;
import org.junit.jupiter.api.Test;

/** {@link CpuLayout#stridedCopy} against obvious loops and {@link NaiveStrided#gather}. */
class CpuLayoutTest {
    private static final Backend BACKEND = TestData.backend();

    @Test
    void transposeOf3dMatchesLoops() {
        int d0 = 5;
        int d1 = 7;
        int d2 = 9;
        float[] src = TestData.random(1, d0 * d1 * d2 + 4);
        // dst[k][i][j] = src[i][j][k]: permutation (2, 0, 1) of a contiguous [d0, d1, d2] source at offset 4
        StridedLayout l = new StridedLayout(new int[] {d2, d0, d1}, new long[] {1, (long) d1 * d2, d2});
        float[] expected = new float[d0 * d1 * d2];
        for (int k = 0; k < d2; k++) {
            for (int i = 0; i < d0; i++) {
                for (int j = 0; j < d1; j++) {
                    expected[(k * d0 + i) * d1 + j] = src[4 + (i * d1 + j) * d2 + k];
                }
            }
        }
        Tolerance.assertSame("stridedCopy transpose", expected, copy(l, src, 4));
    }

    @Test
    void generalLayoutsMatchGather() {
        StridedLayout[] layouts = {
            new StridedLayout(new int[] {100_000}, new long[] {1}),
            new StridedLayout(new int[] {1000, 100}, new long[] {1, 1000}),
            new StridedLayout(new int[] {300, 200}, new long[] {0, 1}),
            new StridedLayout(new int[] {2, 3, 4, 5, 1, 2, 3, 2}, new long[] {1, 2, 6, 24, 7, 120, 240, 720}),
            new StridedLayout(new int[] {60, 70, 80}, new long[] {80, 0, 1}),
            new StridedLayout(new int[] {17, 1, 33}, new long[] {2, 5, 40}),
        };
        for (StridedLayout l : layouts) {
            long max = 0;
            for (int d = 0; d < l.rank(); d++) {
                max += (l.dims()[d] - 1) * l.strides()[d];
            }
            float[] src = TestData.random(l.rank(), (int) max + 3);
            Tolerance.assertSame("stridedCopy " + l, NaiveStrided.gather(l, src, 2), copy(l, src, 2));
        }
    }

    private static float[] copy(StridedLayout l, float[] src, int srcOff) {
        int n = (int) l.size();
        DeviceMemory dst = BACKEND.allocate(n + 3);
        BACKEND.stridedCopy(l, TestData.upload(BACKEND, src), srcOff, dst, 3);
        return java.util.Arrays.copyOfRange(TestData.download(BACKEND, dst, n + 3), 3, n + 3);
    }
}
