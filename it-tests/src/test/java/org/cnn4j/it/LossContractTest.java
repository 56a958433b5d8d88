package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cnn4j.runtime.Device;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link org.cnn4j.runtime.spi.LossOps} on every device against {@link NaiveLoss}: softmax and
 * log-softmax with their backward passes, cross-entropy with label smoothing 0, 0.1 and 0.3 and its
 * backward with two scales, over rows x classes from 1x1 to 2x1000; logits of magnitude 1e4 stay finite;
 * an out-of-range target gives NaN for its row only.
 */
class LossContractTest {
    /** {@code {rows, classes}}. */
    static final int[][] SIZES = {{1, 1}, {3, 7}, {5, 10}, {2, 1000}, {17, 33}, {64, 5}, {1, 4097}};

    static String what(Device device, String op, int rows, int classes) {
        return op + " [" + rows + ", " + classes + "] on " + device.spec();
    }

    static float[] targets(SplittableRandom r, int rows, int classes) {
        float[] t = new float[rows];
        for (int i = 0; i < rows; i++) {
            t[i] = r.nextInt(classes);
        }
        return t;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void softmaxMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            int rows = SIZES[i][0];
            int classes = SIZES[i][1];
            SplittableRandom r = new SplittableRandom(4000 + i);
            float[] x = Inputs.uniform(r, rows * classes, -8, 8);
            float[] dy = Inputs.uniform(r, rows * classes, -1, 1);
            int shift = i % 2 == 1 ? 3 : 0;
            for (boolean log : new boolean[] {false, true}) {
                String name = log ? "logSoftmax" : "softmax";
                double[] y = NaiveLoss.softmax(log, rows, classes, NaiveOps.toDouble(x));
                float[] yf = PoolContractTest.toFloat(y);
                checks.add(() -> (log ? CnnTolerances.logSoftmax(classes, x) : CnnTolerances.SOFTMAX).assertClose(
                        what(device, name, rows, classes), y, new SpiCalls(device, shift).softmax(log, rows, classes, x)));
                checks.add(() -> (log ? CnnTolerances.logSoftmaxBackward(rows, classes, dy) : CnnTolerances.softmaxBackward(dy))
                        .assertClose(what(device, name + "Backward", rows, classes),
                                NaiveLoss.softmaxBackward(log, rows, classes, NaiveOps.toDouble(yf), NaiveOps.toDouble(dy)),
                                new SpiCalls(device, shift).softmaxBackward(log, rows, classes, yf, dy)));
            }
        }
        assertAll(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void crossEntropyMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            int rows = SIZES[i][0];
            int classes = SIZES[i][1];
            SplittableRandom r = new SplittableRandom(4100 + i);
            float[] x = Inputs.uniform(r, rows * classes, -8, 8);
            float[] t = targets(r, rows, classes);
            int shift = i % 2 == 0 ? 5 : 0;
            for (float s : new float[] {0f, 0.1f, 0.3f}) {
                checks.add(() -> CnnTolerances.crossEntropy(classes, x).assertClose(what(device, "crossEntropy smoothing=" + s, rows, classes),
                        NaiveLoss.crossEntropy(rows, classes, s, NaiveOps.toDouble(x), NaiveOps.toDouble(t)),
                        new SpiCalls(device, shift).crossEntropy(rows, classes, s, x, t)));
                for (float scale : new float[] {1f / rows, -2.5f}) {
                    checks.add(() -> CnnTolerances.crossEntropyBackward(scale).assertClose(
                            what(device, "crossEntropyBackward smoothing=" + s + " scale=" + scale, rows, classes),
                            NaiveLoss.crossEntropyBackward(rows, classes, s, NaiveOps.toDouble(x), NaiveOps.toDouble(t), scale),
                            new SpiCalls(device, shift).crossEntropyBackward(rows, classes, s, x, t, scale)));
                }
            }
        }
        assertAll(checks);
    }

    /**
     * Logits of magnitude 1e4 (random, all equal, one far above the rest): softmax, log-softmax,
     * cross-entropy and its gradient are finite and match the reference (a kernel that forgets to
     * subtract the row maximum overflows {@code exp} to inf and returns NaN).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void hugeLogitsStayFinite(Device device) {
        int rows = 4;
        int classes = 9;
        SplittableRandom r = new SplittableRandom(4200);
        float[] x = Inputs.uniform(r, rows * classes, -1e4, 1e4);
        for (int j = 0; j < classes; j++) {
            x[classes + j] = 1e4f;                          // row 1: all equal
            x[2 * classes + j] = j == 4 ? 1e4f : -1e4f;     // row 2: one far above
            x[3 * classes + j] = -1e4f + j;                 // row 3: all very negative, close together
        }
        float[] t = {3, 0, 4, 8};
        SpiCalls spi = new SpiCalls(device);
        List<Executable> checks = new ArrayList<>();
        double[] xd = NaiveOps.toDouble(x);
        checks.add(() -> CnnTolerances.SOFTMAX.assertClose(what(device, "softmax of logits ~1e4", rows, classes),
                NaiveLoss.softmax(false, rows, classes, xd), finite(spi.softmax(false, rows, classes, x))));
        checks.add(() -> CnnTolerances.logSoftmax(classes, x).assertClose(what(device, "logSoftmax of logits ~1e4", rows, classes),
                NaiveLoss.softmax(true, rows, classes, xd), finite(spi.softmax(true, rows, classes, x))));
        for (float s : new float[] {0f, 0.1f}) {
            checks.add(() -> CnnTolerances.crossEntropy(classes, x).assertClose(what(device, "crossEntropy of logits ~1e4, s=" + s, rows,
                    classes), NaiveLoss.crossEntropy(rows, classes, s, xd, NaiveOps.toDouble(t)), finite(spi.crossEntropy(rows, classes, s, x, t))));
            checks.add(() -> CnnTolerances.crossEntropyBackward(0.25f).assertClose(
                    what(device, "crossEntropyBackward of logits ~1e4, s=" + s, rows, classes),
                    NaiveLoss.crossEntropyBackward(rows, classes, s, xd, NaiveOps.toDouble(t), 0.25),
                    finite(spi.crossEntropyBackward(rows, classes, s, x, t, 0.25f))));
        }
        assertAll(checks);
    }

    private static float[] finite(float[] v) {
        for (int i = 0; i < v.length; i++) {
            int k = i;
            assertTrue(Float.isFinite(v[i]), () -> "element " + k + " must be finite, but got " + v[k]);
        }
        return v;
    }

    /** Targets {@code classes} and {@code -1} give NaN for their rows; the other rows are unaffected. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void anOutOfRangeTargetGivesNaNForItsRow(Device device) {
        int rows = 5;
        int classes = 6;
        float[] x = Inputs.uniform(new SplittableRandom(4300), rows * classes, -3, 3);
        float[] t = {2, classes, 0, -1, 5};
        for (float s : new float[] {0f, 0.1f}) {
            CnnTolerances.crossEntropy(classes, x).assertClose(
                    what(device, "crossEntropy with targets " + java.util.Arrays.toString(t) + " smoothing=" + s, rows, classes),
                    NaiveLoss.crossEntropy(rows, classes, s, NaiveOps.toDouble(x), NaiveOps.toDouble(t)),
                    new SpiCalls(device).crossEntropy(rows, classes, s, x, t));
        }
    }
}
