package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.cnn4j.layers.Activations;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.MaxPool2d;
import org.cnn4j.layers.Module;
import org.cnn4j.layers.Padding;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Anomaly;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.NonFiniteValueException;
import org.cnn4j.runtime.NonFiniteValueException.Direction;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Anomaly mode ({@link Anomaly}): the first op that makes a NaN or an infinity, forward or backward, is
 * reported with its op, layer path and shape; with the mode off nothing is checked; the mode nests, changes
 * no finite result, and leaves no device memory behind.
 */
class AnomalyTest {

    /** {@code ln x}: NaN below 0, -Inf at 0. */
    static final class Log extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.log();
        }
    }

    /** {@code sqrt x}: its derivative {@code 1 / (2 sqrt x)} is infinite at 0. */
    static final class Sqrt extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.sqrt();
        }
    }

    /**
     * {@code Sequential(Linear(2, 3), Log, Linear(3, 1))} with the first weight {@code [[1, 0], [0, 1], [1, -1]]}
     * and no bias: the input {@code [1, 1]} gives {@code h = [1, 1, 0]}, so the log makes one -Inf, and
     * {@code [1, 2]} gives {@code h = [1, 2, -1]}, one NaN.
     */
    private static Sequential logModel(Device device) {
        Linear first = new Linear(2, 3, false, device, new Generator(1));
        try (NoGrad off = NoGrad.enter()) {
            first.weight().tensor().copyFrom(new float[] {1, 0, 0, 1, 1, -1});
        }
        return new Sequential(first, new Log(), new Linear(3, 1, true, device, new Generator(2)));
    }

    private static void assertOff() {
        assertFalse(Anomaly.isEnabled(), "anomaly mode must be off by default in the tests (no -Dcnn4j.detectAnomaly)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void aNaNMadeByALayerNamesTheOpTheLayerTheShapeAndTheCounts(Device device) {
        assertOff();
        try (Scope scope = Scope.open(); Sequential model = logModel(device); Anomaly on = Anomaly.detect()) {
            Tensor x = device.fromArray(new float[] {1, 1, 1, 2}, 2, 2);      // h = [[1, 1, 0], [1, 2, -1]]
            NonFiniteValueException e = assertThrows(NonFiniteValueException.class, () -> model.forward(x));
            assertEquals(Direction.FORWARD, e.direction(), e.getMessage());
            assertEquals("Tensor.log", e.op(), e.getMessage());
            assertEquals("1 (Log)", e.layer(), e.getMessage());
            assertEquals(Shape.of(2, 3), e.shape(), e.getMessage());
            assertEquals(1, e.nanCount(), e.getMessage());
            assertEquals(1, e.infCount(), e.getMessage());
            assertEquals("Tensor.log (forward, layer 1 (Log)): output must be finite, but got 1 NaN and 1 Inf among 6 "
                    + "values of shape [2, 3]; every input was finite, so this op produced them", e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void anInfiniteWeightInANestedLayerIsReportedAtThatLayerWithTheWeightNamed(Device device) {
        Generator gen = new Generator(3);
        Conv2d bad = new Conv2d(2, 2, new int[] {3, 3}, new int[] {1, 1}, Padding.of(0), new int[] {1, 1}, 1, true,
                device, gen);
        try (Scope scope = Scope.open();
             Sequential model = new Sequential(
                     new Sequential(new Conv2d(1, 2, new int[] {3, 3}, new int[] {1, 1}, Padding.of(0), new int[] {1, 1},
                             1, true, device, gen), Activations.sigmoid()),
                     new Sequential(bad, new BatchNorm2d(2, 1e-5f, 0.1f, true, device)));
             Anomaly on = Anomaly.detect()) {
            float[] w = bad.namedParameters().get("weight").tensor().toArray();
            w[9 + 4] = Float.POSITIVE_INFINITY;                    // output channel 1, input channel 0, centre tap
            try (NoGrad off = NoGrad.enter()) {
                bad.namedParameters().get("weight").tensor().copyFrom(w);
            }
            // Sigmoid outputs are > 0, so every output of channel 1 is +Inf and channel 0 stays finite.
            Tensor x = device.fromArray(new float[2 * 36], 2, 1, 6, 6);
            NonFiniteValueException e = assertThrows(NonFiniteValueException.class, () -> model.forward(x));
            assertEquals(Direction.FORWARD, e.direction(), e.getMessage());
            assertEquals("conv", e.op(), e.getMessage());
            assertEquals("1.0 (Conv2d)", e.layer(), e.getMessage());
            assertEquals(Shape.of(2, 2, 2, 2), e.shape(), e.getMessage());
            assertEquals(0, e.nanCount(), e.getMessage());
            assertEquals(2 * 2 * 2, e.infCount(), e.getMessage());
            assertTrue(e.getMessage().contains("input 1 (weight [2, 2, 3, 3]) already held non-finite values"),
                    e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void anInfiniteGradientIsReportedAsTheBackwardOfTheOpThatMadeIt(Device device) {
        try (Scope scope = Scope.open(); Sequential model = new Sequential(new Sqrt()); Anomaly on = Anomaly.detect()) {
            Tensor x = device.fromArray(new float[] {0, 1, 4}, 3).requiresGrad(true);
            Tensor loss = model.forward(x).sum();                // sqrt(0) = 0: the forward is finite
            assertEquals(3f, loss.item());
            NonFiniteValueException e = assertThrows(NonFiniteValueException.class, loss::backward);
            assertEquals(Direction.BACKWARD, e.direction(), e.getMessage());
            assertEquals("Tensor.sqrt", e.op(), e.getMessage());
            assertEquals("0 (Sqrt)", e.layer(), e.getMessage());
            assertEquals(Shape.of(3), e.shape(), e.getMessage());
            assertEquals(0, e.nanCount(), e.getMessage());
            assertEquals(1, e.infCount(), e.getMessage());
            assertTrue(e.getMessage().startsWith("Tensor.sqrt (backward, layer 0 (Sqrt)): gradient for input 0 ("
                    + x.describe() + ") must be finite"), e.getMessage());
            assertTrue(e.getMessage().endsWith("the incoming gradient was finite, so this op's backward produced them"),
                    e.getMessage());
            assertEquals(null, x.grad(), "the pass stopped before anything reached the leaf");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void withTheModeOffTheSameModelRunsAndGivesTheNonFiniteValues(Device device) {
        assertOff();
        try (Scope scope = Scope.open(); Sequential model = logModel(device)) {
            Tensor x = device.fromArray(new float[] {1, 1, 1, 2}, 2, 2);
            float[] y = model.forward(x).toArray();
            assertTrue(Float.isInfinite(y[0]) && Float.isNaN(y[1]), "off: -Inf then NaN flow on, got " + y[0] + ", " + y[1]);
            Tensor s = device.fromArray(new float[] {0, 1}, 2).requiresGrad(true);
            new Sequential(new Sqrt()).forward(s).sum().backward();
            assertTrue(Float.isInfinite(s.grad().toArray()[0]), "off: the infinite gradient reaches the leaf");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void theModeNestsAndEachCloseRestoresTheStateItFound(Device device) {
        assertOff();
        try (Scope scope = Scope.open(); Sequential model = logModel(device)) {
            Tensor x = device.fromArray(new float[] {1, 2}, 1, 2);
            Anomaly outer = Anomaly.detect();
            assertTrue(Anomaly.isEnabled());
            try (Anomaly inner = Anomaly.set(false)) {
                assertFalse(Anomaly.isEnabled());
                model.forward(x);                                   // NaN, but unchecked
                try (Anomaly innermost = Anomaly.detect()) {
                    assertThrows(NonFiniteValueException.class, () -> model.forward(x));
                }
                assertFalse(Anomaly.isEnabled());
            }
            assertTrue(Anomaly.isEnabled());
            assertThrows(NonFiniteValueException.class, () -> model.forward(x));
            outer.close();
            assertOff();
            outer.close();                                          // idempotent: still the state found
            assertOff();
            model.forward(x);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void aFiniteTrainingStepGivesBitIdenticalResultsWithTheModeOn(Device device) {
        Generator gen = new Generator(4);
        float[] images = new float[4 * 64];
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) random.nextGaussian();
        }
        try (Scope scope = Scope.open();
             Sequential model = new Sequential(
                     new Conv2d(1, 3, new int[] {3, 3}, new int[] {1, 1}, Padding.of(1), new int[] {1, 1}, 1, true, device, gen),
                     new BatchNorm2d(3, 1e-5f, 0.1f, true, device), Activations.relu(), new MaxPool2d(2), new Flatten(),
                     new Linear(3 * 4 * 4, 2, true, device, gen))) {
            Tensor x = device.fromArray(images, 4, 1, 8, 8);
            Tensor y = device.fromArray(new float[] {0, 1, 1, 0}, 4);
            List<float[]> off = step(model, x, y);
            List<float[]> on;
            try (Anomaly a = Anomaly.detect()) {
                on = step(model, x, y);
            }
            assertEquals(off.size(), on.size());
            for (int i = 0; i < off.size(); i++) {
                assertArrayEquals(bits(off.get(i)), bits(on.get(i)), "result " + i + " (0: logits, 1: loss, then the "
                        + "gradients in parameter order) must be bit-identical on " + device.spec());
            }
        }
    }

    /** Logits, loss and every parameter gradient of one forward and backward pass. */
    private static List<float[]> step(Sequential model, Tensor x, Tensor y) {
        model.zeroGrad();
        List<float[]> out = new ArrayList<>();
        try (Scope s = Scope.open()) {
            Tensor logits = model.forward(x);
            Tensor loss = new CrossEntropyLoss().apply(logits, y);
            loss.backward();
            out.add(logits.toArray());
            out.add(loss.toArray());
        }
        for (Parameter p : model.parameters()) {
            out.add(p.grad().toArray());
        }
        return out;
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void theChecksLeaveNoDeviceMemoryBehindOnSuccessOrFailure(Device device) {
        long before = device.pool().bytesInUse();
        try (Anomaly on = Anomaly.detect()) {
            // Outside any scope, so a scratch tensor the check forgot to close would stay in use.
            Tensor x = device.fromArray(new float[] {-1, 0, 4}, 3);
            Tensor y = x.abs();
            Tensor bad = device.fromArray(new float[] {-1, 2, 3}, 3);
            assertThrows(NonFiniteValueException.class, bad::sqrt);
            bad.close();
            y.close();
            x.close();
            assertEquals(before, device.pool().bytesInUse(), "bytes in use after checked ops, a failed one included");
            try (Scope scope = Scope.open()) {
                Tensor z = device.ones(5);
                int owned = scope.size();
                z.exp();
                assertEquals(owned + 1, scope.size(), "a checked op leaves its output in the scope and nothing else");
            }
        }
        assertEquals(before, device.pool().bytesInUse(), "bytes in use at the end");
    }
}
