package org.cnn4j.cpu;

import org.cnn4j.runtime.testing.NaiveOptimizer;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CpuOptimizer} against the plain double loops of {@link NaiveOptimizer}.
 * Each optimizer runs {@value #STEPS} steps with fresh seeded gradients against {@link NaiveOptimizer} in double:
 * every variant branch (SGD's first step, momentum, dampening, Nesterov and weight decay; centred RMSProp with and
 * without momentum; Adam with L2, AMSGrad and AdamW), odd sizes, distinct nonzero offsets inside NaN padding that
 * must stay untouched, and null state buffers wherever the contract allows them; with each kernel
 * ({@link CpuOptimizerPlain} and {@code CpuOptimizerVector}), which are also compared bit for bit on every length
 * around the vector width, every variant, and special values in parameters, gradients and state.
 */
class CpuOptimizerTest {
    private static final int[] SIZES = {1, 7, 1025, 100003};
    private static final int STEPS = 4;
    /**
     * Float rounding of a few operations per step, accumulated over the steps, against double: {@code ATOL} is
     * per unit of the largest magnitude in the buffer compared (at least 1).
     */
    private static final double ATOL = 1e-6;
    private static final double RTOL = 1e-5;

    private static final Backend BACKEND = TestData.backend();
    private static final List<TestData.Impl<CpuOptimizer>> IMPLS = TestData.impls(CpuOptimizer.Kernel.class,
            new CpuOptimizerPlain(), "org.cnn4j.cpu.CpuOptimizerVector", CpuOptimizer::new);

    static List<TestData.Impl<CpuOptimizer>> impls() {
        return IMPLS;
    }

    /** {lr, momentum, dampening, weightDecay, nesterov}. */
    private static final float[][] SGD = {
        {0.1f, 0f, 0f, 0f, 0}, {0.1f, 0f, 0f, 1e-2f, 0}, {0.05f, 0.9f, 0f, 0f, 0}, {0.05f, 0.9f, 0.1f, 5e-3f, 0},
        {0.05f, 0.9f, 0f, 1e-2f, 1}, {0.05f, 0.5f, 0.5f, 0f, 1}};

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void sgdMatchesReference(TestData.Impl<CpuOptimizer> impl) {
        Backend b = BACKEND;
        CpuOptimizer ops = impl.ops();
        for (float[] c : SGD) {
            boolean momentum = c[1] != 0f;
            for (int n : SIZES) {
                String what = "sgd lr=" + c[0] + " momentum=" + c[1] + " dampening=" + c[2] + " wd=" + c[3]
                        + " nesterov=" + (c[4] != 0) + " n=" + n;
                Trial t = new Trial(b, n, impl + " " + what, Float.NaN);     // buf is garbage: the first step must not read it
                for (int step = 1; step <= STEPS; step++) {
                    float[] g = t.gradient(step);
                    boolean first = step == 1;
                    ops.sgdStep(n, c[0], c[1], c[2], c[3], c[4] != 0, first, t.p, t.pOff, t.g, t.gOff,
                            momentum ? t.state(0) : null, t.stateOff(0));
                    NaiveOptimizer.sgd(c[0], c[1], c[2], c[3], c[4] != 0, first, t.pRef, g, t.ref[0]);
                    t.check(step, momentum);
                }
                t.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void adagradMatchesReference(TestData.Impl<CpuOptimizer> impl) {
        Backend b = BACKEND;
        CpuOptimizer ops = impl.ops();
        float lr = 0.1f;
        float lrDecay = 0.01f;
        for (float wd : new float[] {0f, 1e-2f}) {
            for (int n : SIZES) {
                String what = "adagrad lr=" + lr + " lrDecay=" + lrDecay + " wd=" + wd + " n=" + n;
                Trial t = new Trial(b, n, impl + " " + what, 0.1f);            // initial_accumulator_value 0.1
                for (int step = 1; step <= STEPS; step++) {
                    float[] g = t.gradient(step);
                    float clr = (float) (lr / (1 + (step - 1) * (double) lrDecay));
                    ops.adagradStep(n, clr, wd, 1e-10f, t.p, t.pOff, t.g, t.gOff, t.state(0), t.stateOff(0));
                    NaiveOptimizer.adagrad(clr, wd, 1e-10f, t.pRef, g, t.ref[0]);
                    t.check(step, true);
                }
                t.release();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void rmspropMatchesReference(TestData.Impl<CpuOptimizer> impl) {
        Backend b = BACKEND;
        CpuOptimizer ops = impl.ops();
        float lr = 0.01f;
        float alpha = 0.99f;
        float eps = 1e-8f;
        for (boolean centered : new boolean[] {false, true}) {
            for (float momentum : new float[] {0f, 0.9f}) {
                float wd = centered ? 1e-2f : 0f;
                for (int n : SIZES) {
                    String what = "rmsprop centered=" + centered + " momentum=" + momentum + " wd=" + wd + " n=" + n;
                    Trial t = new Trial(b, n, impl + " " + what, 0f, 0f, 0f);
                    for (int step = 1; step <= STEPS; step++) {
                        float[] g = t.gradient(step);
                        ops.rmspropStep(n, lr, alpha, eps, wd, momentum, centered, t.p, t.pOff, t.g, t.gOff,
                                t.state(0), t.stateOff(0), centered ? t.state(1) : null, t.stateOff(1),
                                momentum > 0 ? t.state(2) : null, t.stateOff(2));
                        NaiveOptimizer.rmsprop(lr, alpha, eps, wd, momentum, centered, t.pRef, g, t.ref[0], t.ref[1], t.ref[2]);
                        t.check(step, true, centered, momentum > 0);
                    }
                    t.release();
                }
            }
        }
    }

    /** {weightDecay, decoupled, amsgrad}. */
    private static final float[][] ADAM = {{0f, 0, 0}, {1e-2f, 0, 0}, {0f, 0, 1}, {1e-2f, 0, 1}, {1e-2f, 1, 0}, {0.1f, 1, 1}};

    @ParameterizedTest(name = "{0}")
    @MethodSource("impls")
    void adamMatchesReference(TestData.Impl<CpuOptimizer> impl) {
        Backend b = BACKEND;
        CpuOptimizer ops = impl.ops();
        float lr = 1e-3f;
        float beta1 = 0.9f;
        float beta2 = 0.999f;
        float eps = 1e-8f;
        for (float[] c : ADAM) {
            boolean decoupled = c[1] != 0;
            boolean amsgrad = c[2] != 0;
            for (int n : SIZES) {
                String what = (decoupled ? "adamw" : "adam") + " wd=" + c[0] + " amsgrad=" + amsgrad + " n=" + n;
                Trial t = new Trial(b, n, impl + " " + what, 0f, 0f, 0f);
                for (int step = 1; step <= STEPS; step++) {
                    float[] g = t.gradient(step);
                    if (amsgrad && step == 3) {
                        g = t.scaleGradient(0.01f);         // v falls: vmax must keep the maximum
                    }
                    float bc1 = (float) (1 - Math.pow(beta1, step));
                    float bc2 = (float) (1 - Math.pow(beta2, step));
                    ops.adamStep(n, lr, beta1, beta2, eps, c[0], decoupled, amsgrad, bc1, bc2, t.p, t.pOff, t.g, t.gOff,
                            t.state(0), t.stateOff(0), t.state(1), t.stateOff(1), amsgrad ? t.state(2) : null, t.stateOff(2));
                    NaiveOptimizer.adam(lr, beta1, beta2, eps, c[0], decoupled, amsgrad, bc1, bc2, t.pRef, g,
                            t.ref[0], t.ref[1], t.ref[2]);
                    t.check(step, true, true, amsgrad);
                }
                t.release();
            }
        }
    }

    /**
     * The vector kernel equals the plain one bit for bit (any NaN for a NaN; signed zeros by their bits) in p and
     * every state array, for every variant of every optimizer, on lengths 0 to 40 at odd offsets, with NaN,
     * infinities, signed zeros and subnormals in the parameters, gradients and state; repeated until C2 has compiled
     * both.
     */
    @Test
    void kernelsAgreeBitForBit() {
        CpuOptimizer.Kernel plain = new CpuOptimizerPlain();
        CpuOptimizer.Kernel vector = CpuVectorSupport.load("org.cnn4j.cpu.CpuOptimizerVector", CpuOptimizer.Kernel.class);
        for (int rep = 0; rep < 4 * TestData.COMPILE_REPS; rep++) {
            for (int len = rep % 2; len <= 40; len += 2) {
                int off = (len + rep) % 7;
                int variant = len + rep;
                float wd = variant % 3 == 0 ? 0f : 1e-2f;
                boolean f1 = variant % 2 == 0;
                boolean f2 = (variant / 2) % 2 == 0;
                boolean f3 = (variant / 4) % 2 == 0;
                String what = "len=" + len + " off=" + off + " wd=" + wd + " flags=" + f1 + "," + f2 + "," + f3 + " rep " + rep;
                long seed = rep * 1000L + len;
                State e = new State(seed, len + 9);
                State a = new State(seed, len + 9);
                plain.sgd(len, 0.05f, 0.9f, 0.9f, wd, f1, f2, e.p, off, e.g, 8 - off, f3 ? e.s[0] : null, off);
                vector.sgd(len, 0.05f, 0.9f, 0.9f, wd, f1, f2, a.p, off, a.g, 8 - off, f3 ? a.s[0] : null, off);
                e.assertSame("sgd " + what, a);
                plain.adagrad(len, 0.1f, wd, 1e-10f, e.p, off, e.g, 8 - off, e.s[1], 1);
                vector.adagrad(len, 0.1f, wd, 1e-10f, a.p, off, a.g, 8 - off, a.s[1], 1);
                e.assertSame("adagrad " + what, a);
                plain.rmsprop(len, 0.01f, 0.99f, 1f - 0.99f, 1e-8f, wd, f3 ? 0.9f : 0f, e.p, off, e.g, 8 - off, e.s[2], 2,
                        f1 ? e.s[3] : null, 0, f3 ? e.s[4] : null, 3);
                vector.rmsprop(len, 0.01f, 0.99f, 1f - 0.99f, 1e-8f, wd, f3 ? 0.9f : 0f, a.p, off, a.g, 8 - off, a.s[2], 2,
                        f1 ? a.s[3] : null, 0, f3 ? a.s[4] : null, 3);
                e.assertSame("rmsprop " + what, a);
                float bc2 = 1f - 0.999f;
                plain.adam(len, 0.9f, 0.999f, 0.1f, 1f - 0.999f, 1e-8f, wd, f1, CpuOptimizer.adamWDecay(1e-3f, wd),
                        CpuOptimizer.adamStepSize(1e-3f, 0.1f), CpuOptimizer.adamBc2Sqrt(bc2), e.p, off, e.g, 8 - off,
                        e.s[0], 1, e.s[1], 2, f2 ? e.s[5] : null, off);
                vector.adam(len, 0.9f, 0.999f, 0.1f, 1f - 0.999f, 1e-8f, wd, f1, CpuOptimizer.adamWDecay(1e-3f, wd),
                        CpuOptimizer.adamStepSize(1e-3f, 0.1f), CpuOptimizer.adamBc2Sqrt(bc2), a.p, off, a.g, 8 - off,
                        a.s[0], 1, a.s[1], 2, f2 ? a.s[5] : null, off);
                e.assertSame("adam " + what, a);
            }
        }
    }

    /** Parameters, gradient and six state arrays for {@link #kernelsAgreeBitForBit}, with special values. */
    private static final class State {
        final float[] p;
        final float[] g;
        final float[][] s = new float[6][];

        State(long seed, int n) {
            p = TestData.withSpecials(seed, n, 11);
            g = TestData.withSpecials(seed + 1, n, 11);
            for (int k = 0; k < s.length; k++) {
                s[k] = TestData.withSpecials(seed + 2 + k, n, 13);
                for (int i = 0; i < n; i++) {
                    s[k][i] = Math.abs(s[k][i]); // second moments are not negative (NaN stays NaN)
                }
            }
        }

        void assertSame(String what, State actual) {
            assertBitsEqual(what + ": p", p, actual.p);
            assertBitsEqual(what + ": g", g, actual.g);
            for (int k = 0; k < s.length; k++) {
                assertBitsEqual(what + ": state " + k, s[k], actual.s[k]);
            }
        }

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

    @Test
    void missingStateBufferIsRejected() {
        Backend b = BACKEND;
        DeviceMemory p = b.allocate(8);
        DeviceMemory g = b.allocate(8);
        DeviceMemory s = b.allocate(8);
        assertThrows(IllegalArgumentException.class, () -> b.sgdStep(8, 0.1f, 0.9f, 0f, 0f, false, true, p, 0, g, 0, null, 0));
        assertThrows(IllegalArgumentException.class, () -> b.adagradStep(8, 0.1f, 0f, 1e-10f, p, 0, g, 0, null, 0));
        assertThrows(IllegalArgumentException.class,
                () -> b.rmspropStep(8, 0.1f, 0.99f, 1e-8f, 0f, 0f, true, p, 0, g, 0, s, 0, null, 0, null, 0));
        assertThrows(IllegalArgumentException.class,
                () -> b.rmspropStep(8, 0.1f, 0.99f, 1e-8f, 0f, 0.9f, false, p, 0, g, 0, s, 0, null, 0, null, 0));
        assertThrows(IllegalArgumentException.class,
                () -> b.adamStep(8, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, true, 0.1f, 0.001f, p, 0, g, 0, s, 0, s, 0, null, 0));
        b.release(p);
        b.release(g);
        b.release(s);
    }

    /**
     * One run: p at offset 3 (values in [-1, 1)), g at offset 5, state k at offset 1 + 2k, each inside NaN padding
     * of 3 elements past the end, beside the double references {@code pRef} and {@code ref[k]}.
     */
    private static final class Trial {
        final Backend b;
        final int n;
        final String what;
        final DeviceMemory p;
        final long pOff = 3;
        final DeviceMemory g;
        final long gOff = 5;
        final double[] pRef;
        final double[][] ref;
        private final DeviceMemory[] states;
        private float[] gHost;

        Trial(Backend b, int n, String what, float... init) {
            this.b = b;
            this.n = n;
            this.what = what;
            float[] p0 = randomFloats(n * 31L + init.length, n, 1f);
            this.p = padded(pOff, p0);
            this.g = padded(gOff, new float[n]);
            this.pRef = widen(p0);
            this.ref = new double[init.length][];
            this.states = new DeviceMemory[init.length];
            for (int k = 0; k < init.length; k++) {
                float[] s = new float[n];
                java.util.Arrays.fill(s, init[k]);
                states[k] = padded(stateOff(k), s);
                ref[k] = widen(s);
            }
        }

        DeviceMemory state(int k) {
            return states[k];
        }

        long stateOff(int k) {
            return 1 + 2L * k;
        }

        /** Fresh gradient for {@code step}, uploaded to g. */
        float[] gradient(int step) {
            gHost = randomFloats(n * 7L + step, n, 1f);
            gHost[0] = 0f;                                        // a zero gradient
            b.write(gHost, 0, g, gOff, n);
            return gHost;
        }

        /** The current gradient times {@code s}, uploaded to g. */
        float[] scaleGradient(float s) {
            for (int i = 0; i < n; i++) {
                gHost[i] *= s;
            }
            b.write(gHost, 0, g, gOff, n);
            return gHost;
        }

        /** Compares p and the states marked used, and checks that the padding around each is still NaN. */
        void check(int step, boolean... used) {
            compare(what + " step " + step + ": p", pRef, p, pOff);
            for (int k = 0; k < used.length; k++) {
                if (used[k]) {
                    compare(what + " step " + step + ": state " + k, ref[k], states[k], stateOff(k));
                }
            }
        }

        private void compare(String label, double[] expected, DeviceMemory m, long off) {
            float[] all = new float[(int) off + n + 3];
            b.read(m, 0, all, 0, all.length);
            float[] actual = java.util.Arrays.copyOfRange(all, (int) off, (int) off + n);
            // absolute error follows the largest terms: RMSProp's buf sums terms near 10 that may cancel
            double scale = 1;
            for (double e : expected) {
                scale = Math.max(scale, Math.abs(e));
            }
            double atol = ATOL * scale;
            Tolerance.assertClose(label, expected, actual, atol, RTOL);
            for (int i = 0; i < all.length; i++) {
                if ((i < off || i >= off + n) && !Float.isNaN(all[i])) {
                    throw new AssertionError(label + ": padding element " + i + " must stay NaN, but got " + all[i]
                            + " (range [" + off + ", " + (off + n) + "))");
                }
            }
        }

        private DeviceMemory padded(long off, float[] host) {
            DeviceMemory m = b.allocate(off + host.length + 3);
            b.fill(m, 0, off + host.length + 3, Float.NaN);
            b.write(host, 0, m, off, host.length);
            return m;
        }

        void release() {
            b.release(p);
            b.release(g);
            for (DeviceMemory s : states) {
                b.release(s);
            }
        }
    }

    private static float[] randomFloats(long seed, int n, float scale) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = scale * (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    private static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
