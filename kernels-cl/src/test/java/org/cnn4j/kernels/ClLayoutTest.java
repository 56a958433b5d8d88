package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertBitIdentical;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.StridedLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** layout.cl against a plain index loop: transposes, broadcasts, rank 1 to 8, the contiguous copy path. */
class ClLayoutTest {
    static Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void fixedLayouts(TestBackend tb) {
        check(tb, new StridedLayout(new int[] {1037}, new long[] {1}), 5);            // contiguous: buffer copy
        check(tb, new StridedLayout(new int[] {33, 17}, new long[] {1, 33}), 2);      // transpose
        check(tb, new StridedLayout(new int[] {5, 7}, new long[] {0, 1}), 0);         // broadcast rows
        check(tb, new StridedLayout(new int[] {4, 3, 5}, new long[] {1, 20, 4}), 1);  // permutation
        check(tb, new StridedLayout(new int[] {9}, new long[] {3}), 0);               // every third element
        check(tb, new StridedLayout(new int[] {2, 3, 1, 2, 3, 2, 1, 3}, ClElementwiseTest.permutedStrides(
                new int[] {2, 3, 1, 2, 3, 2, 1, 3}, 5)), 3);                            // rank 8
        check(tb, new StridedLayout(new int[] {1, 1, 1}, new long[] {9, 9, 9}), 4);    // one element
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void randomLayouts(TestBackend tb) {
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 32; trial++) {
            int rank = 1 + trial % 8;
            int[] dims = new int[rank];
            for (int d = 0; d < rank; d++) {
                dims[d] = 1 + random.nextInt(rank > 4 ? 4 : 9);
            }
            long[] strides = trial % 3 == 0 ? ClElementwiseTest.broadcastStrides(dims, random.nextInt())
                    : ClElementwiseTest.permutedStrides(dims, random.nextLong());
            check(tb, new StridedLayout(dims, strides), trial % 4);
        }
    }

    private static void check(TestBackend tb, StridedLayout layout, int srcOff) {
        OpenClBackend b = tb.backend();
        int n = (int) layout.size();
        float[] src = random(n * 7L + srcOff, (int) (srcOff + Layouts.maxReach(layout) + 1), -5f, 5f);
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = src[(int) (srcOff + NaiveElementwise.offset(layout, i))];
        }
        DeviceMemory sd = upload(b, src);
        DeviceMemory dd = b.allocate(n + 2);
        b.stridedCopy(layout, sd, srcOff, dd, 2);
        assertBitIdentical("stridedCopy " + layout + " offset " + srcOff + " on " + tb, expected, download(b, dd, 2, n));
        b.release(sd);
        b.release(dd);
    }
}
