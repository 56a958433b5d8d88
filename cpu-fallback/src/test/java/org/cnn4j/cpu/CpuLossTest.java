package org.cnn4j.cpu;

import java.util.SplittableRandom;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link CpuLoss} against {@link NaiveLoss}: softmax and log-softmax forward and backward, cross-entropy
 * with and without label smoothing and its backward scaled by a device scalar at an offset; rows of
 * one class and of many; logits far from 0 (stability); invalid targets giving NaN rows. The naive
 * backward passes are checked by central differences.
 */
class CpuLossTest {
    private static final Backend BACKEND = TestData.backend();

    private static float[] logits(long seed, int n, float spread) {
        float[] x = TestData.random(seed, n);
        for (int i = 0; i < n; i++) {
            x[i] *= spread;
        }
        return x;
    }

    private static float[] targets(long seed, int rows, int classes) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] t = new float[rows];
        for (int r = 0; r < rows; r++) {
            t[r] = rnd.nextInt(classes);
        }
        return t;
    }

    @ParameterizedTest(name = "rows={0} classes={1} log={2}")
    @CsvSource({"5, 7, false", "5, 7, true", "3, 1, false", "3, 1, true", "4, 33, true"})
    void naiveSoftmaxBackwardMatchesFiniteDifferences(int rows, int classes, boolean log) {
        double[] x = TestData.toDouble(logits(1, rows * classes, 3));
        double[] r = TestData.toDouble(TestData.random(2, rows * classes));
        double[] y = NaiveLoss.softmax(log, rows, classes, x);
        FiniteDifference.check("softmax log=" + log, xx -> FiniteDifference.dot(r, NaiveLoss.softmax(log, rows, classes, xx)),
                x, NaiveLoss.softmaxBackward(log, rows, classes, y, r), 40, 1e-5, 1e-7);
    }

    @ParameterizedTest(name = "rows={0} classes={1} smoothing={2}")
    @CsvSource({"6, 10, 0.0", "6, 10, 0.1", "3, 2, 0.3", "4, 1, 0.0"})
    void naiveCrossEntropyBackwardMatchesFiniteDifferences(int rows, int classes, double smoothing) {
        double[] x = TestData.toDouble(logits(3, rows * classes, 3));
        double[] t = TestData.toDouble(targets(4, rows, classes));
        double scale = 0.7;
        FiniteDifference.check("cross-entropy s=" + smoothing,
                xx -> scale * java.util.Arrays.stream(NaiveLoss.crossEntropy(rows, classes, smoothing, xx, t)).sum(),
                x, NaiveLoss.crossEntropyBackward(rows, classes, smoothing, x, t, scale), 40, 1e-5, 1e-7);
    }

    @ParameterizedTest(name = "rows={0} classes={1} spread={2}")
    @CsvSource({"7, 10, 1", "33, 1000, 5", "5, 1, 1", "3, 3, 1000", "2049, 17, 10"})
    void softmaxMatchesNaive(int rows, int classes, float spread) {
        int n = rows * classes;
        float[] x = logits(5, n, spread);
        float[] dy = TestData.random(6, n);
        DeviceMemory xm = TestData.uploadAt(BACKEND, x, 3);
        DeviceMemory dym = TestData.uploadAt(BACKEND, dy, 4);
        for (boolean log : new boolean[] {false, true}) {
            double[] expected = NaiveLoss.softmax(log, rows, classes, TestData.toDouble(x));
            DeviceMemory ym = TestData.garbage(BACKEND, n, 1);
            BACKEND.softmax(log, rows, classes, xm, 3, ym, 1);
            float[] y = TestData.downloadAt(BACKEND, ym, 1, n);
            Tolerance.assertClose("softmax log=" + log, expected, y, 1e-6, 1e-5);
            DeviceMemory dxm = TestData.garbage(BACKEND, n, 2);
            BACKEND.softmaxBackward(log, rows, classes, ym, 1, dym, 4, dxm, 2);
            Tolerance.assertClose("softmax backward log=" + log,
                    NaiveLoss.softmaxBackward(log, rows, classes, TestData.toDouble(y), TestData.toDouble(dy)),
                    TestData.downloadAt(BACKEND, dxm, 2, n), 1e-5, 1e-5);
        }
    }

    @ParameterizedTest(name = "rows={0} classes={1} smoothing={2} spread={3}")
    @CsvSource({"8, 10, 0.0, 1", "8, 10, 0.1, 1", "31, 1000, 0.2, 5", "4, 1, 0.0, 1", "5, 7, 0.1, 1000"})
    void crossEntropyMatchesNaive(int rows, int classes, float smoothing, float spread) {
        int n = rows * classes;
        float[] x = logits(7, n, spread);
        float[] t = targets(8, rows, classes);
        double[] xd = TestData.toDouble(x);
        double[] td = TestData.toDouble(t);
        DeviceMemory xm = TestData.uploadAt(BACKEND, x, 2);
        DeviceMemory tm = TestData.uploadAt(BACKEND, t, 3);
        DeviceMemory lm = TestData.garbage(BACKEND, rows, 1);
        BACKEND.crossEntropy(rows, classes, smoothing, xm, 2, tm, 3, lm, 1);
        Tolerance.assertClose("cross-entropy", NaiveLoss.crossEntropy(rows, classes, smoothing, xd, td),
                TestData.downloadAt(BACKEND, lm, 1, rows), 1e-5, 1e-5);
        DeviceMemory scale = TestData.uploadAt(BACKEND, new float[] {0.25f}, 5);
        DeviceMemory dxm = TestData.garbage(BACKEND, n, 4);
        BACKEND.crossEntropyBackward(rows, classes, smoothing, xm, 2, tm, 3, scale, 5, dxm, 4);
        Tolerance.assertClose("cross-entropy backward", NaiveLoss.crossEntropyBackward(rows, classes, smoothing, xd, td, 0.25),
                TestData.downloadAt(BACKEND, dxm, 4, n), 1e-7, 1e-5);
    }

    @Test
    void invalidTargetsGiveNaNRows() {
        int rows = 6;
        int classes = 4;
        float[] x = logits(9, rows * classes, 1);
        float[] t = {1, -1, 4, 1.5f, Float.NaN, 3};
        double[] xd = TestData.toDouble(x);
        double[] td = TestData.toDouble(t);
        DeviceMemory xm = TestData.upload(BACKEND, x);
        DeviceMemory tm = TestData.upload(BACKEND, t);
        DeviceMemory lm = TestData.garbage(BACKEND, rows, 0);
        BACKEND.crossEntropy(rows, classes, 0.1f, xm, 0, tm, 0, lm, 0);
        double[] expectedLoss = NaiveLoss.crossEntropy(rows, classes, 0.1, xd, td);
        Tolerance.assertClose("cross-entropy invalid targets", expectedLoss, TestData.downloadAt(BACKEND, lm, 0, rows), 1e-6, 1e-5);
        DeviceMemory dxm = TestData.garbage(BACKEND, rows * classes, 0);
        DeviceMemory scale = TestData.upload(BACKEND, new float[] {1f});
        BACKEND.crossEntropyBackward(rows, classes, 0.1f, xm, 0, tm, 0, scale, 0, dxm, 0);
        Tolerance.assertClose("cross-entropy backward invalid targets",
                NaiveLoss.crossEntropyBackward(rows, classes, 0.1, xd, td, 1), TestData.downloadAt(BACKEND, dxm, 0, rows * classes),
                1e-7, 1e-5);
        for (int r = 1; r <= 4; r++) {
            org.junit.jupiter.api.Assertions.assertTrue(Double.isNaN(expectedLoss[r]), "row " + r + " must be NaN");
        }
    }
}
