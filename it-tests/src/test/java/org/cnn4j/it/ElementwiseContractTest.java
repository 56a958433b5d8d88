package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.cnn4j.it.Contract.assertTensor;
import static org.cnn4j.it.Contract.what;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.UnaryOp;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Element-wise ops through the public {@link Tensor} methods, on every device, against {@link NaiveOps}:
 * every {@link UnaryOp}, every {@link BinaryOp} with NumPy broadcasting, scalar ops in both orders, on
 * sizes that divide no work-group size (1, 7, 1023, 1025, 100003) and on special values.
 */
class ElementwiseContractTest {
    /** Sizes that are not multiples of any work-group or vector width, plus one large odd size. */
    static final int[] ODD_SIZES = {1, 7, 1023, 1025, 100003};

    /** Each unary op through its Tensor method. */
    static final Map<UnaryOp, Function<Tensor, Tensor>> UNARY = new EnumMap<>(UnaryOp.class);
    /** Each binary op through its Tensor method. */
    static final Map<BinaryOp, BiFunction<Tensor, Tensor, Tensor>> BINARY = new EnumMap<>(BinaryOp.class);

    static {
        UNARY.put(UnaryOp.NEG, Tensor::neg);
        UNARY.put(UnaryOp.ABS, Tensor::abs);
        UNARY.put(UnaryOp.RELU, Tensor::relu);
        UNARY.put(UnaryOp.SIGMOID, Tensor::sigmoid);
        UNARY.put(UnaryOp.TANH, Tensor::tanh);
        UNARY.put(UnaryOp.EXP, Tensor::exp);
        UNARY.put(UnaryOp.LOG, Tensor::log);
        UNARY.put(UnaryOp.SQRT, Tensor::sqrt);
        UNARY.put(UnaryOp.SQUARE, Tensor::square);
        UNARY.put(UnaryOp.RECIPROCAL, Tensor::reciprocal);
        BINARY.put(BinaryOp.ADD, Tensor::add);
        BINARY.put(BinaryOp.SUB, Tensor::sub);
        BINARY.put(BinaryOp.MUL, Tensor::mul);
        BINARY.put(BinaryOp.DIV, Tensor::div);
        BINARY.put(BinaryOp.MAX, Tensor::maximum);
        BINARY.put(BinaryOp.MIN, Tensor::minimum);
        BINARY.put(BinaryOp.POW, Tensor::pow);
    }

    /** Broadcasting pairs {a shape, b shape}; rank 0 is {@code {}}. */
    static final int[][][] BROADCAST_PAIRS = {
        {{4, 1, 3}, {2, 1}},
        {{5, 3}, {3}},
        {{3}, {5, 3}},
        {{3, 1}, {1, 4}},
        {{2, 3, 4}, {2, 1, 4}},
        {{1}, {7}},
        {{7}, {1}},
        {{}, {2, 3}},
        {{2, 3}, {}},
        {{}, {}},
        {{1025}, {1025}},
        {{2, 1, 3, 1, 5}, {3, 4, 1}},
        {{6, 1, 7, 1, 2}, {1, 5, 1, 4, 1}},
        {{3, 1, 1}, {1, 1, 1}},
        {{33, 1}, {1, 1023}},
        {{100003}, {100003}},
        {{2, 100003}, {1, 100003}},
    };

    @Test
    void everyOpIsCovered() {
        assertEquals(UnaryOp.values().length, UNARY.size(), "a UnaryOp has no Tensor method mapped here");
        assertEquals(BinaryOp.values().length, BINARY.size(), "a BinaryOp has no Tensor method mapped here");
    }

    /** Inputs inside each op's domain, wide enough to reach the interesting parts of its range. */
    static float[] unaryInput(UnaryOp op, SplittableRandom random, int n) {
        return switch (op) {
            case LOG, SQRT -> abs(Inputs.awayFromZero(random, n, 1e-6, 1e6));
            case RECIPROCAL -> Inputs.awayFromZero(random, n, 1e-3, 1e3);
            case EXP -> Inputs.uniform(random, n, -80, 80);
            case SIGMOID -> Inputs.uniform(random, n, -40, 40);
            case TANH -> Inputs.uniform(random, n, -12, 12);
            default -> Inputs.uniform(random, n, -100, 100);
        };
    }

    private static float[] abs(float[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.abs(x[i]);
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void everyUnaryOpOnOddSizes(Device device) {
        SplittableRandom random = new SplittableRandom(101);
        for (UnaryOp op : UnaryOp.values()) {
            for (int n : ODD_SIZES) {
                float[] x = unaryInput(op, random, n);
                try (Scope scope = Scope.open()) {
                    Tensor t = device.fromArray(x, n);
                    double[] reference = NaiveOps.roundToFloat(NaiveOps.unary(op, x));
                    assertTensor(what(device, op.name(), new int[] {n}), Tolerances.of(op), new int[] {n},
                            reference, UNARY.get(op).apply(t));
                }
            }
        }
    }

    /** Zeros, infinities, NaN, the largest/smallest normal floats and large magnitudes such as +-30 and +-100. */
    static final float[] SPECIAL = {
        0f, -0f, 1f, -1f, 0.5f, -0.5f, 30f, -30f, 88f, -88f, 100f, -100f, 1e-30f, -1e-30f, 1e30f, -1e30f,
        Float.MIN_NORMAL, -Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void everyUnaryOpOnSpecialValues(Device device) {
        for (UnaryOp op : UnaryOp.values()) {
            try (Scope scope = Scope.open()) {
                Tensor t = device.fromArray(SPECIAL, SPECIAL.length);
                double[] reference = NaiveOps.roundToFloat(NaiveOps.unary(op, SPECIAL));
                // SQUARE of +-MIN_NORMAL and RECIPROCAL of +-MAX_VALUE are subnormal: a device may flush them to 0.
                Tolerance tol = op == UnaryOp.SQUARE || op == UnaryOp.RECIPROCAL
                        ? new Tolerance(Float.MIN_NORMAL, Tolerances.of(op).rtol()) : Tolerances.of(op);
                assertTensor(what(device, op.name() + " of special values", new int[] {SPECIAL.length}), tol,
                        new int[] {SPECIAL.length}, reference, UNARY.get(op).apply(t));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void sigmoidSaturatesWithoutOverflow(Device device) {
        float[] x = {-1000f, -200f, -100f, -88.7f, -50f, -30f, -17f, 0f, 17f, 30f, 50f, 88.7f, 100f, 200f, 1000f};
        try (Scope scope = Scope.open()) {
            float[] y = device.fromArray(x, x.length).sigmoid().toArray();
            for (int i = 0; i < x.length; i++) {
                double expected = NaiveOps.unary(UnaryOp.SIGMOID, x[i]);
                assertEquals(expected, y[i], 1e-6 + 1e-5 * expected,
                        "sigmoid(" + x[i] + ") on " + device.spec() + " (must be finite, in [0, 1])");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void everyBinaryOpWithBroadcasting(Device device) {
        SplittableRandom random = new SplittableRandom(202);
        for (BinaryOp op : BinaryOp.values()) {
            for (int[][] pair : BROADCAST_PAIRS) {
                int[] as = pair[0];
                int[] bs = pair[1];
                float[] a = binaryLeft(op, random, NaiveOps.numel(as));
                float[] b = binaryRight(op, random, NaiveOps.numel(bs));
                int[] out = NaiveOps.broadcastShape(as, bs);
                try (Scope scope = Scope.open()) {
                    Tensor ta = device.fromArray(a, as);
                    Tensor tb = device.fromArray(b, bs);
                    double[] reference = NaiveOps.roundToFloat(NaiveOps.binary(op, a, as, b, bs));
                    assertTensor(what(device, op.name(), as, bs), Tolerances.of(op), out, reference,
                            BINARY.get(op).apply(ta, tb));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void everyBinaryOpOnOddSizes(Device device) {
        SplittableRandom random = new SplittableRandom(303);
        for (BinaryOp op : BinaryOp.values()) {
            for (int n : ODD_SIZES) {
                float[] a = binaryLeft(op, random, n);
                float[] b = binaryRight(op, random, n);
                try (Scope scope = Scope.open()) {
                    double[] reference = NaiveOps.roundToFloat(NaiveOps.binary(op, a, new int[] {n}, b, new int[] {n}));
                    assertTensor(what(device, op.name(), new int[] {n}, new int[] {n}), Tolerances.of(op), new int[] {n},
                            reference, BINARY.get(op).apply(device.fromArray(a, n), device.fromArray(b, n)));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void maximumAndMinimumPropagateNaN(Device device) {
        float nan = Float.NaN;
        float[] a = {nan, 1f, nan, -2f, 3f};
        float[] b = {0f, nan, nan, 5f, -Float.POSITIVE_INFINITY};
        for (BinaryOp op : new BinaryOp[] {BinaryOp.MAX, BinaryOp.MIN}) {
            try (Scope scope = Scope.open()) {
                double[] reference = NaiveOps.binary(op, a, new int[] {5}, b, new int[] {5});
                assertTensor(what(device, op.name() + " with NaN", new int[] {5}), Tolerances.EXACT, new int[] {5},
                        reference, BINARY.get(op).apply(device.fromArray(a, 5), device.fromArray(b, 5)));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void powFollowsCSpecialCases(Device device) {
        // BinaryOp.POW is "as C's powf" (C99 Annex F, as OpenCL C and PyTorch): pow(1, y) = 1 and
        // pow(-1, +-inf) = 1 even for y = NaN, where Java's Math.pow gives NaN.
        float nan = Float.NaN;
        float inf = Float.POSITIVE_INFINITY;
        float[] base = {1f, 1f, 1f, -1f, -1f, nan, nan, -2f, -8f, 0f, -0f, -0f, 0.5f, 2f, -2f, 2f, 0f};
        float[] expo = {nan, inf, -inf, inf, -inf, 0f, -0f, 0.5f, 1f / 3, -1f, -1f, -2f, inf, -inf, 3f, 10f, 0f};
        int n = base.length;
        try (Scope scope = Scope.open()) {
            double[] reference = NaiveOps.roundToFloat(NaiveOps.binary(BinaryOp.POW, base, new int[] {n}, expo, new int[] {n}));
            assertTensor(what(device, "pow special cases", new int[] {n}), Tolerances.TRANSCENDENTAL, new int[] {n},
                    reference, device.fromArray(base, n).pow(device.fromArray(expo, n)));
            float[] ones = {1f, 1f, 1f};
            assertTensor(what(device, "pow(1, NaN) with a scalar exponent", new int[] {3}), Tolerances.EXACT, new int[] {3},
                    new double[] {1, 1, 1}, device.fromArray(ones, 3).pow(nan));
        }
    }

    /** Left operands: positive bases for POW (so that real powers exist), anything else otherwise. */
    static float[] binaryLeft(BinaryOp op, SplittableRandom random, int n) {
        return op == BinaryOp.POW ? Inputs.uniform(random, n, 0.05, 4) : Inputs.uniform(random, n, -10, 10);
    }

    /** Right operands: divisors away from 0, moderate exponents. */
    static float[] binaryRight(BinaryOp op, SplittableRandom random, int n) {
        return switch (op) {
            case DIV -> Inputs.awayFromZero(random, n, 0.01, 100);
            case POW -> Inputs.uniform(random, n, -4, 4);
            default -> Inputs.uniform(random, n, -10, 10);
        };
    }

    /** A scalar op through its Tensor method, with its meaning in {@link NaiveOps} terms. */
    record ScalarCase(String name, BinaryOp op, boolean scalarFirst, BiFunction<Tensor, Float, Tensor> method) {
    }

    static final ScalarCase[] SCALAR_CASES = {
        new ScalarCase("add", BinaryOp.ADD, false, Tensor::add),
        new ScalarCase("sub", BinaryOp.SUB, false, Tensor::sub),
        new ScalarCase("rsub", BinaryOp.SUB, true, Tensor::rsub),
        new ScalarCase("mul", BinaryOp.MUL, false, Tensor::mul),
        new ScalarCase("div", BinaryOp.DIV, false, Tensor::div),
        new ScalarCase("rdiv", BinaryOp.DIV, true, Tensor::rdiv),
        new ScalarCase("pow", BinaryOp.POW, false, Tensor::pow),
        new ScalarCase("clampMin", BinaryOp.MAX, false, Tensor::clampMin),
        new ScalarCase("clampMax", BinaryOp.MIN, false, Tensor::clampMax),
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void scalarOpsInBothOrders(Device device) {
        SplittableRandom random = new SplittableRandom(404);
        float[] scalars = {0.75f, -2.5f, 3f, 0f};
        for (ScalarCase c : SCALAR_CASES) {
            for (int n : ODD_SIZES) {
                for (float s : scalars) {
                    if (c.op() == BinaryOp.DIV && !c.scalarFirst() && s == 0f) {
                        continue; // x / 0 is covered by the special values of reciprocal
                    }
                    float[] x = c.op() == BinaryOp.POW ? Inputs.uniform(random, n, 0.05, 4)
                            : c.op() == BinaryOp.DIV && c.scalarFirst() ? Inputs.awayFromZero(random, n, 0.01, 100)
                            : Inputs.uniform(random, n, -10, 10);
                    try (Scope scope = Scope.open()) {
                        double[] reference = NaiveOps.roundToFloat(NaiveOps.scalar(c.op(), x, s, c.scalarFirst()));
                        assertTensor(what(device, c.name() + "(" + s + ")", new int[] {n}), Tolerances.of(c.op()),
                                new int[] {n}, reference, c.method().apply(device.fromArray(x, n), s));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void scalarTensorAgreesWithScalarOp(Device device) {
        SplittableRandom random = new SplittableRandom(505);
        int[] shape = {3, 1025};
        float[] x = Inputs.awayFromZero(random, NaiveOps.numel(shape), 0.1, 10);
        float s = -1.75f;
        try (Scope scope = Scope.open()) {
            Tensor t = device.fromArray(x, shape);
            Tensor st = device.scalar(s);
            // s - x two ways, s / x two ways, x * s two ways: exactly the same values
            Tolerance.EXACT.assertClose(what(device, "rsub vs scalar tensor", shape), t.rsub(s).toArray(), st.sub(t).toArray());
            Tolerance.EXACT.assertClose(what(device, "x - s vs scalar tensor", shape), t.sub(s).toArray(), t.sub(st).toArray());
            Tolerance.EXACT.assertClose(what(device, "mul vs scalar tensor", shape), t.mul(s).toArray(), st.mul(t).toArray());
            Tolerances.FEW_ULPS.assertClose(what(device, "rdiv vs scalar tensor", shape),
                    NaiveOps.roundToFloat(NaiveOps.scalar(BinaryOp.DIV, x, s, true)), st.div(t).toArray());
            Tolerances.FEW_ULPS.assertClose(what(device, "rdiv", shape),
                    NaiveOps.roundToFloat(NaiveOps.scalar(BinaryOp.DIV, x, s, true)), t.rdiv(s).toArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void chainedOpsMatchTheComposedReference(Device device) {
        // relu(x * w + b) with w broadcast over rows and b a scalar: a typical layer expression
        SplittableRandom random = new SplittableRandom(606);
        int rows = 37;
        int cols = 129;
        float[] x = Inputs.uniform(random, rows * cols, -3, 3);
        float[] w = Inputs.uniform(random, cols, -3, 3);
        float b = 0.25f;
        double[] reference = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                float xw = x[r * cols + c] * w[c]; // each op rounds to float32, as the device does
                float s = xw + b;
                reference[r * cols + c] = Math.max(s, 0f);
            }
        }
        try (Scope scope = Scope.open()) {
            Tensor y = device.fromArray(x, rows, cols).mul(device.fromArray(w, cols)).add(b).relu();
            assertTensor(what(device, "relu(x * w + b)", new int[] {rows, cols}), Tolerances.EXACT,
                    new int[] {rows, cols}, reference, y);
        }
    }
}
