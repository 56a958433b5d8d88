package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.cnn4j.layers.Activations;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Dropout;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.GlobalAvgPool2d;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.MaxPool2d;
import org.cnn4j.layers.Module;
import org.cnn4j.layers.Padding;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The layers API: composition, a residual block, modes, naming, validation before any kernel, and learning. */
class LayersTest {

    /** A residual block written with the public API only: {@code relu(x + bn(conv(relu(bn(conv(x))))))}. */
    static final class ResidualBlock extends Module {
        private final Conv2d conv1;
        private final BatchNorm2d bn1;
        private final Conv2d conv2;
        private final BatchNorm2d bn2;

        ResidualBlock(int channels, Device device, Generator gen) {
            conv1 = registerModule("conv1", new Conv2d(channels, channels, new int[] {3, 3}, new int[] {1, 1},
                    Padding.of(1), new int[] {1, 1}, 1, false, device, gen));
            bn1 = registerModule("bn1", new BatchNorm2d(channels, 1e-5f, 0.1f, true, device));
            conv2 = registerModule("conv2", new Conv2d(channels, channels, new int[] {3, 3}, new int[] {1, 1},
                    Padding.of(1), new int[] {1, 1}, 1, false, device, gen));
            bn2 = registerModule("bn2", new BatchNorm2d(channels, 1e-5f, 0.1f, true, device));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor h = bn1.forward(conv1.forward(x)).relu();
            return bn2.forward(conv2.forward(h)).add(x).relu();
        }
    }

    private static Sequential smallCnn(Device device, Generator gen) {
        return new Sequential(
                new Conv2d(1, 4, new int[] {3, 3}, new int[] {1, 1}, Padding.of(1), new int[] {1, 1}, 1, true, device, gen),
                new BatchNorm2d(4, 1e-5f, 0.1f, true, device),
                Activations.relu(),
                new ResidualBlock(4, device, gen),
                new MaxPool2d(2),
                new Flatten(),
                new Dropout(0.1f, gen),
                new Linear(4 * 4 * 4, 3, true, device, gen));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void parametersAreNamedLikePyTorchAndModesPropagate(Device device) {
        try (Sequential model = smallCnn(device, new Generator(1))) {
            List<String> names = List.copyOf(model.namedParameters().keySet());
            assertEquals("0.weight", names.get(0));
            assertTrue(names.contains("3.conv1.weight"), names.toString());
            assertTrue(names.contains("3.bn2.bias"), names.toString());
            assertTrue(model.stateDict().containsKey("1.running_mean"), model.stateDict().keySet().toString());
            assertEquals(4 * 9 + 4 + 8 + 2 * (4 * 4 * 9 + 8) + 64 * 3 + 3, model.parameterCount());
            model.eval();
            assertTrue(!model.get(3).isTraining() && !model.get(6).isTraining());
            model.train();
            assertTrue(model.get(3).isTraining());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void badInputIsRejectedBeforeAnyKernelRuns(Device device) {
        try (Scope scope = Scope.open();
             Conv2d conv = new Conv2d(3, 8, new int[] {3, 3}, new int[] {1, 1}, Padding.of(0), new int[] {1, 1}, 1, true,
                     device, new Generator(2))) {
            Tensor wrongChannels = device.zeros(8, 4, 32, 32);
            Tensor tiny = device.zeros(1, 3, 2, 2);
            long before = device.pool().bytesInUse();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv.forward(wrongChannels));
            assertEquals("Conv2d.forward: input must have shape [N, 3, H, W] (inChannels=3), but got [8, 4, 32, 32]",
                    e.getMessage());
            IllegalArgumentException fit = assertThrows(IllegalArgumentException.class, () -> conv.forward(tiny));
            assertTrue(fit.getMessage().startsWith("Conv2d.forward: kernel (with dilation) must fit the padded input"),
                    fit.getMessage());
            assertEquals(before, device.pool().bytesInUse(), "nothing allocated by a rejected call");
        }
        IllegalArgumentException groups = assertThrows(IllegalArgumentException.class, () -> new Conv2d(6, 8,
                new int[] {3, 3}, new int[] {1, 1}, Padding.of(1), new int[] {1, 1}, 4, true, device, new Generator(3)));
        assertTrue(groups.getMessage().contains("groups=4"), groups.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1f));
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
        try (Scope scope = Scope.open(); Linear linear = new Linear(5, 2, true, device, new Generator(4))) {
            IllegalArgumentException lin = assertThrows(IllegalArgumentException.class, () -> linear.forward(device.zeros(2, 4)));
            assertEquals("Linear.forward: input must have shape [N, 5] (inFeatures=5), but got [2, 4]", lin.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void aSmallResidualCnnLearnsASeparableTask(Device device) {
        Generator gen = new Generator(5);
        SplittableRandom random = new SplittableRandom(6);
        int n = 48;
        float[] images = new float[n * 64];
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {             // class = which third of the 8x8 image holds a bright bar
            int cls = i % 3;
            labels[i] = cls;
            for (int p = 0; p < 64; p++) {
                int col = p % 8;
                boolean bar = col >= cls * 3 && col < cls * 3 + 2;
                images[i * 64 + p] = (float) ((bar ? 1.0 : 0.0) + 0.3 * random.nextGaussian());
            }
        }
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        try (Scope data = Scope.open(); Sequential model = smallCnn(device, gen)) {
            Tensor x = device.fromArray(images, n, 1, 8, 8);
            Tensor y = device.fromArray(labels, n);
            float first = 0;
            float last = 0;
            for (int step = 0; step < 30; step++) {
                try (Scope s = Scope.open()) {
                    model.zeroGrad();
                    Tensor loss = lossFn.apply(model.forward(x), y);
                    loss.backward();
                    try (NoGrad off = NoGrad.enter()) {           // plain gradient descent, lr 0.1
                        for (Parameter p : model.parameters()) {
                            p.tensor().copyFrom(p.tensor().sub(p.grad().mul(0.1f)));
                        }
                    }
                    float value = loss.item();
                    if (step == 0) {
                        first = value;
                    }
                    last = value;
                }
            }
            assertTrue(last < 0.5f * first, "loss must fall: first " + first + ", last " + last);
            model.eval();
            try (Scope s = Scope.open(); NoGrad off = NoGrad.enter()) {
                float[] predicted = model.forward(x).argmax(1, false).toArray();
                int correct = 0;
                for (int i = 0; i < n; i++) {
                    correct += predicted[i] == labels[i] ? 1 : 0;
                }
                assertTrue(correct >= 0.9 * n, "train accuracy " + correct + "/" + n);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void globalPoolingHeadsAndParametersAreFreedOnClose(Device device) {
        long before = device.pool().bytesInUse();
        try (Scope scope = Scope.open();
             Sequential head = new Sequential(new Conv2d(2, 3, new int[] {1, 1}, new int[] {1, 1}, Padding.of(0),
                     new int[] {1, 1}, 1, true, device, new Generator(7)), new GlobalAvgPool2d(), Activations.gelu())) {
            Tensor out = head.forward(device.ones(2, 2, 5, 5));
            Contract.assertShape("global pooling head", new int[] {2, 3}, out);
        }
        assertEquals(before, device.pool().bytesInUse(), "closing a model and its scope returns every buffer");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void aStateDictRoundTripsAndAMismatchChangesNothing(Device device) {
        try (Scope scope = Scope.open();
             Sequential a = smallCnn(device, new Generator(20));
             Sequential b = smallCnn(device, new Generator(21))) {
            Tensor x = device.ones(2, 1, 8, 8);
            a.eval();
            b.eval();
            b.loadStateDict(a.stateDict());
            Tolerance.EXACT.assertClose("same weights, same output", a.forward(x).toArray(), b.forward(x).toArray());

            java.util.Map<String, Tensor> wrong = new java.util.LinkedHashMap<>(a.stateDict());
            float[] before = b.namedParameters().get("0.weight").tensor().toArray();
            wrong.put("0.weight", device.zeros(4, 1, 3, 3));          // right shape: would be written ...
            wrong.put("7.weight", device.zeros(3, 63));               // ... but this one is wrong
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(wrong));
            assertEquals("Sequential.loadStateDict: '7.weight' must have shape [3, 64], but got [3, 63]", e.getMessage());
            Tolerance.EXACT.assertClose("nothing half-applied", before, b.namedParameters().get("0.weight").tensor().toArray());
            wrong.remove("7.weight");
            IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(wrong));
            assertTrue(missing.getMessage().contains("'7.weight' [3, 64], but it is missing"), missing.getMessage());
        }
    }
}
