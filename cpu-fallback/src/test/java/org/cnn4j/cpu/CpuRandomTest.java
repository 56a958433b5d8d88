package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.Philox;
import org.junit.jupiter.api.Test;

/**
 * {@link CpuRandom} is element for element {@link Philox}'s definition (uniform and bernoulli bit for
 * bit, normal within a few ulps), for lengths not a multiple of 4, offsets and seeds with both halves
 * set; and its moments over 10^6 samples are within a few standard errors of the distribution's.
 */
class CpuRandomTest {
    private static final Backend BACKEND = TestData.backend();
    private static final long SEED = 0x1234_5678_9abc_def0L;

    @Test
    void uniformIsPhiloxDefinition() {
        int n = 100_003;
        long offset = 77;
        float low = -2f;
        float high = 3f;
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = low + (high - low) * Philox.uniform(Philox.blockFor(SEED, offset, i)[i % 4]);
        }
        Tolerance.assertSame("uniform", expected, generate(n, 5, y -> BACKEND.uniform(n, SEED, offset, low, high, y, 5)));
    }

    @Test
    void bernoulliIsPhiloxDefinition() {
        int n = 10_001;
        float p = 0.3f;
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = Philox.uniform(Philox.blockFor(SEED, 0, i)[i % 4]) < p ? 1f : 0f;
        }
        Tolerance.assertSame("bernoulli", expected, generate(n, 0, y -> BACKEND.bernoulli(n, SEED, 0, p, y, 0)));
    }

    @Test
    void normalIsPhiloxDefinition() {
        int n = 100_002;
        long offset = 1L << 33;
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = 0.5f + 2f * Philox.normal(Philox.blockFor(SEED, offset, i), i % 4);
        }
        Tolerance.assertClose("normal", expected, generate(n, 3, y -> BACKEND.normal(n, SEED, offset, 0.5f, 2f, y, 3)),
                1e-6, 1e-6);
    }

    @Test
    void uniformMoments() {
        float[] x = generate(1_000_000, 0, y -> BACKEND.uniform(1_000_000, 7, 0, 0f, 1f, y, 0));
        assertMoments("uniform(0, 1)", x, 0.5, 1.0 / 12, 1.0 / 180);
    }

    @Test
    void normalMoments() {
        float[] x = generate(1_000_000, 0, y -> BACKEND.normal(1_000_000, 8, 0, 1f, 3f, y, 0));
        assertMoments("normal(1, 3)", x, 1.0, 9.0, 2.0 * 81);
    }

    @Test
    void bernoulliMoments() {
        double p = 0.2;
        float[] x = generate(1_000_000, 0, y -> BACKEND.bernoulli(1_000_000, 9, 0, (float) p, y, 0));
        double q = 1 - p;
        assertMoments("bernoulli(0.2)", x, p, p * q, p * q * (1 - 4 * p * q));
    }

    @Test
    void consecutiveOffsetsContinueTheStream() {
        int n = 64;
        float[] whole = generate(n, 0, y -> BACKEND.uniform(n, SEED, 10, 0f, 1f, y, 0));
        float[] first = generate(n / 2, 0, y -> BACKEND.uniform(n / 2, SEED, 10, 0f, 1f, y, 0));
        float[] second = generate(n / 2, 0, y -> BACKEND.uniform(n / 2, SEED, 10 + Philox.countersFor(n / 2), 0f, 1f, y, 0));
        float[] joined = new float[n];
        System.arraycopy(first, 0, joined, 0, n / 2);
        System.arraycopy(second, 0, joined, n / 2, n / 2);
        Tolerance.assertSame("uniform in two calls", whole, joined);
    }

    /**
     * Mean and variance within 5 standard errors: {@code se(mean) = sqrt(var / n)},
     * {@code se(var) = sqrt((mu4 - var^2) / n)}, {@code mu4} the fourth central moment. The last argument is
     * {@code mu4 - var^2}: {@code 1/180} for uniform(0, 1), {@code 2 sigma^4} for a normal, {@code pq(1 - 4pq)} for bernoulli(p).
     */
    private static void assertMoments(String what, float[] x, double mean, double var, double mu4MinusVar2) {
        int n = x.length;
        double sum = 0;
        for (float v : x) {
            sum += v;
        }
        double m = sum / n;
        double ss = 0;
        for (float v : x) {
            ss += (v - m) * (v - m);
        }
        double s2 = ss / (n - 1);
        double seMean = Math.sqrt(var / n);
        double seVar = Math.sqrt(mu4MinusVar2 / n);
        assertTrue(Math.abs(m - mean) <= 5 * seMean,
                what + ": sample mean must be within 5 standard errors (" + 5 * seMean + ") of " + mean + ", but got " + m);
        assertTrue(Math.abs(s2 - var) <= 5 * seVar,
                what + ": sample variance must be within 5 standard errors (" + 5 * seVar + ") of " + var + ", but got " + s2);
    }

    private static float[] generate(int n, int yOff, java.util.function.Consumer<DeviceMemory> call) {
        DeviceMemory y = BACKEND.allocate(n + yOff);
        call.accept(y);
        float[] all = TestData.download(BACKEND, y, n + yOff);
        float[] out = new float[n];
        System.arraycopy(all, yOff, out, 0, n);
        return out;
    }
}
