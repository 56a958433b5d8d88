package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.cnn4j.it.Contract.assertShape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Philox;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random tensors follow the Philox contract of {@link org.cnn4j.runtime.spi.RandomOps}: uniform and
 * bernoulli are bit-identical, on every device, to the values {@link Philox} computes on the host for
 * the same seed and offset; normal is within a few ulps of {@link Philox#normal}; a draw advances the
 * generator by {@code ceil(n / 4)} counters; and every OpenCL device gives the CPU's tensor.
 */
class RandomContractTest {
    /** Sizes around the 4-element Philox block and work-group sizes. */
    static final int[] SIZES = {1, 2, 3, 4, 5, 7, 8, 1023, 1025, 100003};

    /** Seeds: small, with the high key word set, negative (both key words with the top bit set). */
    static final long[] SEEDS = {0L, 42L, 0x1234_5678_9ABC_DEF0L, -7L};

    /**
     * Normal values: Box-Muller with {@code r = sqrt(-2 ln u1) <= 5.8} and {@code theta = 2 pi u2}. A device
     * computing {@code theta} in float32 is off by up to about {@code 4e-7} rad (rounding of {@code 2 pi}
     * and of the product), which moves {@code r cos(theta)} by up to {@code 5.8 * 4e-7 = 2.3e-6} where the
     * value crosses zero; log, sqrt, sin and cos add a few ulps of the result ({@code rtol 1e-5}).
     */
    static final Tolerance NORMAL = new Tolerance(3e-6, 1e-5);

    /** {@code low + (high - low) * u_i} with float32 arithmetic, {@code u_i} from the Philox word of element i. */
    static float[] expectedUniform(long seed, long offset, int n, float low, float high) {
        float[] y = new float[n];
        float range = high - low;
        for (int i = 0; i < n; i++) {
            int[] block = Philox.blockFor(seed, offset, i);
            y[i] = low + range * Philox.uniform(block[i % 4]);
        }
        return y;
    }

    /** {@code u_i < p ? 1 : 0}. */
    static float[] expectedBernoulli(long seed, long offset, int n, float p) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int[] block = Philox.blockFor(seed, offset, i);
            y[i] = Philox.uniform(block[i % 4]) < p ? 1f : 0f;
        }
        return y;
    }

    /** {@code mean + std * z_i} in double, {@code z_i} from {@link Philox#normal}. */
    static double[] expectedNormal(long seed, long offset, int n, float mean, float std) {
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            int[] block = Philox.blockFor(seed, offset, i);
            y[i] = mean + (double) std * Philox.normal(block, i % 4);
        }
        return y;
    }

    private static String what(Device device, String op, long seed, long offset, int n) {
        return op + " n=" + n + " seed=" + seed + " offset=" + offset + " on " + device.spec();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void uniformIsBitIdenticalToPhilox(Device device) {
        float[][] ranges = {{0f, 1f}, {-1f, 1f}, {-3f, 5f}, {0.1f, 0.7f}};
        for (long seed : SEEDS) {
            for (int n : SIZES) {
                for (float[] r : ranges) {
                    Generator g = new Generator(seed);
                    try (Scope scope = Scope.open()) {
                        Tensor t = device.uniform(g, r[0], r[1], n);
                        assertShape("uniform", new int[] {n}, t);
                        Tolerance.EXACT.assertClose(what(device, "uniform[" + r[0] + ", " + r[1] + ")", seed, 0, n),
                                expectedUniform(seed, 0, n, r[0], r[1]), t.toArray());
                    }
                    assertEquals(Philox.countersFor(n), g.offset(), "generator offset after one draw of " + n);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void successiveDrawsAdvanceTheOffset(Device device) {
        long seed = 2024;
        Generator g = new Generator(seed);
        int[] draws = {5, 1, 1023, 4, 3, 100003, 7};
        long offset = 0;
        for (int n : draws) {
            assertEquals(offset, g.offset(), "offset before a draw of " + n);
            try (Scope scope = Scope.open()) {
                float[] actual = device.uniform(g, 0f, 1f, n).toArray();
                Tolerance.EXACT.assertClose(what(device, "uniform (successive draw)", seed, offset, n),
                        expectedUniform(seed, offset, n, 0f, 1f), actual);
            }
            offset += Philox.countersFor(n);
        }
        // the three kinds share one stream
        try (Scope scope = Scope.open()) {
            long o1 = g.offset();
            float[] b = device.bernoulli(g, 0.5f, 9).toArray();
            long o2 = g.offset();
            float[] z = device.normal(g, 0f, 1f, 6).toArray();
            long o3 = g.offset();
            float[] u = device.uniform(g, 0f, 1f, 2).toArray();
            assertEquals(o1 + 3, o2, "bernoulli of 9 takes 3 counters");
            assertEquals(o2 + 2, o3, "normal of 6 takes 2 counters");
            Tolerance.EXACT.assertClose(what(device, "bernoulli (shared stream)", seed, o1, 9), expectedBernoulli(seed, o1, 9, 0.5f), b);
            NORMAL.assertClose(what(device, "normal (shared stream)", seed, o2, 6), expectedNormal(seed, o2, 6, 0f, 1f), z);
            Tolerance.EXACT.assertClose(what(device, "uniform (shared stream)", seed, o3, 2), expectedUniform(seed, o3, 2, 0f, 1f), u);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void offsetsBeyond32BitsUseTheHighCounterWord(Device device) {
        long seed = 99;
        long offset = (1L << 32) - 3; // the draw's counters cross 2^32
        Generator g = new Generator(seed);
        g.setOffset(offset);
        int n = 41;
        try (Scope scope = Scope.open()) {
            Tolerance.EXACT.assertClose(what(device, "uniform across 2^32", seed, offset, n),
                    expectedUniform(seed, offset, n, 0f, 1f), device.uniform(g, 0f, 1f, n).toArray());
        }
        assertEquals(offset + Philox.countersFor(n), g.offset(), "offset after the draw");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void bernoulliIsBitIdenticalToPhilox(Device device) {
        float[] ps = {0f, 0.3f, 0.5f, 0.999f, 1f};
        for (long seed : SEEDS) {
            for (int n : SIZES) {
                for (float p : ps) {
                    Generator g = new Generator(seed);
                    g.setOffset(17);
                    try (Scope scope = Scope.open()) {
                        float[] actual = device.bernoulli(g, p, n).toArray();
                        Tolerance.EXACT.assertClose(what(device, "bernoulli(p=" + p + ")", seed, 17, n),
                                expectedBernoulli(seed, 17, n, p), actual);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void normalIsWithinAFewUlpsOfPhilox(Device device) {
        float[][] params = {{0f, 1f}, {2f, 0.5f}, {-1f, 3f}};
        for (long seed : SEEDS) {
            for (int n : SIZES) {
                for (float[] p : params) {
                    Generator g = new Generator(seed);
                    try (Scope scope = Scope.open()) {
                        float[] actual = device.normal(g, p[0], p[1], n).toArray();
                        Tolerance tol = new Tolerance(NORMAL.atol() * p[1] + Math.ulp(Math.abs(p[0])), NORMAL.rtol());
                        tol.assertClose(what(device, "normal(" + p[0] + ", " + p[1] + ")", seed, 0, n),
                                expectedNormal(seed, 0, n, p[0], p[1]), actual);
                    }
                    assertEquals(Philox.countersFor(n), g.offset(), "generator offset after normal of " + n);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void multiDimensionalDrawsUseRowMajorOrder(Device device) {
        long seed = 5;
        try (Scope scope = Scope.open()) {
            Tensor t = device.uniform(new Generator(seed), 0f, 1f, 3, 5, 7);
            assertShape("uniform [3, 5, 7]", new int[] {3, 5, 7}, t);
            Tolerance.EXACT.assertClose(what(device, "uniform [3, 5, 7]", seed, 0, 105),
                    expectedUniform(seed, 0, 105, 0f, 1f), t.toArray());
            float[] zero = device.normal(new Generator(seed), 1.5f, 0f, 9).toArray();
            for (float v : zero) {
                assertEquals(1.5f, v, "normal with std 0 is the mean on " + device.spec());
            }
            float[] scalar = device.uniform(new Generator(seed), 0f, 1f).toArray();
            assertEquals(1, scalar.length, "a rank-0 draw has one element");
            assertEquals(expectedUniform(seed, 0, 1, 0f, 1f)[0], scalar[0], "rank-0 uniform on " + device.spec());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void everyDeviceMatchesTheCpu(Device device) {
        Device cpu = TestDevices.cpu();
        int n = 100003;
        long seed = 77;
        try (Scope scope = Scope.open()) {
            Generator gd = new Generator(seed);
            Generator gc = new Generator(seed);
            Tolerance.EXACT.assertClose(what(device, "uniform vs cpu", seed, 0, n),
                    cpu.uniform(gc, -2f, 3f, n).toArray(), device.uniform(gd, -2f, 3f, n).toArray());
            Tolerance.EXACT.assertClose(what(device, "bernoulli vs cpu", seed, gd.offset(), n),
                    cpu.bernoulli(gc, 0.25f, n).toArray(), device.bernoulli(gd, 0.25f, n).toArray());
            Tolerances.twice(NORMAL).assertClose(what(device, "normal vs cpu", seed, gd.offset(), n),
                    cpu.normal(gc, 0f, 1f, n).toArray(), device.normal(gd, 0f, 1f, n).toArray());
            assertEquals(gc.offset(), gd.offset(), "generator offsets after the same draws");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void drawsHaveTheExpectedStatistics(Device device) {
        // A sanity check of the conversions (the bit-exact tests above pin the values themselves).
        int n = 100003;
        try (Scope scope = Scope.open()) {
            Generator g = new Generator(8);
            float u = device.uniform(g, 0f, 1f, n).mean().item();
            float b = device.bernoulli(g, 0.3f, n).mean().item();
            Tensor z = device.normal(g, 0f, 1f, n);
            float zMean = z.mean().item();
            float zVar = z.square().mean().item();
            // standard errors: sqrt(1/12/n) = 9e-4, sqrt(0.21/n) = 1.4e-3, 1/sqrt(n) = 3.2e-3, sqrt(2/n) = 4.5e-3; allow 5 of them
            assertTrue(Math.abs(u - 0.5f) < 5e-3, "mean of uniform[0, 1) must be near 0.5, but got " + u);
            assertTrue(Math.abs(b - 0.3f) < 7e-3, "mean of bernoulli(0.3) must be near 0.3, but got " + b);
            assertTrue(Math.abs(zMean) < 1.6e-2, "mean of normal must be near 0, but got " + zMean);
            assertTrue(Math.abs(zVar - 1f) < 2.3e-2, "variance of normal must be near 1, but got " + zVar);
        }
    }
}
