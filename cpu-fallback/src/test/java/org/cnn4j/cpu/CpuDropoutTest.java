package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.Philox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link CpuDropout} is, element for element and bit for bit, the definition in
 * {@link org.cnn4j.runtime.spi.DropoutOps} written with {@link Philox}: group {@code j = i / groupSize}
 * keeps iff {@code uniform(word j % 4 of block offset + j / 4) >= p}, kept values are {@code x / (1 - p)}.
 * Element-wise and whole-channel groups, lengths not a multiple of 4 or of the group, in place, and the
 * fraction dropped over many elements; with each {@link CpuPhilox} kernel ({@link CpuPhiloxPlain} and
 * {@code CpuPhiloxVector}), which are also compared directly on every length around a chunk, counters that carry
 * into their high word, and probabilities on, between and outside the representable uniforms.
 */
class CpuDropoutTest {
    private static final Backend BACKEND = TestData.backend();
    private static final List<TestData.Impl<CpuDropout>> IMPLS = TestData.impls(CpuPhilox.class, new CpuPhiloxPlain(),
            "org.cnn4j.cpu.CpuPhiloxVector", CpuDropout::new);
    private static final long SEED = 0x0123_4567_89ab_cdefL;

    private static float[] reference(long n, long groupSize, float p, long seed, long offset, float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < n; i++) {
            long j = i / groupSize;
            int[] block = Philox.blockFor(seed, offset, j); // counter offset + j / 4
            boolean keep = Philox.uniform(block[(int) (j % 4)]) >= p;
            y[i] = keep ? x[i] / (1f - p) : 0f;
        }
        return y;
    }

    @ParameterizedTest(name = "n={0} group={1} p={2} offset={3}")
    @CsvSource({"1, 1, 0.5, 0", "10007, 1, 0.3, 5", "10007, 1, 0.0, 0", "100003, 1, 0.9, 4294967301",
            "9, 3, 0.5, 2", "12250, 49, 0.25, 11", "6272, 196, 0.5, 0", "37, 37, 0.5, 1", "1001, 10, 0.1, 3"})
    void matchesPhiloxDefinition(int n, long groupSize, float p, long offset) {
        float[] x = TestData.random(n, n);
        float[] expected = reference(n, groupSize, p, SEED, offset, x);
        for (TestData.Impl<CpuDropout> impl : IMPLS) {
            DeviceMemory xm = TestData.uploadAt(BACKEND, x, 3);
            DeviceMemory ym = TestData.garbage(BACKEND, n, 2);
            impl.ops().dropout(n, groupSize, p, SEED, offset, xm, 3, ym, 2);
            Tolerance.assertSame(impl + " dropout n=" + n + " group=" + groupSize, expected, TestData.downloadAt(BACKEND, ym, 2, n));
            impl.ops().dropout(n, groupSize, p, SEED, offset, xm, 3, xm, 3); // in place
            Tolerance.assertSame(impl + " dropout in place n=" + n, expected, TestData.downloadAt(BACKEND, xm, 3, n));
        }
    }

    @Test
    void dropsAboutPOfTheGroups() {
        int n = 1 << 20;
        float p = 0.3f;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        DeviceMemory m = TestData.upload(BACKEND, ones);
        IMPLS.get(1).ops().dropout(n, 1, p, 99, 0, m, 0, m, 0);
        float[] y = TestData.download(BACKEND, m, n);
        int dropped = 0;
        for (float v : y) {
            dropped += v == 0f ? 1 : 0;
            assertTrue(v == 0f || v == 1f / (1f - p), "dropout: kept value must be 1 / (1 - p), but got " + v);
        }
        double fraction = (double) dropped / n;
        double sigma = Math.sqrt(p * (1 - p) / n);
        assertTrue(Math.abs(fraction - p) < 5 * sigma, "dropout: dropped fraction must be within 5 sigma of " + p
                + ", but got " + fraction + " (sigma " + sigma + ")");
    }

    /**
     * The vector kernel equals the plain one bit for bit (any NaN for a NaN; signed zeros by their bits) on every
     * length from 0 to three chunks, at odd offsets, for counters whose low word wraps inside the range, and for
     * probabilities exactly on a representable uniform (where {@code u >= p} is decided by equality), between two,
     * at 0 and 1, below 0, above 1 and NaN; every repetition compared, until C2 has compiled both.
     */
    @Test
    void kernelsAgreeBitForBit() {
        CpuPhilox plain = new CpuPhiloxPlain();
        CpuPhilox vector = CpuVectorSupport.load("org.cnn4j.cpu.CpuPhiloxVector", CpuPhilox.class);
        int chunk = CpuPhiloxVector.CHUNK;
        float[] ps = {0.5f, 0.3f, 0f, -0f, 1f, -0.5f, 1.5f, Float.NaN, 0x1p-24f, 0x1.8p-1f, 0.75f + 0x1p-24f,
            Float.MIN_VALUE, 1f - 0x1p-24f, Float.NEGATIVE_INFINITY};
        float[] x = TestData.withSpecials(3, 3 * chunk + 16, 9);
        for (int rep = 0; rep < 4 * TestData.COMPILE_REPS; rep++) {
            for (int len = rep % 3; len <= 3 * chunk + 5; len += 3) {
                long counter = rep % 2 == 0 ? 17 + rep : 0xFFFF_FFF0L + rep; // the second wraps lo32 into hi32
                long seed = SEED + rep;
                int k0 = (int) seed;
                int k1 = (int) (seed >>> 32);
                float p = ps[(len + rep) % ps.length];
                int off = len % 5;
                String what = "len=" + len + " counter=" + counter + " p=" + p + " rep " + rep;
                float[] expected = new float[len + 6];
                float[] actual = new float[len + 6];
                plain.dropout(counter, k0, k1, p, 1f - p, x, off, expected, 3, len);
                vector.dropout(counter, k0, k1, p, 1f - p, x, off, actual, 3, len);
                assertBitsEqual("dropout " + what, expected, actual);
            }
        }
    }

    /** {@code CpuPhiloxVector.keepThreshold} is the least word whose uniform is {@code >= p}, for every special {@code p}. */
    @Test
    void keepThresholdIsTheLeastKeptWord() {
        float[] ps = {0.5f, 0.3f, 0f, -0f, 1f, -0.5f, 1.5f, Float.NaN, 0x1p-24f, Float.MIN_VALUE, 1f - 0x1p-24f,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0.1f, 0.9f};
        for (float p : ps) {
            long t = CpuPhiloxVector.keepThreshold(p);
            for (long w : new long[] {t - 256, t - 1, t, t + 255, 0, 0xFFFF_FFFFL}) {
                if (w < 0 || w > 0xFFFF_FFFFL) {
                    continue;
                }
                boolean keep = Philox.uniform((int) w) >= p;
                org.junit.jupiter.api.Assertions.assertEquals(keep, w >= t, "p=" + p + " word=" + Long.toHexString(w)
                        + " threshold=" + Long.toHexString(t));
            }
        }
    }

    /** Equal bits (so signed zeros must match), except that any two NaNs are equal. */
    private static void assertBitsEqual(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(expected[i]),
                        Float.floatToRawIntBits(actual[i]), what + ": bits at index " + i + " (plain " + expected[i]
                                + ", vector " + actual[i] + ")");
            }
        }
    }
}
