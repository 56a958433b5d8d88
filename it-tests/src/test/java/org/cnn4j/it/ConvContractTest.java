package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link org.cnn4j.runtime.spi.ConvOps} on every device against {@link NaiveConv} (double precision) on
 * seeded random inputs, over geometries that reach every index path: odd sizes, stride 2 and 3,
 * dilation 2, groups 2, depthwise (with and without a channel multiplier), asymmetric padding, 1x1,
 * 5x5, rectangular kernels, an output of 1x1, an input smaller than the kernel, a stride larger than
 * the kernel (inputs no window reads get {@code dx = 0}), 3-D, batch 1 and larger. Outputs start
 * as NaN, so an op that does not overwrite every element fails; some cases also place every buffer at
 * an odd offset. Tolerances: {@link CnnTolerances#conv}.
 */
class ConvContractTest {
    /** One geometry with its seeded inputs and double references. */
    record Case(String name, ConvGeometry g, float[] x, float[] w, float[] bias, float[] dy, int shift) {
        String what(Device device, String op) {
            return op + " " + name + " " + g + (shift > 0 ? " at offset " + shift : "") + " on " + device.spec();
        }
    }

    static ConvGeometry g3(int n, int c, int[] in, int k, int[] kernel, int[] stride, int[] before, int[] after, int[] dil,
                           int groups) {
        return NaiveConv.geometry(n, c, in, k, kernel, stride, before, after, dil, groups);
    }

    static final List<Case> CASES = cases();

    static List<Case> cases() {
        SplittableRandom r = new SplittableRandom(7001);
        List<Object[]> gs = new ArrayList<>();
        gs.add(new Object[] {"3x3 pad 1, odd sizes", NaiveConv.conv2d(2, 3, 7, 9, 4, 3, 3, 1, 1, 1, 1)});
        gs.add(new Object[] {"stride 2", NaiveConv.conv2d(2, 4, 9, 8, 6, 3, 3, 2, 1, 1, 1)});
        gs.add(new Object[] {"stride 3", NaiveConv.conv2d(1, 3, 10, 11, 5, 3, 3, 3, 0, 1, 1)});
        gs.add(new Object[] {"dilation 2", NaiveConv.conv2d(2, 3, 9, 9, 4, 3, 3, 1, 2, 2, 1)});
        gs.add(new Object[] {"groups 2", NaiveConv.conv2d(2, 4, 8, 7, 6, 3, 3, 1, 1, 1, 2)});
        gs.add(new Object[] {"depthwise", NaiveConv.conv2d(2, 5, 8, 8, 5, 3, 3, 1, 1, 1, 5)});
        gs.add(new Object[] {"depthwise x2, stride 2", NaiveConv.conv2d(1, 3, 7, 7, 6, 3, 3, 2, 1, 1, 3)});
        gs.add(new Object[] {"asymmetric padding, 3x2 kernel",
            g3(2, 3, new int[] {1, 6, 7}, 2, new int[] {1, 3, 2}, new int[] {1, 1, 1}, new int[] {0, 2, 0},
                    new int[] {0, 0, 1}, new int[] {1, 1, 1}, 1)});
        gs.add(new Object[] {"1x1", NaiveConv.conv2d(3, 16, 5, 5, 8, 1, 1, 1, 0, 1, 1)});
        gs.add(new Object[] {"1x1 stride 2", NaiveConv.conv2d(2, 8, 7, 7, 4, 1, 1, 2, 0, 1, 1)});
        gs.add(new Object[] {"5x5 pad 2", NaiveConv.conv2d(2, 3, 12, 10, 4, 5, 5, 1, 2, 1, 1)});
        gs.add(new Object[] {"1x5 kernel",
            g3(1, 2, new int[] {1, 5, 9}, 3, new int[] {1, 1, 5}, new int[] {1, 1, 1}, new int[] {0, 0, 2},
                    new int[] {0, 0, 2}, new int[] {1, 1, 1}, 1)});
        gs.add(new Object[] {"5x1 kernel, stride (2, 1)",
            g3(2, 2, new int[] {1, 9, 4}, 3, new int[] {1, 5, 1}, new int[] {1, 2, 1}, new int[] {0, 1, 0},
                    new int[] {0, 1, 0}, new int[] {1, 1, 1}, 1)});
        gs.add(new Object[] {"output 1x1", NaiveConv.conv2d(2, 4, 5, 5, 3, 5, 5, 1, 0, 1, 1)});
        gs.add(new Object[] {"input smaller than kernel", NaiveConv.conv2d(1, 2, 2, 3, 3, 3, 3, 1, 1, 1, 1)});
        gs.add(new Object[] {"stride 3 > kernel 2", NaiveConv.conv2d(1, 2, 9, 9, 2, 2, 2, 3, 0, 1, 1)});
        gs.add(new Object[] {"a kernel column that only ever reads padding (output width 1)",
            g3(1, 2, new int[] {1, 3, 7}, 3, new int[] {1, 3, 5}, new int[] {1, 1, 1}, new int[] {0, 2, 2},
                    new int[] {0, 0, 0}, new int[] {1, 1, 2}, 1)});
        gs.add(new Object[] {"dilation 2, stride 2, groups 2", NaiveConv.conv2d(2, 6, 11, 11, 4, 3, 3, 2, 2, 2, 2)});
        gs.add(new Object[] {"batch 1, 32 channels", NaiveConv.conv2d(1, 32, 6, 6, 32, 3, 3, 1, 1, 1, 1)});
        gs.add(new Object[] {"batch 4, 16x16x16", NaiveConv.conv2d(4, 16, 16, 16, 16, 3, 3, 1, 1, 1, 1)});
        gs.add(new Object[] {"3-D 3x3x3 pad 1",
            g3(2, 3, new int[] {5, 6, 6}, 4, new int[] {3, 3, 3}, new int[] {1, 1, 1}, new int[] {1, 1, 1},
                    new int[] {1, 1, 1}, new int[] {1, 1, 1}, 1)});
        gs.add(new Object[] {"3-D stride (2, 2, 1), groups 2",
            g3(1, 4, new int[] {6, 5, 7}, 4, new int[] {2, 3, 3}, new int[] {2, 2, 1}, new int[] {0, 1, 1},
                    new int[] {0, 1, 1}, new int[] {1, 1, 1}, 2)});
        gs.add(new Object[] {"3-D dilation (2, 1, 2), asymmetric",
            g3(2, 2, new int[] {7, 4, 6}, 3, new int[] {2, 2, 2}, new int[] {1, 1, 2}, new int[] {1, 0, 2},
                    new int[] {0, 1, 0}, new int[] {2, 1, 2}, 1)});
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < gs.size(); i++) {
            ConvGeometry g = (ConvGeometry) gs.get(i)[1];
            out.add(new Case((String) gs.get(i)[0], g, Inputs.uniform(r, (int) g.inputSize(), -1, 1),
                    Inputs.uniform(r, (int) g.weightSize(), -1, 1), Inputs.uniform(r, g.outChannels(), -1, 1),
                    Inputs.uniform(r, (int) g.outputSize(), -1, 1), i % 4 == 3 ? 5 : 0));
        }
        return out;
    }

    private static void all(List<Executable> checks) {
        assertAll(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void forwardMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (Case c : CASES) {
            checks.add(() -> {
                SpiCalls spi = new SpiCalls(device, c.shift());
                double[] x = NaiveOps.toDouble(c.x());
                double[] w = NaiveOps.toDouble(c.w());
                CnnTolerances.convForward(c.g(), c.x(), c.w(), c.bias()).assertClose(c.what(device, "convForward with bias"),
                        NaiveConv.forward(c.g(), x, w, NaiveOps.toDouble(c.bias())), spi.convForward(c.g(), c.x(), c.w(), c.bias()));
                CnnTolerances.convForward(c.g(), c.x(), c.w(), null).assertClose(c.what(device, "convForward without bias"),
                        NaiveConv.forward(c.g(), x, w, null), spi.convForward(c.g(), c.x(), c.w(), null));
            });
        }
        all(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void backwardInputMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (Case c : CASES) {
            checks.add(() -> CnnTolerances.convBackwardInput(c.g(), c.dy(), c.w()).assertClose(c.what(device, "convBackwardInput"),
                    NaiveConv.backwardInput(c.g(), NaiveOps.toDouble(c.dy()), NaiveOps.toDouble(c.w())),
                    new SpiCalls(device, c.shift()).convBackwardInput(c.g(), c.dy(), c.w())));
        }
        all(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void backwardWeightMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (Case c : CASES) {
            checks.add(() -> CnnTolerances.convBackwardWeight(c.g(), c.x(), c.dy()).assertClose(c.what(device, "convBackwardWeight"),
                    NaiveConv.backwardWeight(c.g(), NaiveOps.toDouble(c.x()), NaiveOps.toDouble(c.dy())),
                    new SpiCalls(device, c.shift()).convBackwardWeight(c.g(), c.x(), c.dy())));
        }
        all(checks);
    }
}
