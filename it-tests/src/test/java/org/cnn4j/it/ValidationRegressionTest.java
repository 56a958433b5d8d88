package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.Conv3d;
import org.cnn4j.layers.ConvTranspose2d;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Dropout;
import org.cnn4j.layers.F;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.MSELoss;
import org.cnn4j.layers.MaxPool2d;
import org.cnn4j.layers.Padding;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One regression test per validation gap that {@link LayerPropertyTest} found: each bad call below used to leak an
 * {@link ArrayIndexOutOfBoundsException}, a backend's internal message, an op other than the one called, or to
 * return a result (sometimes after corrupting state); now each is refused with the documented type, naming the op
 * (checked with {@link ErrorContractTest#sameFailure}: the same message on every device and no memory left).
 */
class ValidationRegressionTest {
    private static final int MAX = Integer.MAX_VALUE;

    private static String refused(Device device, String what, ErrorContractTest.BadCall call) {
        return ErrorContractTest.sameFailure(device, IllegalArgumentException.class, what, call);
    }

    private static void startsWith(String prefix, String message, String... mentions) {
        assertTrue(message.startsWith(prefix), () -> "message must start with '" + prefix + "', but was: " + message);
        for (String m : mentions) {
            assertTrue(message.contains(m), () -> "message must mention '" + m + "', but was: " + message);
        }
    }

    /** A stride near INT_MAX overflowed the first-inside-output computation of both backends (valid call, one output). */
    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void convolutionWithAHugeStrideMatchesAnyStrideThatAlsoGivesOneOutput(Device device) {
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(Inputs.uniform(new java.util.SplittableRandom(5), 24, -1, 1), 3, 4, 2, 1);
            Tensor w = device.fromArray(Inputs.uniform(new java.util.SplittableRandom(6), 36, -1, 1), 3, 4, 3, 1);
            int[] padding = {0, 2, 2, 2};
            Tensor huge = F.conv2d("F.conv2d", x, w, null, new int[] {3, MAX}, padding, new int[] {1, 1}, 1);
            Tensor small = F.conv2d("F.conv2d", x, w, null, new int[] {3, 100}, padding, new int[] {1, 1}, 1);
            Contract.assertShape("stride INT_MAX", new int[] {3, 3, 1, 1}, huge);
            Tolerance.EXACT.assertClose("stride INT_MAX vs 100 on " + device.spec(), small.toArray(), huge.toArray());
            Tensor dilated = F.conv2d("F.conv2d", x, device.ones(1, 4, 1, 1), null, new int[] {1, 1}, new int[] {0, 0, 1, 0},
                    new int[] {1, MAX}, 1);
            Contract.assertShape("dilation INT_MAX with a 1x1 kernel", new int[] {3, 1, 2, 2}, dilated);
            assertTrue(dilated.toArray()[2] == 0f, "the padded column of a 1x1 kernel must give 0 on " + device.spec());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void hugePaddingsAndKernelsAreRefusedNamingTheOp(Device device) {
        // 2 * padding overflowed an int and passed the check padding <= kernel / 2
        startsWith("MaxPool2d:", refused(device, "pool padding 2^30, kernel INT_MAX", d -> () -> new MaxPool2d(new int[] {MAX, 2},
                new int[] {1, 1}, new int[] {1 << 30, 0}, false)), "padding");
        // an output above Shape.MAX_ELEMENTS was rejected by Shape.of, which named itself
        startsWith("F.conv2d:", refused(device, "conv output 2^32 elements", d -> {
            Tensor x = d.zeros(1, 1, 2, 2);
            Tensor w = d.zeros(1, 1, 1, 1);
            return () -> F.conv2d("F.conv2d", x, w, null, new int[] {1, 1}, Padding.of(1 << 15), new int[] {1, 1}, 1);
        }), "output", "at most");
        startsWith("F.maxPool2d:", refused(device, "pool padded extent above INT_MAX", d -> {
            Tensor x = d.zeros(1, 1, 2, 2);
            return () -> F.maxPool2d("F.maxPool2d", x, new int[] {MAX, 1}, new int[] {1, 1}, new int[] {MAX / 2, 0}, false);
        }), "input extent plus padding");
        startsWith("Conv3d:", refused(device, "Conv3d weight above MAX_ELEMENTS", d -> () -> new Conv3d(2, 4, new int[] {3, 2, MAX},
                new int[] {1, 1, 1}, new int[6], new int[] {1, 1, 1}, 1, true, d, new Generator(1))), "weight", "at most");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void wrongArrayLengthsAreRefusedNamingTheOp(Device device) {
        // F.maxPool2d read kernel[1] of a 1-value array: ArrayIndexOutOfBoundsException
        startsWith("F.maxPool2d:", refused(device, "F.maxPool2d stride of 1 value", d -> {
            Tensor x = d.zeros(1, 1, 4, 4);
            return () -> F.maxPool2d("F.maxPool2d", x, new int[] {2, 2}, new int[] {1}, new int[] {0, 0}, false);
        }), "stride", "[1]");
        // Conv2d took the trailing 2 of a 3-value kernel for the checks and the leading 2 for the weight
        startsWith("Conv2d:", refused(device, "Conv2d kernel of 3 values", d -> () -> new Conv2d(3, 3, new int[] {0, 3, 3},
                new int[] {1, 1}, Padding.of(1), new int[] {1, 1}, 1, false, d, new Generator(1))), "kernel", "[0, 3, 3]");
        startsWith("ConvTranspose2d:", refused(device, "ConvTranspose2d kernel of 3 values", d -> () -> new ConvTranspose2d(2, 2,
                new int[] {3, 3, 3}, new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0}, new int[] {1, 1}, 1, true, d,
                new Generator(1))), "kernel", "[3, 3, 3]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void linearWeightAndBiasShapesAreChecked(Device device) {
        // a [1, out] bias was broadcast into the output instead of being refused; a rank-1 weight failed in Shape.dim
        startsWith("F.linear:", refused(device, "F.linear bias [1, 3]", d -> {
            Tensor x = d.zeros(4, 2);
            Tensor w = d.zeros(3, 2);
            Tensor b = d.zeros(1, 3);
            return () -> F.linear("F.linear", x, w, b);
        }), "bias", "[1, 3]");
        startsWith("F.linear:", refused(device, "F.linear weight [2]", d -> {
            Tensor x = d.zeros(4, 2);
            Tensor w = d.zeros(2);
            return () -> F.linear("F.linear", x, w, null);
        }), "weight", "[2]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void closedInputsAreRefusedByTheLayerEvenWhereItWouldNotTouchThem(Device device) {
        // Dropout in evaluation returned the closed tensor; Flatten's and F.dropout's errors named Tensor.reshape / Tensor.memory
        for (boolean training : new boolean[] {false, true}) {
            String message = ErrorContractTest.sameFailure(device, IllegalStateException.class, "closed input, training=" + training,
                    d -> {
                        Dropout dropout = new Dropout(0.5f, new Generator(3));
                        if (!training) {
                            dropout.eval();
                        }
                        Tensor x = d.zeros(2, 3);
                        x.close();
                        return () -> dropout.forward(x);
                    });
            startsWith("Dropout.forward:", message, "closed");
        }
        startsWith("Flatten.forward:", ErrorContractTest.sameFailure(device, IllegalStateException.class, "Flatten closed", d -> {
            Tensor x = d.zeros(2, 3, 4);
            x.close();
            return () -> new Flatten().forward(x);
        }), "closed");
    }

    /** Momentum NaN used to be accepted by F.batchNorm and turned the running statistics into NaN. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void batchNormHyperparametersAreCheckedBeforeTheRunningStatisticsChange(Device device) {
        try (Scope scope = Scope.open()) {
            Tensor mean = device.zeros(3);
            Tensor var = device.ones(3);
            for (float[] bad : List.of(new float[] {Float.NaN, 1e-5f}, new float[] {0.1f, Float.POSITIVE_INFINITY},
                    new float[] {0.1f, -1e-5f}, new float[] {1.5f, 1e-5f})) {
                startsWith("F.batchNorm:", refused(device, "momentum " + bad[0] + ", eps " + bad[1], d -> {
                    Tensor x = d.ones(2, 3, 2, 2);
                    Tensor m = d == device ? mean : d.zeros(3);
                    Tensor v = d == device ? var : d.ones(3);
                    return () -> F.batchNorm("F.batchNorm", x, m, v, null, null, true, bad[0], bad[1]);
                }), "momentum", "eps");
            }
            Tolerance.EXACT.assertClose("running mean untouched", new float[3], mean.toArray());
            Tolerance.EXACT.assertClose("running var untouched", new float[] {1, 1, 1}, var.toArray());
        }
        startsWith("BatchNorm2d:", refused(device, "BatchNorm2d eps infinite",
                d -> () -> new BatchNorm2d(3, Float.POSITIVE_INFINITY, 0.1f, true, d)), "eps=Infinity");
        startsWith("F.batchNorm:", refused(device, "running mean without variance", d -> {
            Tensor x = d.ones(2, 3);
            Tensor m = d.zeros(3);
            return () -> F.batchNorm("F.batchNorm", x, m, null, null, null, false, 0.1f, 1e-5f);
        }), "running");
        // without running statistics the batch statistics are used, also in evaluation: one value per channel is refused
        startsWith("F.batchNorm:", refused(device, "batch statistics of one value", d -> {
            Tensor x = d.ones(1, 3, 1, 1);
            return () -> F.batchNorm("F.batchNorm", x, null, null, null, null, false, 0.1f, 1e-5f);
        }), "more than 1 value per channel", "[1, 3, 1, 1]");
    }

    /** A target of 0.5 passed the old minimum/maximum check and gave a NaN loss. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void crossEntropyTargetsMustBeIntegerClassIndices(Device device) {
        for (float t : new float[] {0.5f, 2.5f, Float.NaN, -1f, 3f}) {
            startsWith("CrossEntropyLoss.apply:", refused(device, "target " + t, d -> {
                Tensor logits = d.zeros(2, 3);
                Tensor targets = d.fromArray(new float[] {1, t}, 2);
                return () -> new CrossEntropyLoss().apply(logits, targets);
            }), "integers in [0, 3)", String.valueOf(t), "row 1");
        }
    }

    /** Tensors on two devices reached the backend, which failed with its own message (or a later op named itself). */
    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void tensorsOnTwoDevicesAreRefusedNamingTheOp(Device device) {
        List<Device> all = TestDevices.devices();
        assumeTrue(all.size() > 1, "needs a second device (an OpenCL device besides the cpu)");
        Device other = all.get(device == all.get(0) ? 1 : 0);
        String expected = "tensors must be on the same device, but got " + device.spec() + " and " + other.spec();
        try (Scope scope = Scope.open(); Linear linear = new Linear(2, 3, true, device, new Generator(1))) {
            Tensor there = other.zeros(4, 2);
            startsWith("Linear.forward:", assertThrows(IllegalArgumentException.class, () -> linear.forward(there)).getMessage(),
                    "but got " + other.spec() + " and " + device.spec()); // the input first, then the weight
            startsWith("MSELoss.apply:", assertThrows(IllegalArgumentException.class,
                    () -> new MSELoss().apply(device.zeros(4, 2), there)).getMessage(), expected);
            Tensor x = device.zeros(1, 1, 3, 3);
            Tensor w = device.zeros(2, 1, 3, 3);
            Tensor b = other.zeros(2);
            startsWith("F.conv2d:", assertThrows(IllegalArgumentException.class, () -> F.conv2d("F.conv2d", x, w, b,
                    new int[] {1, 1}, new int[4], new int[] {1, 1}, 1)).getMessage(), expected);
            Tensor logits = device.zeros(2, 3);
            startsWith("F.crossEntropy:", assertThrows(IllegalArgumentException.class, () -> F.crossEntropy("F.crossEntropy",
                    logits, other.zeros(2), 0f, true)).getMessage(), expected);
        }
    }
}
