package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link CpuActivation} against {@link NaiveActivation} for every {@link Activation}, forward and
 * backward, at odd lengths and offsets, in place, with NaN and infinities, with each kernel
 * ({@link CpuActivationPlain} and {@code CpuActivationVector}); the two kernels against each other, bit for bit,
 * at every length and offset around the vector width; {@link CpuActivation#erf} against known values and an
 * independent quadrature; and the naive derivatives against central differences.
 */
class CpuActivationTest {
    private static final Backend BACKEND = TestData.backend();
    private static final List<TestData.Impl<CpuActivation>> IMPLS = TestData.impls(CpuActivation.Kernel.class,
            new CpuActivationPlain(), "org.cnn4j.cpu.CpuActivationVector", CpuActivation::new);

    /** Inputs in [-spread, spread), with some exact zeros. */
    private static float[] inputs(long seed, int n, float spread) {
        float[] x = TestData.random(seed, n);
        for (int i = 0; i < n; i++) {
            x[i] = i % 97 == 0 ? 0f : x[i] * spread;
        }
        return x;
    }

    @Test
    void erfMatchesKnownValuesAndQuadrature() {
        // erf(0.5), erf(1), erf(2), erf(3) to 16 digits (Abramowitz and Stegun, Table 7.1)
        assertEquals(0.5204998778130465, CpuActivation.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, CpuActivation.erf(1.0), 1e-15);
        assertEquals(0.9953222650189527, CpuActivation.erf(2.0), 1e-15);
        assertEquals(0.9999779095030014, CpuActivation.erf(3.0), 1e-15);
        assertEquals(-0.8427007929497149, CpuActivation.erf(-1.0), 1e-15);
        assertEquals(0.0, CpuActivation.erf(0.0));
        assertEquals(1.0, CpuActivation.erf(Double.POSITIVE_INFINITY));
        assertEquals(-1.0, CpuActivation.erf(Double.NEGATIVE_INFINITY));
        int n = 1401;
        double[] expected = new double[n];
        double[] actual = new double[n];
        for (int i = 0; i < n; i++) {
            double z = -7 + 0.01 * i;
            expected[i] = NaiveActivation.erf(z);
            actual[i] = CpuActivation.erf(z);
        }
        Tolerance.assertClose("erf on [-7, 7]", expected, actual, 1e-13, 0);
    }

    @ParameterizedTest(name = "{0} a={1}")
    @CsvSource({"RELU, 0", "LEAKY_RELU, 0.01", "LEAKY_RELU, 0.2", "ELU, 1.0", "ELU, 0.5", "GELU, 0", "SIGMOID, 0", "TANH, 0"})
    void naiveDerivativeMatchesFiniteDifferences(Activation f, double a) {
        double[] x = TestData.toDouble(inputs(1, 200, 5));
        double[] analytic = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i]) < 1e-3) {
                x[i] = 0.5; // away from the kink at 0
            }
            analytic[i] = NaiveActivation.derivative(f, a, x[i]);
        }
        FiniteDifference.check(f + " derivative", xx -> {
            double s = 0;
            for (double v : xx) {
                s += NaiveActivation.forward(f, a, v);
            }
            return s;
        }, x, analytic, 60, 1e-5, 1e-7);
    }

    @ParameterizedTest(name = "{0} a={1}")
    @CsvSource({"RELU, 0", "LEAKY_RELU, 0.01", "LEAKY_RELU, 0.2", "ELU, 1.0", "ELU, 0.5", "GELU, 0", "SIGMOID, 0", "TANH, 0"})
    void matchesNaive(Activation f, float a) {
        int n = 10_007;
        float[] x = inputs(f.ordinal(), n, 8);
        x[5] = 40f;
        x[6] = -40f;
        x[7] = -100f;
        x[8] = 100f;
        float[] dy = TestData.random(100 + f.ordinal(), n);
        double[] expectedY = new double[n];
        double[] expectedDx = new double[n];
        for (int i = 0; i < n; i++) {
            expectedY[i] = NaiveActivation.forward(f, a, x[i]);
            expectedDx[i] = dy[i] * NaiveActivation.derivative(f, a, x[i]);
        }
        for (TestData.Impl<CpuActivation> impl : IMPLS) {
            CpuActivation ops = impl.ops();
            DeviceMemory xm = TestData.uploadAt(BACKEND, x, 3);
            DeviceMemory ym = TestData.garbage(BACKEND, n, 5);
            ops.activation(f, a, n, xm, 3, ym, 5);
            Tolerance.assertClose(impl + " " + f + " forward", expectedY, TestData.downloadAt(BACKEND, ym, 5, n), 1e-7, 1e-6);
            DeviceMemory dym = TestData.uploadAt(BACKEND, dy, 1);
            DeviceMemory dxm = TestData.garbage(BACKEND, n, 2);
            ops.activationBackward(f, a, n, xm, 3, ym, 5, dym, 1, dxm, 2);
            Tolerance.assertClose(impl + " " + f + " backward", expectedDx, TestData.downloadAt(BACKEND, dxm, 2, n), 1e-6, 1e-5);
            ops.activationBackward(f, a, n, xm, 3, ym, 5, dym, 1, dym, 1); // dx over dy
            Tolerance.assertClose(impl + " " + f + " backward in place", expectedDx, TestData.downloadAt(BACKEND, dym, 1, n),
                    1e-6, 1e-5);
            ops.activation(f, a, n, xm, 3, xm, 3); // y over x
            Tolerance.assertClose(impl + " " + f + " forward in place", expectedY, TestData.downloadAt(BACKEND, xm, 3, n),
                    1e-7, 1e-6);
        }
    }

    @Test
    void specialValues() {
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {nan, inf, -inf, 0f, -0f};
        float[][] expected = {
                {nan, inf, 0, 0, 0},            // RELU
                {nan, inf, -inf, 0, -0f},       // LEAKY_RELU a = 0.1
                {nan, inf, -1, 0, -0f},         // ELU a = 1
                {nan, inf, nan, 0, -0f},        // GELU: -inf * Phi(-inf) = -inf * 0
                {nan, 1, 0, 0.5f, 0.5f},        // SIGMOID
                {nan, 1, -1, 0, -0f}};          // TANH
        for (TestData.Impl<CpuActivation> impl : IMPLS) {
            DeviceMemory xm = TestData.upload(BACKEND, x);
            DeviceMemory ym = TestData.garbage(BACKEND, x.length, 0);
            for (Activation f : Activation.values()) {
                impl.ops().activation(f, f == Activation.LEAKY_RELU ? 0.1f : 1f, x.length, xm, 0, ym, 0);
                Tolerance.assertClose(impl + " " + f + " special values", expected[f.ordinal()],
                        TestData.downloadAt(BACKEND, ym, 0, x.length), 0, 0);
            }
        }
    }

    @Test
    void reluBackwardIsAMask() {
        // the runtime's "g where z > 0": activationBackward(RELU, 0, n, z, z, g, dx)
        float[] z = {-1, 0, 2, -0f, 3, Float.NaN};
        float[] g = {1, 2, 3, 4, 5, 6};
        for (TestData.Impl<CpuActivation> impl : IMPLS) {
            DeviceMemory zm = TestData.upload(BACKEND, z);
            DeviceMemory gm = TestData.upload(BACKEND, g);
            DeviceMemory dx = TestData.garbage(BACKEND, z.length, 0);
            impl.ops().activationBackward(Activation.RELU, 0f, z.length, zm, 0, zm, 0, gm, 0, dx, 0);
            Tolerance.assertSame(impl + " relu mask", new float[] {0, 0, 3, 0, 5, 0}, TestData.downloadAt(BACKEND, dx, 0, z.length));
        }
    }

    /**
     * The vector kernel equals the plain one bit for bit (any two NaNs count as equal; signed zeros are compared
     * by their bits), forward and backward, on every length from 0 to a few vectors and every offset in a vector,
     * with NaN, infinities, signed zeros and subnormals in {@code x}, {@code y} and {@code dy}.
     */
    @ParameterizedTest(name = "{0} a={1}")
    @CsvSource({"RELU, 0", "LEAKY_RELU, 0.01", "LEAKY_RELU, -0.5", "ELU, 1.0", "ELU, 0.5", "GELU, 0", "SIGMOID, 0", "TANH, 0"})
    void kernelsAgreeOnEveryLengthAndOffset(Activation f, float a) {
        CpuActivation.Kernel plain = new CpuActivationPlain();
        CpuActivation.Kernel vector = CpuVectorSupport.load("org.cnn4j.cpu.CpuActivationVector", CpuActivation.Kernel.class);
        float[] x = TestData.withSpecials(61 + f.ordinal(), 100, 4);
        float[] y = TestData.withSpecials(71 + f.ordinal(), 100, 4);
        float[] dy = TestData.withSpecials(81 + f.ordinal(), 100, 4);
        for (int rep = 0; rep < TestData.COMPILE_REPS; rep++) {
            for (int len = 0; len <= 60; len++) {
                for (int off = 0; off < 9; off++) {
                    String what = f + " len=" + len + " off=" + off;
                    float[] expected = new float[len + 2];
                    float[] actual = new float[len + 2];
                    plain.forward(f, a, x, off, expected, 1, len);
                    vector.forward(f, a, x, off, actual, 1, len);
                    assertBitsEqual(what + " forward", expected, actual);
                    plain.backward(f, a, x, off, y, 8 - off, dy, off / 2, expected, 1, len);
                    vector.backward(f, a, x, off, y, 8 - off, dy, off / 2, actual, 1, len);
                    assertBitsEqual(what + " backward", expected, actual);
                }
            }
        }
    }

    private static void assertBitsEqual(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                        what + ": bits at index " + i + " (plain " + expected[i] + ", vector " + actual[i] + ")");
            }
        }
    }

    /** The branch-free ReLU mask is exactly {@code v > 0} on special values and on random bit patterns. */
    @Test
    void positiveMaskIsGreaterThanZero() {
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0x7fffffff), Float.intBitsToFloat(0xffc00000)};
        for (float v : special) {
            assertEquals(v > 0 ? -1 : 0, CpuActivation.positiveMask(v), "v = " + v + " bits " + Integer.toHexString(Float.floatToRawIntBits(v)));
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        for (int i = 0; i < 1_000_000; i++) {
            float v = Float.intBitsToFloat(rnd.nextInt());
            assertEquals(v > 0 ? -1 : 0, CpuActivation.positiveMask(v), "bits " + Integer.toHexString(Float.floatToRawIntBits(v)));
        }
    }
}
