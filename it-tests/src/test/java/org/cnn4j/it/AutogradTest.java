package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.UnaryOp;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Autograd of the tensor ops: each gradient that {@code backward()} computes in float32 on a device is
 * compared with central finite differences of a plain double-precision forward,
 * {@code dL/dx_j ~ (L(x + h e_j) - L(x - h e_j)) / 2h}, h = 1e-6, whose error is O(h^2) + O(eps_double / h),
 * about 1e-10 here. The loss is {@code L = sum(op(x) * r)} with fixed random {@code r}, so every output
 * element weighs differently. The float32 side carries a few ulps per op; the tolerance
 * {@code atol 2e-5 + rtol 2e-4} covers chains of a few ops and sums of up to a few hundred terms.
 */
class AutogradTest {
    private static final Tolerance GRAD = new Tolerance(2e-5, 2e-4);

    /** Checks the gradients of every input of {@code op}; {@code naive} is the same function in double. */
    private static void check(Device device, String what, int[][] shapes, float[][] values,
                              Function<Tensor[], Tensor> op, ToDoubleFunction<double[][]> naiveLoss) {
        try (Scope scope = Scope.open()) {
            Tensor[] in = new Tensor[shapes.length];
            for (int i = 0; i < in.length; i++) {
                in[i] = device.fromArray(values[i], shapes[i]).requiresGrad(true);
            }
            Tensor loss = op.apply(in);
            assertEquals(1, loss.numel(), what + ": the checked function must give a scalar");
            loss.backward();
            double[][] x = new double[values.length][];
            for (int i = 0; i < x.length; i++) {
                x[i] = NaiveOps.toDouble(values[i]);
            }
            for (int i = 0; i < in.length; i++) {
                double[] fd = new double[x[i].length];
                double h = 1e-6;
                for (int j = 0; j < fd.length; j++) {
                    double keep = x[i][j];
                    x[i][j] = keep + h;
                    double up = naiveLoss.applyAsDouble(x);
                    x[i][j] = keep - h;
                    double down = naiveLoss.applyAsDouble(x);
                    x[i][j] = keep;
                    fd[j] = (up - down) / (2 * h);
                }
                GRAD.assertClose(what + " d/dinput" + i + " on " + device.spec(), fd, in[i].grad().toArray());
            }
            for (Tensor t : in) {
                t.zeroGrad();
            }
        }
    }

    private static float[] weights(int n, long seed) {
        return Inputs.uniform(new SplittableRandom(seed), n, -1, 1);
    }

    private static double dot(double[] y, float[] r) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i] * r[i];
        }
        return s;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void unaryOps(Device device) {
        SplittableRandom random = new SplittableRandom(1);
        int[] shape = {3, 5};
        float[] r = weights(15, 2);
        for (UnaryOp op : UnaryOp.values()) {
            boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT;
            float[] x = positive ? Inputs.uniform(random, 15, 0.5, 2) : Inputs.awayFromZero(random, 15, 0.2, 2);
            check(device, op.name(), new int[][] {shape}, new float[][] {x},
                    in -> unaryTensor(op, in[0]).mul(device.fromArray(r, shape)).sum(),
                    v -> {
                        double s = 0;
                        for (int i = 0; i < v[0].length; i++) {
                            s += NaiveOps.unary(op, v[0][i]) * r[i];
                        }
                        return s;
                    });
        }
    }

    private static Tensor unaryTensor(UnaryOp op, Tensor x) {
        return switch (op) {
            case NEG -> x.neg();
            case ABS -> x.abs();
            case RELU -> x.relu();
            case SIGMOID -> x.sigmoid();
            case TANH -> x.tanh();
            case EXP -> x.exp();
            case LOG -> x.log();
            case SQRT -> x.sqrt();
            case SQUARE -> x.square();
            case RECIPROCAL -> x.reciprocal();
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void binaryOpsWithBroadcasting(Device device) {
        SplittableRandom random = new SplittableRandom(3);
        int[] aShape = {4, 1, 3};
        int[] bShape = {2, 3};
        int[] outShape = {4, 2, 3};
        float[] r = weights(24, 4);
        for (BinaryOp op : BinaryOp.values()) {
            float[] a = op == BinaryOp.POW ? Inputs.uniform(random, 12, 0.5, 2) : Inputs.awayFromZero(random, 12, 0.3, 2);
            float[] b = op == BinaryOp.DIV ? Inputs.awayFromZero(random, 6, 0.5, 2) : Inputs.uniform(random, 6, -1.5, 1.5);
            check(device, op.name() + " [4,1,3] x [2,3]", new int[][] {aShape, bShape}, new float[][] {a, b},
                    in -> binaryTensor(op, in[0], in[1]).mul(device.fromArray(r, outShape)).sum(),
                    v -> {
                        double s = 0;
                        for (int i = 0; i < 4; i++) {
                            for (int j = 0; j < 2; j++) {
                                for (int k = 0; k < 3; k++) {
                                    s += NaiveOps.binary(op, v[0][i * 3 + k], v[1][j * 3 + k]) * r[(i * 2 + j) * 3 + k];
                                }
                            }
                        }
                        return s;
                    });
        }
    }

    private static Tensor binaryTensor(BinaryOp op, Tensor a, Tensor b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case MAX -> a.maximum(b);
            case MIN -> a.minimum(b);
            case POW -> a.pow(b);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void scalarOps(Device device) {
        SplittableRandom random = new SplittableRandom(5);
        int[] shape = {7};
        float[] r = weights(7, 6);
        float[] x = Inputs.uniform(random, 7, 0.5, 2);
        float s = 1.3f;
        record Case(String name, Function<Tensor, Tensor> op, java.util.function.DoubleUnaryOperator f) {
        }
        Case[] cases = {
            new Case("add", t -> t.add(s), v -> v + s),
            new Case("sub", t -> t.sub(s), v -> v - s),
            new Case("rsub", t -> t.rsub(s), v -> s - v),
            new Case("mul", t -> t.mul(s), v -> v * s),
            new Case("div", t -> t.div(s), v -> v / s),
            new Case("rdiv", t -> t.rdiv(s), v -> s / v),
            new Case("pow", t -> t.pow(s), v -> Math.pow(v, s)),
            new Case("clampMin", t -> t.clampMin(1.1f), v -> Math.max(v, 1.1f)),
            new Case("clampMax", t -> t.clampMax(1.1f), v -> Math.min(v, 1.1f)),
        };
        for (Case c : cases) {
            check(device, c.name, new int[][] {shape}, new float[][] {x},
                    in -> c.op.apply(in[0]).mul(device.fromArray(r, shape)).sum(),
                    v -> {
                        double sum = 0;
                        for (int i = 0; i < 7; i++) {
                            sum += c.f.applyAsDouble(v[0][i]) * r[i];
                        }
                        return sum;
                    });
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void reductionsAndLayout(Device device) {
        SplittableRandom random = new SplittableRandom(7);
        int[] shape = {2, 3, 4};
        float[] x = Inputs.uniform(random, 24, -1, 1);
        float[] r12 = weights(12, 8);
        float[] r24 = weights(24, 9);
        float[] r8 = weights(8, 10);
        check(device, "sum", new int[][] {shape}, new float[][] {x}, in -> in[0].sum().mul(3f),
                v -> 3 * java.util.Arrays.stream(v[0]).sum());
        check(device, "mean", new int[][] {shape}, new float[][] {x}, in -> in[0].mean(),
                v -> java.util.Arrays.stream(v[0]).average().orElseThrow());
        check(device, "sum(axis 1)", new int[][] {shape}, new float[][] {x},
                in -> in[0].sum(1, false).mul(device.fromArray(r8, 2, 4)).sum(),
                v -> dot(sumAxis1(v[0]), r8));
        check(device, "mean(axis 1, keepDim)", new int[][] {shape}, new float[][] {x},
                in -> in[0].mean(1, true).mul(device.fromArray(r8, 2, 1, 4)).sum(),
                v -> dot(sumAxis1(v[0]), r8) / 3);
        check(device, "permute(2, 0, 1)", new int[][] {shape}, new float[][] {x},
                in -> in[0].permute(2, 0, 1).mul(device.fromArray(NaiveOps.permute(r24, new int[] {2, 3, 4}, new int[] {2, 0, 1}), 4, 2, 3)).sum(),
                v -> dot(v[0], r24));
        check(device, "reshape + transpose", new int[][] {shape}, new float[][] {x},
                in -> in[0].reshape(6, 4).t().mul(device.fromArray(NaiveOps.permute(r24, new int[] {6, 4}, new int[] {1, 0}), 4, 6)).sum(),
                v -> dot(v[0], r24));
        check(device, "narrow", new int[][] {{6, 4}}, new float[][] {x},
                in -> in[0].narrow(2, 3).mul(device.fromArray(r12, 3, 4)).sum(),
                v -> dot(java.util.Arrays.copyOfRange(v[0], 8, 20), r12));
        check(device, "unsqueeze/squeeze/flatten/copy", new int[][] {shape}, new float[][] {x},
                in -> in[0].unsqueeze(0).squeeze(0).flatten().copy().mul(device.fromArray(r24, 2, 12)).sum(),
                v -> dot(v[0], r24));
    }

    private static double[] sumAxis1(double[] v) {
        double[] out = new double[8];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    out[i * 4 + k] += v[(i * 3 + j) * 4 + k];
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void matmulWithTransposesAndBatches(Device device) {
        SplittableRandom random = new SplittableRandom(11);
        int b = 2;
        int m = 3;
        int k = 4;
        int n = 5;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (int variant = 0; variant < 3; variant++) { // 0: 2-D, 1: batched x shared, 2: batched x batched
                    boolean batchedA = variant > 0;
                    boolean batchedB = variant == 2;
                    int[] aShape = shape(batchedA, b, ta ? k : m, ta ? m : k);
                    int[] bShape = shape(batchedB, b, tb ? n : k, tb ? k : n);
                    int[] cShape = NaiveOps.matmulShape(aShape, ta, bShape, tb);
                    float[] a = Inputs.uniform(random, NaiveOps.numel(aShape), -1, 1);
                    float[] bv = Inputs.uniform(random, NaiveOps.numel(bShape), -1, 1);
                    float[] r = weights(NaiveOps.numel(cShape), 12);
                    check(device, "matmul ta=" + ta + " tb=" + tb + " variant " + variant, new int[][] {aShape, bShape},
                            new float[][] {a, bv},
                            in -> in[0].matmul(in[1], ta, tb).mul(device.fromArray(r, cShape)).sum(),
                            v -> dot(matmulDouble(v[0], aShape, ta, v[1], bShape, tb), r));
                }
            }
        }
    }

    private static int[] shape(boolean batched, int b, int rows, int cols) {
        return batched ? new int[] {b, rows, cols} : new int[] {rows, cols};
    }

    /** {@code op(A) op(B)} in double for rank-2/3 shapes, batch broadcast as Tensor.matmul. */
    private static double[] matmulDouble(double[] a, int[] as, boolean ta, double[] b, int[] bs, boolean tb) {
        int[] cs = NaiveOps.matmulShape(as, ta, bs, tb);
        int batch = cs.length == 3 ? cs[0] : 1;
        int m = cs[cs.length - 2];
        int n = cs[cs.length - 1];
        int k = ta ? as[as.length - 2] : as[as.length - 1];
        int aRows = as[as.length - 2];
        int aCols = as[as.length - 1];
        int bRows = bs[bs.length - 2];
        int bCols = bs[bs.length - 1];
        double[] c = new double[batch * m * n];
        for (int p = 0; p < batch; p++) {
            int ao = as.length == 3 ? p * aRows * aCols : 0;
            int bo = bs.length == 3 ? p * bRows * bCols : 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        double av = ta ? a[ao + q * aCols + i] : a[ao + i * aCols + q];
                        double bv = tb ? b[bo + j * bCols + q] : b[bo + q * bCols + j];
                        s += av * bv;
                    }
                    c[(p * m + i) * n + j] = s;
                }
            }
        }
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void aTensorUsedTwiceSumsItsGradientsAndLeavesAccumulate(Device device) {
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(new float[] {1, 2, 3}, 3).requiresGrad(true);
            x.mul(x).add(x).sum().backward();                  // d/dx (x^2 + x) = 2x + 1
            Tolerance.EXACT.assertClose("x*x + x", new float[] {3, 5, 7}, x.grad().toArray());
            x.mul(4f).sum().backward();                        // accumulates: + 4
            Tolerance.EXACT.assertClose("accumulated", new float[] {7, 9, 11}, x.grad().toArray());
            x.zeroGrad();
            assertNull(x.grad());
        }
    }

    /**
     * A leaf may adopt a gradient the backward pass made instead of copying it; it must never adopt one that anything
     * else holds: the caller's gradient, or one gradient passed to two inputs (addition passes it through).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void leafGradientsNeverShareMemoryWithOtherTensors(Device device) {
        try (Scope scope = Scope.open()) {
            Tensor a = device.fromArray(new float[] {1, 2, 3}, 3).requiresGrad(true);
            Tensor b = device.fromArray(new float[] {4, 5, 6}, 3).requiresGrad(true);
            Tensor g = device.fromArray(new float[] {1, 1, 1}, 3);
            a.add(b).backward(g, false);
            try (NoGrad off = NoGrad.enter()) {
                a.grad().fill(7f);
            }
            Tolerance.EXACT.assertClose("b.grad after a.grad was overwritten", new float[] {1, 1, 1}, b.grad().toArray());
            Tolerance.EXACT.assertClose("the caller's gradient after a.grad was overwritten", new float[] {1, 1, 1}, g.toArray());

            Tensor x = device.fromArray(new float[] {-1, 2, 3}, 3).requiresGrad(true);
            Tensor r = device.fromArray(new float[] {1, 2, 3}, 3);
            x.relu().backward(r, false);                       // relu's gradient: a new tensor, adoptable
            Tolerance.EXACT.assertClose("relu", new float[] {0, 2, 3}, x.grad().toArray());
            x.relu().mul(2f).sum().backward();                 // accumulates into the adopted tensor: + 2 where x > 0
            Tolerance.EXACT.assertClose("accumulated", new float[] {0, 4, 5}, x.grad().toArray());
            Tolerance.EXACT.assertClose("the caller's gradient", new float[] {1, 2, 3}, r.toArray());
            Tensor kept = x.grad();
            x.zeroGrad();
            assertTrue(kept.isClosed(), "zeroGrad closes the adopted gradient, which the leaf owns");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void customFunctionsJoinTheGraph(Device device) {
        final class Cube extends org.cnn4j.runtime.Function {
            @Override
            protected Tensor forward(Context ctx, Tensor... in) {
                ctx.save(in[0]);
                return in[0].mul(in[0]).mul(in[0]);
            }

            @Override
            protected Tensor[] backward(Context ctx, Tensor grad) {
                return new Tensor[] {grad.mul(ctx.saved(0).square().mul(3f))};
            }
        }
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(new float[] {1, -2, 0.5f}, 3).requiresGrad(true);
            Tensor y = new Cube().apply(x);
            assertFalse(y.isLeaf());
            assertEquals("Cube", y.gradFn().name());
            y.mul(2f).sum().backward();                        // 6 x^2
            Tolerance.EXACT.assertClose("custom cube", new float[] {6, 24, 1.5f}, x.grad().toArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void noGradRecordsNothingAndMisuseIsReported(Device device) {
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(new float[] {1, 2}, 2).requiresGrad(true);
            try (NoGrad off = NoGrad.enter()) {
                Tensor y = x.mul(2f);
                assertFalse(y.requiresGrad());
                assertTrue(y.isLeaf());
                x.fill(0.5f);                                   // in-place under NoGrad is allowed
            }
            IllegalStateException inPlace = assertThrows(IllegalStateException.class, () -> x.fill(1f));
            assertTrue(inPlace.getMessage().startsWith("Tensor.fill: "), inPlace.getMessage());
            Tensor y = x.mul(3f);
            IllegalArgumentException notScalar = assertThrows(IllegalArgumentException.class, y::backward);
            assertTrue(notScalar.getMessage().contains("[2]"), notScalar.getMessage());
            Tensor loss = y.sum();
            loss.backward();
            IllegalStateException freed = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(freed.getMessage().contains("backward(gradient, true)"), freed.getMessage());
            Tensor plain = device.fromArray(new float[] {1}, 1);
            assertThrows(IllegalArgumentException.class, () -> plain.sum().backward());
            Tensor retained = x.square().sum();
            retained.backward(device.ones(), true);
            retained.backward(device.ones(), true);            // the graph was kept: x.grad = 3 + 2*(2x) = 3 + 4x
            Tolerance.EXACT.assertClose("retained graph", new float[] {5, 5}, x.grad().toArray());
            Tensor d = x.detach();
            assertFalse(d.requiresGrad());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void backwardFreesItsIntermediates(Device device) {
        try (Scope outer = Scope.open()) {
            Tensor w = device.fromArray(Inputs.uniform(new SplittableRandom(13), 64 * 32, -1, 1), 64, 32).requiresGrad(true);
            Tensor x = device.fromArray(Inputs.uniform(new SplittableRandom(14), 8 * 64, -1, 1), 8, 64);
            try (Scope step = Scope.open()) {
                x.matmul(w).tanh().sum().backward();
            }
            long before = device.pool().bytesInUse();
            for (int i = 0; i < 5; i++) {
                w.zeroGrad();
                try (Scope step = Scope.open()) {
                    x.matmul(w).tanh().sum().backward();
                }
            }
            assertEquals(before, device.pool().bytesInUse(), "a training step must give back every intermediate");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void concatenationAlongEachAxis(Device device) {
        SplittableRandom random = new SplittableRandom(15);
        int[] aShape = {2, 3, 4};
        for (int axis = 0; axis < 3; axis++) {
            int[] bShape = aShape.clone();
            bShape[axis] = 1 + axis;                          // a different extent along the joined axis
            int[] outShape = aShape.clone();
            outShape[axis] += bShape[axis];
            float[] a = Inputs.uniform(random, 24, -1, 1);
            float[] b = Inputs.uniform(random, NaiveOps.numel(bShape), -1, 1);
            float[] r = weights(NaiveOps.numel(outShape), 16 + axis);
            int ax = axis;
            check(device, "cat axis " + axis, new int[][] {aShape, bShape}, new float[][] {a, b},
                    in -> Tensor.cat(ax, in[0], in[1]).mul(device.fromArray(r, outShape)).sum(),
                    v -> dot(naiveCat(v[0], aShape, v[1], bShape, ax), r));
        }
        try (Scope scope = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.cat(1, device.zeros(2, 3), device.zeros(3, 3)));
            assertEquals("Tensor.cat: tensors must match in every dimension but 1, but got [2, 3] and [3, 3] (tensor 1)",
                    e.getMessage());
        }
    }

    /** Concatenation in double: output index (o, j, i) reads a when j < a's extent, else b at j - extent. */
    private static double[] naiveCat(double[] a, int[] as, double[] b, int[] bs, int axis) {
        int outer = NaiveOps.outer(as, axis);
        int inner = NaiveOps.inner(as, axis);
        int na = as[axis];
        int nb = bs[axis];
        double[] out = new double[outer * (na + nb) * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < na + nb; j++) {
                for (int i = 0; i < inner; i++) {
                    out[(o * (na + nb) + j) * inner + i] = j < na ? a[(o * na + j) * inner + i] : b[(o * nb + j - na) * inner + i];
                }
            }
        }
        return out;
    }
}
