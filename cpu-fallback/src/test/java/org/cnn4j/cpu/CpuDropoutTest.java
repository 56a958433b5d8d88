package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * fraction dropped over many elements.
 */
class CpuDropoutTest {
    private static final Backend BACKEND = TestData.backend();
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
        DeviceMemory xm = TestData.uploadAt(BACKEND, x, 3);
        DeviceMemory ym = TestData.garbage(BACKEND, n, 2);
        BACKEND.dropout(n, groupSize, p, SEED, offset, xm, 3, ym, 2);
        Tolerance.assertSame("dropout n=" + n + " group=" + groupSize, expected, TestData.downloadAt(BACKEND, ym, 2, n));
        BACKEND.dropout(n, groupSize, p, SEED, offset, xm, 3, xm, 3); // in place
        Tolerance.assertSame("dropout in place n=" + n, expected, TestData.downloadAt(BACKEND, xm, 3, n));
    }

    @Test
    void dropsAboutPOfTheGroups() {
        int n = 1 << 20;
        float p = 0.3f;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        DeviceMemory m = TestData.upload(BACKEND, ones);
        BACKEND.dropout(n, 1, p, 99, 0, m, 0, m, 0);
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
}
