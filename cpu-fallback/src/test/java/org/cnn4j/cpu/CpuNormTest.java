package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.testing.NaiveNorm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CpuNorm} against {@link NaiveNorm}: statistics, forward and the fused backward (dx, dgamma,
 * dbeta), with and without gamma and beta, for 2-D ({@code spatial = H*W}) and 1-D ({@code spatial = 1})
 * inputs of odd sizes, and for inputs with a large mean (where {@code E[x^2] - mean^2} would cancel).
 * The naive backward is checked by central differences of the training-mode forward. Each kernel
 * ({@link CpuNormPlain} and {@code CpuNormVector}) runs every case; the two kernels are also compared directly on
 * every plane length around the vector width and the float-block length, with special values.
 */
class CpuNormTest {
    private static final Backend BACKEND = TestData.backend();
    private static final List<TestData.Impl<CpuNorm>> IMPLS = TestData.impls(CpuNorm.Kernel.class, new CpuNormPlain(),
            "org.cnn4j.cpu.CpuNormVector", CpuNorm::new);
    private static final float EPS = 1e-5f;

    static Stream<Arguments> shapes() {
        return Stream.of(
                Arguments.of(4, 3, 25, true, 0f),
                Arguments.of(3, 5, 7, false, 0f),
                Arguments.of(17, 6, 1, true, 0f),
                Arguments.of(1, 4, 33, true, 0f),
                Arguments.of(8, 16, 49, true, 0f),
                Arguments.of(5, 3, 11, true, 1000f),
                Arguments.of(2, 2, 2, false, 0f));
    }

    private static float[] shifted(float[] x, float shift) {
        for (int i = 0; i < x.length; i++) {
            x[i] += shift;
        }
        return x;
    }

    @ParameterizedTest(name = "n={0} c={1} spatial={2} affine={3} shift={4}")
    @MethodSource("shapes")
    void naiveBackwardMatchesFiniteDifferences(int n, int c, int spatial, boolean affine, float shift) {
        double[] x = TestData.toDouble(shifted(TestData.random(1, n * c * spatial), shift));
        double[] gamma = affine ? TestData.toDouble(TestData.random(2, c)) : null;
        double[] beta = affine ? TestData.toDouble(TestData.random(3, c)) : null;
        double[] r = TestData.toDouble(TestData.random(4, x.length));
        double[][] st = NaiveNorm.statistics(n, c, spatial, x);
        double[][] grads = NaiveNorm.backward(n, c, spatial, EPS, x, r, st[0], st[1], gamma);
        String name = "batch norm " + n + "x" + c + "x" + spatial;
        FiniteDifference.check(name + " dx", xx -> FiniteDifference.dot(r, NaiveNorm.trainForward(n, c, spatial, EPS, xx, gamma, beta)),
                x, grads[0], 60, 1e-5, 1e-6);
        double[] g = gamma == null ? new double[c] : gamma;
        if (gamma == null) {
            java.util.Arrays.fill(g, 1);
        }
        double[] b = beta == null ? new double[c] : beta;
        FiniteDifference.check(name + " dgamma", gg -> FiniteDifference.dot(r, NaiveNorm.trainForward(n, c, spatial, EPS, x, gg, b)),
                g, grads[1], c, 1e-5, 1e-6);
        FiniteDifference.check(name + " dbeta", bb -> FiniteDifference.dot(r, NaiveNorm.trainForward(n, c, spatial, EPS, x, g, bb)),
                b, grads[2], c, 1e-5, 1e-6);
    }

    @ParameterizedTest(name = "n={0} c={1} spatial={2} affine={3} shift={4}")
    @MethodSource("shapes")
    void backendMatchesNaive(int n, int c, int spatial, boolean affine, float shift) {
        for (TestData.Impl<CpuNorm> impl : IMPLS) {
            CpuNorm ops = impl.ops();
            int size = n * c * spatial;
            String name = impl + " batch norm " + n + "x" + c + "x" + spatial;
            float[] x = shifted(TestData.random(11, size), shift);
            float[] dy = TestData.random(12, size);
            float[] gamma = affine ? TestData.random(13, c) : null;
            float[] beta = affine ? TestData.random(14, c) : null;
            double[] xd = TestData.toDouble(x);
            double[][] st = NaiveNorm.statistics(n, c, spatial, xd);

            DeviceMemory xm = TestData.uploadAt(BACKEND, x, 3);
            DeviceMemory mean = TestData.garbage(BACKEND, c, 1);
            DeviceMemory var = TestData.garbage(BACKEND, c, 2);
            ops.batchNormStatistics(n, c, spatial, xm, 3, mean, 1, var, 2);
            float[] meanF = TestData.downloadAt(BACKEND, mean, 1, c);
            float[] varF = TestData.downloadAt(BACKEND, var, 2, c);
            Tolerance.assertClose(name + " mean", st[0], meanF, 1e-6, 1e-6);
            Tolerance.assertClose(name + " var", st[1], varF, 1e-6, 1e-5);

            // forward and backward with the statistics the backend computed (as the runtime does)
            double[] meanD = TestData.toDouble(meanF);
            double[] varD = TestData.toDouble(varF);
            double[] gammaD = gamma == null ? null : TestData.toDouble(gamma);
            DeviceMemory gm = gamma == null ? null : TestData.uploadAt(BACKEND, gamma, 4);
            DeviceMemory bm = beta == null ? null : TestData.uploadAt(BACKEND, beta, 5);
            DeviceMemory ym = TestData.garbage(BACKEND, size, 6);
            ops.batchNormForward(n, c, spatial, EPS, xm, 3, mean, 1, var, 2, gm, 4, bm, 5, ym, 6);
            Tolerance.assertClose(name + " forward", NaiveNorm.forward(n, c, spatial, EPS, xd, meanD, varD, gammaD,
                    beta == null ? null : TestData.toDouble(beta)), TestData.downloadAt(BACKEND, ym, 6, size), 1e-5, 1e-5);

            double[][] expected = NaiveNorm.backward(n, c, spatial, EPS, xd, TestData.toDouble(dy), meanD, varD, gammaD);
            DeviceMemory dym = TestData.uploadAt(BACKEND, dy, 7);
            DeviceMemory dxm = TestData.garbage(BACKEND, size, 8);
            DeviceMemory dgm = TestData.garbage(BACKEND, c, 9);
            DeviceMemory dbm = TestData.garbage(BACKEND, c, 10);
            ops.batchNormBackward(n, c, spatial, EPS, xm, 3, dym, 7, mean, 1, var, 2, gm, 4, dxm, 8, dgm, 9, dbm, 10);
            double atol = 1e-5 * Math.sqrt(n * spatial);
            Tolerance.assertClose(name + " dx", expected[0], TestData.downloadAt(BACKEND, dxm, 8, size), atol, 1e-4);
            Tolerance.assertClose(name + " dgamma", expected[1], TestData.downloadAt(BACKEND, dgm, 9, c), atol, 1e-5);
            Tolerance.assertClose(name + " dbeta", expected[2], TestData.downloadAt(BACKEND, dbm, 10, c), atol, 1e-5);

            // dx written over dy, and no dgamma / dbeta
            ops.batchNormBackward(n, c, spatial, EPS, xm, 3, dym, 7, mean, 1, var, 2, gm, 4, dym, 7, null, 0, null, 0);
            Tolerance.assertClose(name + " dx in place", expected[0], TestData.downloadAt(BACKEND, dym, 7, size), atol, 1e-4);
        }
    }

    /**
     * Batch norm + ReLU, fused, against the unfused ops of the same kernel, bit for bit: the forward against
     * {@code batchNormForward} then ReLU, the backward against {@code batchNormBackward} of {@code y > 0 ? dy : 0};
     * then the backward once more with {@code dx} written over {@code dy}.
     */
    @ParameterizedTest(name = "n={0} c={1} spatial={2} affine={3} shift={4}")
    @MethodSource("shapes")
    void reluFusionGivesTheUnfusedResults(int n, int c, int spatial, boolean affine, float shift) {
        for (TestData.Impl<CpuNorm> impl : IMPLS) {
            CpuNorm ops = impl.ops();
            int size = n * c * spatial;
            String name = impl + " batch norm + ReLU " + n + "x" + c + "x" + spatial;
            float[] x = shifted(TestData.random(21, size), shift);
            float[] dy = TestData.random(22, size);
            DeviceMemory xm = TestData.uploadAt(BACKEND, x, 3);
            DeviceMemory mean = TestData.garbage(BACKEND, c, 1);
            DeviceMemory var = TestData.garbage(BACKEND, c, 2);
            ops.batchNormStatistics(n, c, spatial, xm, 3, mean, 1, var, 2);
            DeviceMemory gm = affine ? TestData.uploadAt(BACKEND, TestData.random(23, c), 4) : null;
            DeviceMemory bm = affine ? TestData.uploadAt(BACKEND, TestData.random(24, c), 5) : null;

            DeviceMemory zm = TestData.garbage(BACKEND, size, 6);
            ops.batchNormForward(n, c, spatial, EPS, xm, 3, mean, 1, var, 2, gm, 4, bm, 5, zm, 6);
            float[] expectedY = TestData.downloadAt(BACKEND, zm, 6, size);
            int positive = 0;
            for (int i = 0; i < size; i++) {
                expectedY[i] = Math.max(expectedY[i], 0f);
                positive += expectedY[i] > 0 ? 1 : 0;
            }
            assertTrue(positive > 0 && positive < size, name + ": the case must have both signs");
            DeviceMemory ym = TestData.garbage(BACKEND, size, 7);
            ops.batchNormReluForward(n, c, spatial, EPS, xm, 3, mean, 1, var, 2, gm, 4, bm, 5, ym, 7);
            float[] y = TestData.downloadAt(BACKEND, ym, 7, size);
            assertArrayEquals(expectedY, y, name + " forward");

            float[] dz = new float[size];
            for (int i = 0; i < size; i++) {
                dz[i] = y[i] > 0 ? dy[i] : 0f;
            }
            DeviceMemory dzm = TestData.uploadAt(BACKEND, dz, 8);
            DeviceMemory refDx = TestData.garbage(BACKEND, size, 9);
            DeviceMemory refDg = TestData.garbage(BACKEND, c, 10);
            DeviceMemory refDb = TestData.garbage(BACKEND, c, 11);
            ops.batchNormBackward(n, c, spatial, EPS, xm, 3, dzm, 8, mean, 1, var, 2, gm, 4, refDx, 9, refDg, 10, refDb, 11);
            DeviceMemory dym = TestData.uploadAt(BACKEND, dy, 12);
            DeviceMemory dxm = TestData.garbage(BACKEND, size, 13);
            DeviceMemory dgm = TestData.garbage(BACKEND, c, 14);
            DeviceMemory dbm = TestData.garbage(BACKEND, c, 15);
            ops.batchNormReluBackward(n, c, spatial, EPS, xm, 3, ym, 7, dym, 12, mean, 1, var, 2, gm, 4, dxm, 13, dgm, 14,
                    dbm, 15);
            float[] expectedDx = TestData.downloadAt(BACKEND, refDx, 9, size);
            assertArrayEquals(expectedDx, TestData.downloadAt(BACKEND, dxm, 13, size), name + " dx");
            assertArrayEquals(TestData.downloadAt(BACKEND, refDg, 10, c), TestData.downloadAt(BACKEND, dgm, 14, c), name + " dgamma");
            assertArrayEquals(TestData.downloadAt(BACKEND, refDb, 11, c), TestData.downloadAt(BACKEND, dbm, 15, c), name + " dbeta");

            ops.batchNormReluBackward(n, c, spatial, EPS, xm, 3, ym, 7, dym, 12, mean, 1, var, 2, gm, 4, dym, 12, null, 0,
                    null, 0);
            assertArrayEquals(expectedDx, TestData.downloadAt(BACKEND, dym, 12, size), name + " dx in place");
        }
    }

    /**
     * The vector kernel against the plain one on every plane length from 0 to a few vectors and around the float
     * block, for channels of 1 to 3 planes with gaps between them, at odd offsets, with a large mean and with special
     * values: the normalization bit for bit (any NaN for a NaN), the sums and the gradient within float rounding;
     * repeated until C2 has compiled both.
     */
    @Test
    void kernelsAgreeOnEveryLength() {
        CpuNorm.Kernel plain = new CpuNormPlain();
        CpuNorm.Kernel vector = CpuVectorSupport.load("org.cnn4j.cpu.CpuNormVector", CpuNorm.Kernel.class);
        int block = CpuNormVector.BLOCK;
        int[] longLengths = {block - 1, block, block + 1, 2 * block + 9, 3 * block - 7};
        for (int rep = 0; rep < 6 * TestData.COMPILE_REPS; rep++) { // 6x: fewer calls per repetition than elsewhere
            for (int len = 0; len <= 40 + (rep < 5 ? longLengths.length : 0); len++) {
                int n = len <= 40 ? len : longLengths[len - 41];
                int planes = 1 + (len + rep) % 3;
                int stride = n + 5;
                int off = (len * 5 + rep) % 9;
                float shift = rep % 3 == 0 ? 1000f : 0f;
                float[] x = TestData.random(len + 100L * rep, off + planes * stride + 9);
                float[] dy = TestData.random(len + 100L * rep + 1, off + planes * stride + 9);
                for (int i = 0; i < x.length; i++) {
                    x[i] += shift;
                }
                int m = planes * n;
                double mu = m == 0 ? 0 : plain.channelSum(x, off, stride, planes, n) / m;
                String what = "len=" + n + " planes=" + planes + " off=" + off + " shift=" + shift + " rep " + rep;
                double scaleOfSum = Math.max(1, m * Math.max(1, Math.abs(shift)));
                assertClose(what + " sum", plain.channelSum(x, off, stride, planes, n),
                        vector.channelSum(x, off, stride, planes, n), 1e-6 * scaleOfSum);
                assertClose(what + " squares", plain.channelSquaredDeviations(x, off, stride, planes, n, mu),
                        vector.channelSquaredDeviations(x, off, stride, planes, n, mu), 1e-5 * Math.max(1, m));
                double[] ps = new double[2];
                double[] vs = new double[2];
                plain.channelGradientSums(dy, 8 - off, x, off, stride, planes, n, mu, ps);
                vector.channelGradientSums(dy, 8 - off, x, off, stride, planes, n, mu, vs);
                assertClose(what + " sum dy", ps[0], vs[0], 1e-6 * Math.max(1, m));
                assertClose(what + " sum dy (x - mu)", ps[1], vs[1], 1e-5 * Math.max(1, m));
                float[] py = new float[n + 2];
                float[] vy = new float[n + 2];
                plain.normalize(x, off, py, 1, n, (float) mu, 1.7f, -0.25f);
                vector.normalize(x, off, vy, 1, n, (float) mu, 1.7f, -0.25f);
                Tolerance.assertSame(what + " normalize", py, vy);
                plain.gradient(x, off, dy, 8 - off, py, 1, n, mu, 1.3, 0.9, 0.01, -0.2);
                vector.gradient(x, off, dy, 8 - off, vy, 1, n, mu, 1.3, 0.9, 0.01, -0.2);
                Tolerance.assertClose(what + " gradient", py, vy, 2e-6 * Math.max(1, Math.abs(shift)), 1e-5);
            }
        }
        float[] special = TestData.withSpecials(5, 300, 7);
        float[] py = new float[300];
        float[] vy = new float[300];
        plain.normalize(special, 0, py, 0, 300, 0.5f, -2f, 1f);
        vector.normalize(special, 0, vy, 0, 300, 0.5f, -2f, 1f);
        Tolerance.assertSame("normalize with special values", py, vy);
        assertEquals(Double.isNaN(plain.channelSum(special, 0, 100, 3, 100)),
                Double.isNaN(vector.channelSum(special, 0, 100, 3, 100)), "NaN sum");
    }

    private static void assertClose(String what, double expected, double actual, double atol) {
        if (!(Math.abs(actual - expected) <= atol + 1e-6 * Math.abs(expected))) {
            org.junit.jupiter.api.Assertions.fail(what + ": expected " + expected + ", but got " + actual + " (difference "
                    + Math.abs(actual - expected) + ", allowed " + (atol + 1e-6 * Math.abs(expected)) + ")");
        }
    }
}
