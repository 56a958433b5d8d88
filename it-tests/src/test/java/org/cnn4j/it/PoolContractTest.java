package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link org.cnn4j.runtime.spi.PoolOps} on every device against {@link NaivePool}: max pooling with its
 * argmax (exact: first maximum on ties, NaN wins, padding never wins, also when every value is
 * negative or -inf), average pooling with and without the padding counted (ceil mode included, where
 * PyTorch clips the divisor at the padded edge), adaptive average pooling (down, identity, global,
 * up), and every backward pass. Outputs start as NaN; some cases use odd buffer offsets.
 */
class PoolContractTest {
    record Case(String name, PoolGeometry g, int shift) {
        String what(Device device, String op) {
            return op + " " + name + " " + g + (shift > 0 ? " at offset " + shift : "") + " on " + device.spec();
        }
    }

    static PoolGeometry g3(int planes, int[] in, int[] kernel, int[] stride, int[] pad, boolean ceil) {
        return NaivePool.geometry(planes, in, kernel, stride, pad, ceil);
    }

    static final List<Case> WINDOWS = List.of(
            new Case("2x2 stride 2", NaivePool.pool2d(6, 8, 6, 2, 2, 0, false), 0),
            new Case("3x3 stride 2 pad 1, odd", NaivePool.pool2d(4, 9, 7, 3, 2, 1, false), 3),
            new Case("3x3 stride 1 pad 1", NaivePool.pool2d(3, 6, 5, 3, 1, 1, false), 0),
            new Case("2x2 stride 2 ceil, odd", NaivePool.pool2d(2, 7, 7, 2, 2, 0, true), 0),
            new Case("3x3 stride 3 pad 1 ceil", NaivePool.pool2d(3, 8, 10, 3, 3, 1, true), 5),
            new Case("3x3 stride 2 pad 1 ceil", NaivePool.pool2d(2, 6, 6, 3, 2, 1, true), 0),
            new Case("rectangular (2, 3) stride (1, 2)",
                    g3(2, new int[] {1, 5, 8}, new int[] {1, 2, 3}, new int[] {1, 1, 2}, new int[] {0, 1, 1}, false), 0),
            new Case("global 5x4 (output 1x1)", g3(5, new int[] {1, 5, 4}, new int[] {1, 5, 4}, new int[] {1, 1, 1},
                    new int[] {0, 0, 0}, false), 0),
            new Case("3-D 2x2x2 stride 2", g3(3, new int[] {4, 6, 4}, new int[] {2, 2, 2}, new int[] {2, 2, 2},
                    new int[] {0, 0, 0}, false), 0),
            new Case("3-D 3x3x3 stride 2 pad 1 ceil", g3(2, new int[] {5, 6, 7}, new int[] {3, 3, 3}, new int[] {2, 2, 2},
                    new int[] {1, 1, 1}, true), 1),
            new Case("32 planes 16x16, 3x3 stride 2 pad 1", NaivePool.pool2d(32, 16, 16, 3, 2, 1, false), 0));

    static final List<Case> ADAPTIVE = List.of(
            new Case("7x5 -> 3x2", NaivePool.adaptive(4, new int[] {1, 7, 5}, new int[] {1, 3, 2}), 0),
            new Case("5x5 -> 5x5", NaivePool.adaptive(2, new int[] {1, 5, 5}, new int[] {1, 5, 5}), 0),
            new Case("4x6 -> 1x1", NaivePool.adaptive(6, new int[] {1, 4, 6}, new int[] {1, 1, 1}), 3),
            new Case("10x10 -> 4x4", NaivePool.adaptive(3, new int[] {1, 10, 10}, new int[] {1, 4, 4}), 0),
            new Case("3x2 -> 5x4 (up)", NaivePool.adaptive(2, new int[] {1, 3, 2}, new int[] {1, 5, 4}), 0),
            new Case("1x1 -> 2x2", NaivePool.adaptive(2, new int[] {1, 1, 1}, new int[] {1, 2, 2}), 0),
            new Case("3-D 3x5x4 -> 2x3x3", NaivePool.adaptive(2, new int[] {3, 5, 4}, new int[] {2, 3, 3}), 2));

    private static float[] input(PoolGeometry g, long seed) {
        return Inputs.uniform(new SplittableRandom(seed), (int) g.inputSize(), -1, 1);
    }

    private static void checkMax(List<Executable> checks, Device device, Case c, String kind, float[] x) {
        checks.add(() -> {
            double[][] ref = NaivePool.maxForward(c.g(), NaiveOps.toDouble(x));
            float[][] got = new SpiCalls(device, c.shift()).maxPool(c.g(), x);
            CnnTolerances.MAX_POOL.assertClose(c.what(device, "maxPoolForward " + kind + " values"), ref[0], got[0]);
            CnnTolerances.MAX_POOL.assertClose(c.what(device, "maxPoolForward " + kind + " argmax"), ref[1], got[1]);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void maxPoolForwardMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < WINDOWS.size(); i++) {
            Case c = WINDOWS.get(i);
            int n = (int) c.g().inputSize();
            checkMax(checks, device, c, "random", input(c.g(), 100 + i));
            // three levels: many exact ties, the first maximum in row-major window order must win
            checkMax(checks, device, c, "ties", Inputs.levels(new SplittableRandom(200 + i), n, 3));
            // all negative: padding (which would be 0 or -inf) never wins
            checkMax(checks, device, c, "negative", Inputs.uniform(new SplittableRandom(300 + i), n, -3, -1));
            // every value -inf: the maximum is -inf at the first element of the window inside the input
            float[] minf = new float[n];
            java.util.Arrays.fill(minf, Float.NEGATIVE_INFINITY);
            checkMax(checks, device, c, "all -inf", minf);
            // one NaN per plane (so no window holds two): the windows containing it give NaN at its index
            float[] nan = input(c.g(), 400 + i);
            int plane = n / c.g().planes();
            SplittableRandom r = new SplittableRandom(500 + i);
            for (int p = 0; p < c.g().planes(); p++) {
                nan[p * plane + r.nextInt(plane)] = Float.NaN;
            }
            checkMax(checks, device, c, "NaN", nan);
        }
        assertAll(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void maxPoolBackwardMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < WINDOWS.size(); i++) {
            Case c = WINDOWS.get(i);
            for (boolean ties : new boolean[] {false, true}) {
                float[] x = ties ? Inputs.levels(new SplittableRandom(600 + i), (int) c.g().inputSize(), 3) : input(c.g(), 700 + i);
                float[] argmax = toFloat(NaivePool.maxForward(c.g(), NaiveOps.toDouble(x))[1]);
                float[] dy = Inputs.uniform(new SplittableRandom(800 + i), (int) c.g().outputSize(), -1, 1);
                checks.add(() -> CnnTolerances.poolBackward(c.g(), false, dy).assertClose(
                        c.what(device, "maxPoolBackward" + (ties ? " (tied input)" : "")),
                        NaivePool.maxBackward(c.g(), NaiveOps.toDouble(dy), NaiveOps.toDouble(argmax)),
                        new SpiCalls(device, c.shift()).maxPoolBackward(c.g(), dy, argmax)));
            }
        }
        assertAll(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void avgPoolMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < WINDOWS.size(); i++) {
            Case c = WINDOWS.get(i);
            float[] x = input(c.g(), 900 + i);
            float[] dy = Inputs.uniform(new SplittableRandom(1000 + i), (int) c.g().outputSize(), -1, 1);
            for (boolean cip : new boolean[] {true, false}) {
                checks.add(() -> CnnTolerances.avgPool(x).assertClose(c.what(device, "avgPoolForward countIncludePad=" + cip),
                        NaivePool.avgForward(c.g(), cip, NaiveOps.toDouble(x)), new SpiCalls(device, c.shift()).avgPool(c.g(), cip, x)));
                checks.add(() -> CnnTolerances.poolBackward(c.g(), false, dy).assertClose(
                        c.what(device, "avgPoolBackward countIncludePad=" + cip),
                        NaivePool.avgBackward(c.g(), cip, NaiveOps.toDouble(dy)),
                        new SpiCalls(device, c.shift()).avgPoolBackward(c.g(), cip, dy)));
            }
        }
        assertAll(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void adaptiveAvgPoolMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < ADAPTIVE.size(); i++) {
            Case c = ADAPTIVE.get(i);
            float[] x = input(c.g(), 1100 + i);
            float[] dy = Inputs.uniform(new SplittableRandom(1200 + i), (int) c.g().outputSize(), -1, 1);
            checks.add(() -> CnnTolerances.avgPool(x).assertClose(c.what(device, "adaptiveAvgPoolForward"),
                    NaivePool.adaptiveForward(c.g(), NaiveOps.toDouble(x)), new SpiCalls(device, c.shift()).adaptiveAvgPool(c.g(), x)));
            checks.add(() -> CnnTolerances.poolBackward(c.g(), true, dy).assertClose(c.what(device, "adaptiveAvgPoolBackward"),
                    NaivePool.adaptiveBackward(c.g(), NaiveOps.toDouble(dy)),
                    new SpiCalls(device, c.shift()).adaptiveAvgPoolBackward(c.g(), dy)));
        }
        assertAll(checks);
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }
}
