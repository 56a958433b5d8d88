package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** dropout.cl against the Philox reference: the mask bit for bit, element-wise and per channel, in place. */
class ClDropoutTest {
    /** {n, groupSize}: odd sizes, groups that straddle work-items, one group, a partial last group. */
    private static final long[][] CASES = {{1, 1}, {7, 1}, {1003, 1}, {5 * 49, 49}, {6 * 9 + 4, 9}, {100, 100}, {50, 3},
        {64, 1}, {128, 1}, {131, 1}, {4096 + 62, 1}};
    private static final long[][] SEEDS_AND_OFFSETS = {{0, 0}, {42, 7}, {0x123456789ABCDEFL, (1L << 33) + 5}, {-1L, -8L}};

    static Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void maskIsBitIdenticalToPhilox(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (long[] so : SEEDS_AND_OFFSETS) {
            for (long[] c : CASES) {
                int n = (int) c[0];
                long group = c[1];
                for (float p : new float[] {0f, 0.1f, 0.3f, 0.9f}) {
                    float[] x = random(n, n + 1, 0.5f, 2f);       // never zero, so a zero output means dropped
                    float[] expected = new float[n];
                    for (int i = 0; i < n; i++) {
                        expected[i] = NaiveCnn.keep(i, group, p, so[0], so[1]) ? x[i + 1] / (1f - p) : 0f;
                    }
                    String what = "dropout n=" + n + " group=" + group + " p=" + p + " seed=" + so[0] + " offset=" + so[1]
                            + " on " + tb;
                    DeviceMemory xd = upload(b, x);
                    DeviceMemory yd = b.allocate(n + 2);
                    b.dropout(n, group, p, so[0], so[1], xd, 1, yd, 2);
                    assertBitIdentical(what, expected, download(b, yd, 2, n));
                    b.dropout(n, group, p, so[0], so[1], xd, 1, xd, 1);    // in place
                    assertBitIdentical("in place " + what, expected, download(b, xd, 1, n));
                    b.release(xd);
                    b.release(yd);
                }
            }
        }
    }

    /** Every element-wise variant (lanes of 16 blocks, one block per work-item, general) on every device, bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyVariantIsBitIdentical(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (ClDropout.Variant v : ClDropout.Variant.values()) {
            ClDropout dropout = new ClDropout(b.context(), v);
            for (long[] so : SEEDS_AND_OFFSETS) {
                for (long[] c : CASES) {
                    int n = (int) c[0];
                    float p = 0.25f;
                    float[] x = random(n + 7, n + 3, -2f, 2f);
                    x[1] = Float.NaN;
                    x[2] = Float.POSITIVE_INFINITY;
                    float[] expected = new float[n];
                    for (int i = 0; i < n; i++) {
                        expected[i] = NaiveCnn.keep(i, c[1], p, so[0], so[1]) ? x[i + 3] / (1f - p) : 0f;
                    }
                    String what = v + " n=" + n + " group=" + c[1] + " seed=" + so[0] + " offset=" + so[1] + " on " + tb;
                    org.cnn4j.runtime.opencl.ClBuffer xd = (org.cnn4j.runtime.opencl.ClBuffer) upload(b, x);
                    org.cnn4j.runtime.opencl.ClBuffer yd = (org.cnn4j.runtime.opencl.ClBuffer) upload(b, random(1, n + 5, 3f, 4f));
                    dropout.dropout(n, c[1], p, so[0], so[1], xd, 3, yd, 1);
                    assertBitIdentical(what, expected, download(b, yd, 1, n));
                    assertBitIdentical("after the end untouched " + what, java.util.Arrays.copyOfRange(random(1, n + 5, 3f, 4f), n + 1,
                            n + 5), download(b, yd, n + 1, 4));
                    dropout.dropout(n, c[1], p, so[0], so[1], xd, 3, xd, 3);    // in place
                    assertBitIdentical("in place " + what, expected, download(b, xd, 3, n));
                    b.release(xd);
                    b.release(yd);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void channelsAreDroppedWhole(TestBackend tb) {
        OpenClBackend b = tb.backend();
        int channels = 64;
        int plane = 25;
        float[] x = new float[channels * plane];
        java.util.Arrays.fill(x, 1f);
        DeviceMemory xd = upload(b, x);
        b.dropout(x.length, plane, 0.5f, 3, 0, xd, 0, xd, 0);
        float[] y = download(b, xd, 0, x.length);
        int dropped = 0;
        for (int c = 0; c < channels; c++) {
            for (int i = 1; i < plane; i++) {
                assertTrue(y[c * plane + i] == y[c * plane], "channel " + c + " must be kept or dropped whole on " + tb);
            }
            dropped += y[c * plane] == 0f ? 1 : 0;
        }
        assertTrue(dropped > 10 && dropped < 54, "about half the channels dropped, got " + dropped + " on " + tb);
        b.release(xd);
    }
}
