package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CpuPool} against {@link NaivePool}: max (values and arg-max exactly), average with and without
 * {@code countIncludePad}, adaptive average, forward and backward, over 2-D and 3-D geometries with
 * odd sizes, strides 1 to 3, padding, ceil mode (windows past the padding) and overlapping windows;
 * outputs pre-filled with NaN, nonzero offsets. The naive backward passes are checked by central
 * differences. Edge cases: ties (the first maximum wins), NaN (counts as the maximum), all-negative
 * input next to padding (padding never wins). Max pooling runs with each kernel ({@link CpuPoolPlain} and
 * {@code CpuPoolVector}), and the two kernels are compared bit for bit on 2x2 stride-2 planes of every width
 * around the vector widths, with ties, NaN, signed zeros and infinities.
 */
class CpuPoolTest {
    private static final Backend BACKEND = TestData.backend();
    private static final List<TestData.Impl<CpuPool>> IMPLS = TestData.impls(CpuPool.Kernel.class, new CpuPoolPlain(),
            "org.cnn4j.cpu.CpuPoolVector", CpuPool::new);

    /** PyTorch's output size: floor or ceil of {@code (in + 2 pad - kernel) / stride} + 1, ceil mode never starting in the right padding. */
    private static int outSize(int in, int kernel, int stride, int pad, boolean ceil) {
        int span = in + 2 * pad - kernel;
        int out = (ceil ? Math.floorDiv(span + stride - 1, stride) : Math.floorDiv(span, stride)) + 1;
        if (ceil && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }

    private static Arguments pool(String name, int planes, int[] in, int[] kernel, int[] stride, int[] pad, boolean ceil) {
        int[] out = new int[3];
        for (int i = 0; i < 3; i++) {
            out[i] = outSize(in[i], kernel[i], stride[i], pad[i], ceil);
        }
        return Arguments.of(name, new PoolGeometry(planes, in[0], in[1], in[2], kernel[0], kernel[1], kernel[2],
                stride[0], stride[1], stride[2], pad[0], pad[1], pad[2], out[0], out[1], out[2]));
    }

    private static int[] v(int... values) {
        return values;
    }

    static Stream<Arguments> geometries() {
        return List.of(
                pool("2x2 s2", 6, v(1, 8, 8), v(1, 2, 2), v(1, 2, 2), v(0, 0, 0), false),
                pool("2x2 s2 odd", 5, v(1, 7, 9), v(1, 2, 2), v(1, 2, 2), v(0, 0, 0), false),
                pool("3x3 s2 p1", 4, v(1, 9, 7), v(1, 3, 3), v(1, 2, 2), v(0, 1, 1), false),
                pool("3x3 s1 p1 overlapping", 3, v(1, 6, 5), v(1, 3, 3), v(1, 1, 1), v(0, 1, 1), false),
                pool("3x3 s2 p1 ceil", 3, v(1, 6, 6), v(1, 3, 3), v(1, 2, 2), v(0, 1, 1), true),
                pool("2x2 s2 ceil odd", 2, v(1, 7, 5), v(1, 2, 2), v(1, 2, 2), v(0, 0, 0), true),
                pool("3x2 s3x1 p1x0", 3, v(1, 10, 6), v(1, 3, 2), v(1, 3, 1), v(0, 1, 0), false),
                pool("5x5 s3 p2 ceil", 2, v(1, 11, 12), v(1, 5, 5), v(1, 3, 3), v(0, 2, 2), true),
                pool("global 7x7", 4, v(1, 7, 7), v(1, 7, 7), v(1, 7, 7), v(0, 0, 0), false),
                pool("3-D 2x2x2 s2", 3, v(4, 6, 5), v(2, 2, 2), v(2, 2, 2), v(0, 0, 0), false),
                pool("3-D 3x3x3 s2 p1 ceil", 2, v(5, 6, 7), v(3, 3, 3), v(2, 2, 2), v(1, 1, 1), true),
                pool("many planes", 300, v(1, 12, 12), v(1, 2, 2), v(1, 2, 2), v(0, 0, 0), false))
                .stream();
    }

    static Stream<Arguments> adaptiveGeometries() {
        return List.of(
                adaptive("7 -> 3", 4, v(1, 7, 7), v(1, 3, 3)),
                adaptive("5x6 -> 5x6", 3, v(1, 5, 6), v(1, 5, 6)),
                adaptive("4x3 -> 6x5 (upsampling)", 2, v(1, 4, 3), v(1, 6, 5)),
                adaptive("9x10 -> 1x1 (global)", 5, v(1, 9, 10), v(1, 1, 1)),
                adaptive("10x7 -> 3x4", 3, v(1, 10, 7), v(1, 3, 4)),
                adaptive("3-D 5x6x7 -> 2x3x3", 2, v(5, 6, 7), v(2, 3, 3))).stream();
    }

    private static Arguments adaptive(String name, int planes, int[] in, int[] out) {
        return Arguments.of(name, new PoolGeometry(planes, in[0], in[1], in[2], 0, 0, 0, 0, 0, 0, 0, 0, 0,
                out[0], out[1], out[2]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void naiveBackwardMatchesFiniteDifferences(String name, PoolGeometry g) {
        double[] x = TestData.toDouble(TestData.random(1, (int) g.inputSize())); // distinct values: no ties
        double[] r = TestData.toDouble(TestData.random(2, (int) g.outputSize()));
        double[] arg = NaivePool.maxForward(g, x).argmax();
        FiniteDifference.check(name + " max", xx -> FiniteDifference.dot(r, NaivePool.maxForward(g, xx).y()),
                x, NaivePool.maxBackward(g, r, arg), 60, 1e-7, 1e-6);
        for (boolean include : new boolean[] {false, true}) {
            FiniteDifference.check(name + " avg include=" + include,
                    xx -> FiniteDifference.dot(r, NaivePool.avgForward(g, false, include, xx)),
                    x, NaivePool.avgBackward(g, false, include, r), 60, 1e-3, 1e-8);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adaptiveGeometries")
    void naiveAdaptiveBackwardMatchesFiniteDifferences(String name, PoolGeometry g) {
        double[] x = TestData.toDouble(TestData.random(1, (int) g.inputSize()));
        double[] r = TestData.toDouble(TestData.random(2, (int) g.outputSize()));
        FiniteDifference.check(name + " adaptive", xx -> FiniteDifference.dot(r, NaivePool.avgForward(g, true, false, xx)),
                x, NaivePool.avgBackward(g, true, false, r), 60, 1e-3, 1e-8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void maxPoolMatchesNaive(String name, PoolGeometry g) {
        float[] x = TestData.random(3, (int) g.inputSize());
        float[] dy = TestData.random(4, (int) g.outputSize());
        NaivePool.Max expected = NaivePool.maxForward(g, TestData.toDouble(x));
        int out = (int) g.outputSize();
        int in = (int) g.inputSize();
        for (TestData.Impl<CpuPool> impl : IMPLS) {
            DeviceMemory xm = TestData.uploadAt(BACKEND, x, 3);
            DeviceMemory ym = TestData.garbage(BACKEND, out, 1);
            DeviceMemory am = TestData.garbage(BACKEND, out, 2);
            impl.ops().maxPoolForward(g, xm, 3, ym, 1, am, 2);
            Tolerance.assertClose(impl + " " + name + " max forward", expected.y(), TestData.downloadAt(BACKEND, ym, 1, out), 0, 0);
            Tolerance.assertClose(impl + " " + name + " max argmax", expected.argmax(), TestData.downloadAt(BACKEND, am, 2, out), 0, 0);
            DeviceMemory dym = TestData.uploadAt(BACKEND, dy, 5);
            DeviceMemory dxm = TestData.garbage(BACKEND, in, 4);
            impl.ops().maxPoolBackward(g, dym, 5, am, 2, dxm, 4);
            Tolerance.assertClose(impl + " " + name + " max backward", NaivePool.maxBackward(g, TestData.toDouble(dy),
                    expected.argmax()), TestData.downloadAt(BACKEND, dxm, 4, in), 1e-6, 1e-6);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void avgPoolMatchesNaive(String name, PoolGeometry g) {
        float[] x = TestData.random(5, (int) g.inputSize());
        float[] dy = TestData.random(6, (int) g.outputSize());
        int out = (int) g.outputSize();
        int in = (int) g.inputSize();
        DeviceMemory xm = TestData.uploadAt(BACKEND, x, 1);
        DeviceMemory dym = TestData.uploadAt(BACKEND, dy, 2);
        for (boolean include : new boolean[] {false, true}) {
            DeviceMemory ym = TestData.garbage(BACKEND, out, 3);
            BACKEND.avgPoolForward(g, include, xm, 1, ym, 3);
            Tolerance.assertClose(name + " avg forward include=" + include,
                    NaivePool.avgForward(g, false, include, TestData.toDouble(x)), TestData.downloadAt(BACKEND, ym, 3, out),
                    1e-6, 1e-5);
            DeviceMemory dxm = TestData.garbage(BACKEND, in, 4);
            BACKEND.avgPoolBackward(g, include, dym, 2, dxm, 4);
            Tolerance.assertClose(name + " avg backward include=" + include,
                    NaivePool.avgBackward(g, false, include, TestData.toDouble(dy)), TestData.downloadAt(BACKEND, dxm, 4, in),
                    1e-6, 1e-5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("adaptiveGeometries")
    void adaptiveAvgPoolMatchesNaive(String name, PoolGeometry g) {
        float[] x = TestData.random(7, (int) g.inputSize());
        float[] dy = TestData.random(8, (int) g.outputSize());
        int out = (int) g.outputSize();
        int in = (int) g.inputSize();
        DeviceMemory xm = TestData.uploadAt(BACKEND, x, 2);
        DeviceMemory ym = TestData.garbage(BACKEND, out, 1);
        BACKEND.adaptiveAvgPoolForward(g, xm, 2, ym, 1);
        Tolerance.assertClose(name + " adaptive forward", NaivePool.avgForward(g, true, false, TestData.toDouble(x)),
                TestData.downloadAt(BACKEND, ym, 1, out), 1e-6, 1e-5);
        DeviceMemory dym = TestData.uploadAt(BACKEND, dy, 3);
        DeviceMemory dxm = TestData.garbage(BACKEND, in, 5);
        BACKEND.adaptiveAvgPoolBackward(g, dym, 3, dxm, 5);
        Tolerance.assertClose(name + " adaptive backward", NaivePool.avgBackward(g, true, false, TestData.toDouble(dy)),
                TestData.downloadAt(BACKEND, dxm, 5, in), 1e-6, 1e-5);
    }

    /** Runs max pooling on one plane with {@code pool} and returns {@code {y, argmax}}. */
    private static float[][] maxPool(CpuPool pool, PoolGeometry g, float[] x) {
        int out = (int) g.outputSize();
        DeviceMemory ym = TestData.garbage(BACKEND, out, 0);
        DeviceMemory am = TestData.garbage(BACKEND, out, 0);
        pool.maxPoolForward(g, TestData.upload(BACKEND, x), 0, ym, 0, am, 0);
        return new float[][] {TestData.downloadAt(BACKEND, ym, 0, out), TestData.downloadAt(BACKEND, am, 0, out)};
    }

    @Test
    void maxPoolTiesTakeTheFirstMaximum() {
        PoolGeometry g = new PoolGeometry(1, 1, 2, 4, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 1, 2);
        // 2x2 stride 2, 4 windows in a row: the vector kernel's narrowest case
        PoolGeometry row = new PoolGeometry(1, 1, 2, 8, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 1, 4);
        for (TestData.Impl<CpuPool> impl : IMPLS) {
            float[][] r = maxPool(impl.ops(), g, new float[] {1, 5, 5, 5, 5, 0, 5, 5});
            assertEquals(5f, r[0][0]);
            assertEquals(1f, r[1][0], impl + ": first maximum of window 0 is at (0, 1)");
            assertEquals(2f, r[1][1], impl + ": first maximum of window 1 is at (0, 2)");
            // ties at (0, 0) = (0, 1) < (1, 0) = (1, 1); (1, 0) = (1, 1) only; all four; (0, 1) = (1, 1)
            float[][] q = maxPool(impl.ops(), row, new float[] {3, 3, 1, 0, 7, 7, 0, 2, 1, 1, 4, 4, 7, 7, 0, 2});
            Tolerance.assertSame(impl + " tie values", new float[] {3, 4, 7, 2}, q[0]);
            Tolerance.assertSame(impl + " tie argmax", new float[] {0, 10, 4, 7}, q[1]);
        }
    }

    @Test
    void maxPoolNaNIsTheMaximum() {
        PoolGeometry g = new PoolGeometry(1, 1, 2, 4, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 1, 2);
        PoolGeometry row = new PoolGeometry(1, 1, 2, 8, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 1, 4);
        float nan = Float.NaN;
        for (TestData.Impl<CpuPool> impl : IMPLS) {
            float[][] r = maxPool(impl.ops(), g, new float[] {1, 9, nan, 3, nan, 2, nan, 4});
            assertEquals(Float.NaN, r[0][0]);
            assertEquals(4f, r[1][0], impl + ": the first NaN of window 0 is at (1, 0)");
            assertEquals(Float.NaN, r[0][1]);
            assertEquals(2f, r[1][1], impl + ": the first NaN of window 1 is at (0, 2)");
            // inf and -inf in one window: no NaN input, but a NaN sum
            float inf = Float.POSITIVE_INFINITY;
            float[][] q = maxPool(impl.ops(), row, new float[] {-inf, inf, 1, 2, 3, 4, nan, nan, 5, 6, 1, nan, 7, 8, 9, 1});
            Tolerance.assertSame(impl + " NaN values", new float[] {inf, nan, 8, nan}, q[0]);
            Tolerance.assertSame(impl + " NaN argmax", new float[] {1, 11, 13, 6}, q[1]);
        }
    }

    @Test
    void maxPoolPaddingNeverWins() {
        PoolGeometry g = new PoolGeometry(1, 1, 3, 3, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 2, 2);
        float[] x = {-9, -8, -7, -6, -5, -4, -3, -2, -1};
        for (TestData.Impl<CpuPool> impl : IMPLS) {
            float[][] r = maxPool(impl.ops(), g, x);
            Tolerance.assertSame(impl + " max with padding", new float[] {-5, -4, -2, -1}, r[0]);
            Tolerance.assertSame(impl + " argmax with padding", new float[] {4, 5, 7, 8}, r[1]);
        }
    }

    /**
     * The vector kernel equals the plain one bit for bit (values with their signed zeros, any NaN for a NaN;
     * arg-max; backward) on 2x2 stride-2 planes 1 to 21 outputs wide with even and odd input sizes, on inputs full of ties,
     * NaN, signed zeros and infinities, repeated until C2 has compiled both.
     */
    @Test
    void twoByTwoKernelsAgreeBitForBit() {
        CpuPool.Kernel plain = new CpuPoolPlain();
        CpuPool.Kernel vector = CpuVectorSupport.load("org.cnn4j.cpu.CpuPoolVector", CpuPool.Kernel.class);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(17);
        float[] pool = {0f, -0f, 1f, -1f, 2f, Float.NaN, Float.intBitsToFloat(0x7fc00123), Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, 0.5f};
        float[] ties = {0f, -0f, 1f, -1f, 2f, Float.NEGATIVE_INFINITY};
        for (int rep = 0; rep < 8 * TestData.COMPILE_REPS; rep++) { // a few calls per repetition: more of them
            for (int oW = 1; oW <= 21; oW++) {
                int oH = 1 + (oW * 7 + rep) % 5;
                int w = 2 * oW + (oW % 2);
                int h = 2 * oH + (rep % 2);
                PoolGeometry g = new PoolGeometry(3, 1, h, w, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, oH, oW);
                int in = 3 * h * w;
                int out = 3 * oH * oW;
                float[] x = new float[in + 5];
                boolean special = rep % 3 != 0; // every third repetition without NaN, so that the vector path runs
                for (int i = 0; i < x.length; i++) {
                    x[i] = special ? pool[rnd.nextInt(pool.length)] : ties[rnd.nextInt(ties.length)];
                }
                float[] dy = TestData.withSpecials(rep * 31L + oW, out + 2, 6);
                float[][] expected = new float[4][];
                float[][] actual = new float[4][];
                for (int k = 0; k < 2; k++) {
                    CpuPool.Kernel kernel = k == 0 ? plain : vector;
                    float[] y = new float[out + 2];
                    float[] am = new float[out + 2];
                    float[] dx = new float[in + 4];
                    java.util.Arrays.fill(dx, 7f);
                    for (int p = 0; p < 3; p++) {
                        kernel.maxPlane2d(g, x, 2 + p * h * w, y, 1 + p * oH * oW, am, 1 + p * oH * oW);
                    }
                    for (int p = 0; p < 3; p++) {
                        kernel.maxBackwardPlane(g, dy, 2 + p * oH * oW, am, 1 + p * oH * oW, dx, 3 + p * h * w);
                    }
                    float[][] r = k == 0 ? expected : actual;
                    r[0] = y;
                    r[1] = am;
                    r[2] = dx;
                }
                String what = "2x2 s2 " + h + "x" + w + " -> " + oH + "x" + oW + " rep " + rep;
                assertBitsEqual(what + " values", expected[0], actual[0]);
                assertBitsEqual(what + " argmax", expected[1], actual[1]);
                assertBitsEqual(what + " backward", expected[2], actual[2]);
            }
        }
    }

    /** A plane whose arg-max points outside its windows (not from the forward pass) gets the plain scatter. */
    @Test
    void backwardWithForeignArgmaxScattersAsPlain() {
        PoolGeometry g = new PoolGeometry(2, 1, 4, 20, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 2, 10);
        float[] dy = TestData.random(3, 40);
        for (float foreign : new float[] {0f, 79f, -1f, 80f, 2.5f, Float.NaN, 1e9f}) {
            float[] am = new float[40];
            for (int p = 0; p < 2; p++) {
                for (int o = 0; o < 20; o++) {
                    am[p * 20 + o] = (o / 10) * 40 + (o % 10) * 2 + (o % 3 == 0 ? 21 : 0); // (1, 1) or (0, 0) of each window
                }
            }
            am[27] = foreign; // plane 1
            float[] expected = new float[160];
            for (int p = 0; p < 2; p++) {
                new CpuPoolPlain().maxBackwardPlane(g, dy, p * 20, am, p * 20, expected, p * 80);
            }
            DeviceMemory dxm = BACKEND.allocate(160);
            IMPLS.get(1).ops().maxPoolBackward(g, TestData.upload(BACKEND, dy), 0, TestData.upload(BACKEND, am), 0, dxm, 0);
            assertBitsEqual("backward with argmax " + foreign, expected, TestData.download(BACKEND, dxm, 160));
        }
    }

    /** Equal bits (so signed zeros must match), except that any two NaNs are equal. */
    private static void assertBitsEqual(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i]) && Float.isNaN(actual[i])) {
                continue;
            }
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    what + ": bits at index " + i + " (plain " + expected[i] + ", vector " + actual[i] + ")");
        }
    }

    @Test
    void avgPoolDivisorsFollowPyTorch() {
        // H = W = 3, kernel 3, stride 2, pad 1, ceil: windows rows [-1, 2) and [1, 4) clipped to [1, 4) of
        // the padded [-1, 4): include_pad divisors 3*3 = 9 everywhere; exclusive: 2*2, 2*2, 2*2, 2*2
        PoolGeometry g = new PoolGeometry(1, 1, 3, 3, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 2, 2);
        float[] x = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        DeviceMemory xm = TestData.upload(BACKEND, x);
        DeviceMemory ym = TestData.garbage(BACKEND, 4, 0);
        BACKEND.avgPoolForward(g, true, xm, 0, ym, 0);
        Tolerance.assertClose("include pad", new float[] {4f / 9, 4f / 9, 4f / 9, 4f / 9},
                TestData.downloadAt(BACKEND, ym, 0, 4), 1e-7, 1e-6);
        BACKEND.avgPoolForward(g, false, xm, 0, ym, 0);
        Tolerance.assertClose("exclude pad", new float[] {1, 1, 1, 1}, TestData.downloadAt(BACKEND, ym, 0, 4), 1e-7, 1e-6);
        // ceil mode window past the padding: H = 4, kernel 3, stride 2, pad 1 -> out = 3 (last window rows [3, 6)
        // clipped to the padded extent [3, 5): divisor 2 in that dimension, not 3)
        PoolGeometry c = new PoolGeometry(1, 1, 4, 1, 1, 3, 1, 1, 2, 1, 0, 1, 0, 1, 3, 1);
        DeviceMemory cm = TestData.upload(BACKEND, new float[] {1, 2, 3, 4});
        DeviceMemory cy = TestData.garbage(BACKEND, 3, 0);
        BACKEND.avgPoolForward(c, true, cm, 0, cy, 0);
        Tolerance.assertClose("ceil include pad", new float[] {3f / 3, 9f / 3, 4f / 2}, TestData.downloadAt(BACKEND, cy, 0, 3),
                1e-7, 1e-6);
    }

    /** {@link CpuPool#orderKey} orders like {@code >} on numbers (ties for +-0) and ranks every NaN highest. */
    @Test
    void orderKeyOrdersLikeFloatComparison() {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        float[] special = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1f, -1f, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0xffc00001)};
        for (int i = 0; i < 400_000; i++) {
            float u = i < special.length * special.length ? special[i / special.length] : Float.intBitsToFloat(rnd.nextInt());
            float v = i < special.length * special.length ? special[i % special.length] : Float.intBitsToFloat(rnd.nextInt());
            int ku = CpuPool.orderKey(u);
            int kv = CpuPool.orderKey(v);
            boolean uNaN = Float.isNaN(u);
            boolean vNaN = Float.isNaN(v);
            boolean expectedGreater = uNaN ? !vNaN : !vNaN && u > v;
            assertEquals(expectedGreater, ku > kv, u + " vs " + v);
            if (uNaN && vNaN) {
                assertEquals(ku, kv, "every NaN has one key");
            }
        }
    }
}
