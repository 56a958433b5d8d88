package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.Tolerance.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.Philox;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** random.cl against the Java reference {@link Philox}: uniform and Bernoulli bit for bit, normal within a few ulps. */
class ClRandomTest {
    private static final int[] SIZES = {1, 2, 3, 4, 5, 1001, 4099};
    private static final long[][] SEEDS_AND_OFFSETS = {{0, 0}, {42, 7}, {0x123456789ABCDEFL, (1L << 33) + 5}, {-1L, -8L}};
    /** Box-Muller in float with the device's log, sqrt, cospi and sinpi, against the reference in double. */
    private static final long MAX_NORMAL_ULPS = 16;

    static Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void uniformAndBernoulliAreBitIdentical(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (long[] so : SEEDS_AND_OFFSETS) {
            for (int n : SIZES) {
                DeviceMemory y = b.allocate(n + 3);
                b.uniform(n, so[0], so[1], -2f, 3f, y, 3);
                float[] expected = new float[n];
                for (int i = 0; i < n; i++) {
                    float u = Philox.uniform(Philox.blockFor(so[0], so[1], i)[i % 4]);
                    expected[i] = -2f + (3f - -2f) * u;
                }
                assertBitIdentical("uniform n=" + n + " seed=" + so[0] + " offset=" + so[1] + " on " + tb, expected,
                        download(b, y, 3, n));
                float p = 0.3f;
                b.bernoulli(n, so[0], so[1], p, y, 3);
                for (int i = 0; i < n; i++) {
                    expected[i] = Philox.uniform(Philox.blockFor(so[0], so[1], i)[i % 4]) < p ? 1f : 0f;
                }
                assertBitIdentical("bernoulli n=" + n + " seed=" + so[0] + " offset=" + so[1] + " on " + tb, expected,
                        download(b, y, 3, n));
                b.release(y);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void normalIsWithinAFewUlpsOfTheReference(TestBackend tb) {
        OpenClBackend b = tb.backend();
        long worst = 0;
        for (long[] so : SEEDS_AND_OFFSETS) {
            for (int n : SIZES) {
                DeviceMemory y = b.allocate(n + 1);
                b.normal(n, so[0], so[1], 0f, 1f, y, 1);
                float[] got = download(b, y, 1, n);
                for (int i = 0; i < n; i++) {
                    float expected = Philox.normal(Philox.blockFor(so[0], so[1], i), i % 4);
                    long ulps = Tolerance.ulps(expected, got[i]);
                    // near a zero of cos or sin the result is tiny; allow its absolute error instead
                    boolean ok = ulps <= MAX_NORMAL_ULPS || Math.abs(expected - got[i]) <= 1e-6;
                    assertTrue(ok, "normal[" + i + "] n=" + n + " seed=" + so[0] + " offset=" + so[1] + ": expected "
                            + expected + ", got " + got[i] + " (" + ulps + " ulps, tolerance " + MAX_NORMAL_ULPS + " ulps) on " + tb);
                    if (Math.abs(expected) > 1e-3) {
                        worst = Math.max(worst, ulps);
                    }
                }
                b.normal(n, so[0], so[1], 1.5f, 0.25f, y, 1);
                float[] scaled = download(b, y, 1, n);
                for (int i = 0; i < n; i++) {
                    float expected = 1.5f + 0.25f * got[i];
                    assertTrue(expected == scaled[i], "normal mean/std scaling at " + i + ": expected " + expected + ", got "
                            + scaled[i] + " on " + tb);
                }
                b.release(y);
            }
        }
        System.out.println("normal: worst ulp distance from the Java reference on " + tb + " = " + worst);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void consecutiveCallsContinueTheStream(TestBackend tb) {
        OpenClBackend b = tb.backend();
        DeviceMemory whole = b.allocate(24);
        DeviceMemory parts = b.allocate(24);
        b.uniform(24, 9, 100, 0f, 1f, whole, 0);
        b.uniform(8, 9, 100, 0f, 1f, parts, 0);
        b.uniform(16, 9, 100 + Philox.countersFor(8), 0f, 1f, parts, 8);
        assertBitIdentical("uniform in two calls on " + tb, download(b, whole, 0, 24), download(b, parts, 0, 24));
        b.release(whole);
        b.release(parts);
    }
}
