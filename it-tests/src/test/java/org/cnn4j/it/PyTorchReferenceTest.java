package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.UnaryOp;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case recorded from PyTorch by {@code src/test/python/make_op_vectors.py}
 * ({@code reference/ops.txt}), on every device. The expected values are PyTorch's, so this checks
 * cnn4j's semantics (broadcasting, keepdim, tie breaking, NaN and infinity handling, transposes) against
 * the framework users compare with, independently of {@link NaiveOps}.
 */
class PyTorchReferenceTest {
    private static final List<ReferenceVectors.Case> CASES = ReferenceVectors.load();

    static Stream<Arguments> devicesAndCases() {
        return TestDevices.all().flatMap(d -> CASES.stream().map(c -> Arguments.of(d, Named.of(c.id(), c))));
    }

    @Test
    void theVectorsCoverEveryOpFamily() {
        String[] ops = {"neg", "abs", "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "square", "reciprocal", "add", "sub",
            "mul", "div", "maximum", "minimum", "pow", "add_scalar", "rsub_scalar", "rdiv_scalar", "pow_scalar", "clamp_min",
            "sum", "mean", "max", "min", "argmax", "transpose", "permute", "matmul"};
        for (String op : ops) {
            assertTrue(CASES.stream().anyMatch(c -> c.op().equals(op)), "no reference case for op " + op);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("devicesAndCases")
    void matchesPyTorch(Device device, ReferenceVectors.Case c) {
        try (Scope scope = Scope.open()) {
            ReferenceVectors.Vector a = c.tensor("a");
            ReferenceVectors.Vector out = c.tensor("out");
            Tensor ta = device.fromArray(a.values(), a.shape());
            Tensor tb = c.tensors().containsKey("b") ? device.fromArray(c.tensor("b").values(), c.tensor("b").shape()) : null;
            Tensor result = compute(c, ta, tb);
            Contract.assertTensor(c.id() + " (" + c.op() + " " + c.keys() + ") on " + device.spec(), tolerance(c), out.shape(),
                    NaiveOps.toDouble(out.values()), result);
        }
    }

    static Tensor compute(ReferenceVectors.Case c, Tensor a, Tensor b) {
        return switch (c.op()) {
            case "neg" -> a.neg();
            case "abs" -> a.abs();
            case "relu" -> a.relu();
            case "sigmoid" -> a.sigmoid();
            case "tanh" -> a.tanh();
            case "exp" -> a.exp();
            case "log" -> a.log();
            case "sqrt" -> a.sqrt();
            case "square" -> a.square();
            case "reciprocal" -> a.reciprocal();
            case "add" -> a.add(b);
            case "sub" -> a.sub(b);
            case "mul" -> a.mul(b);
            case "div" -> a.div(b);
            case "maximum" -> a.maximum(b);
            case "minimum" -> a.minimum(b);
            case "pow" -> a.pow(b);
            case "add_scalar" -> a.add(s(c));
            case "sub_scalar" -> a.sub(s(c));
            case "rsub_scalar" -> a.rsub(s(c));
            case "mul_scalar" -> a.mul(s(c));
            case "div_scalar" -> a.div(s(c));
            case "rdiv_scalar" -> a.rdiv(s(c));
            case "pow_scalar" -> a.pow(s(c));
            case "clamp_min" -> a.clampMin(s(c));
            case "clamp_max" -> a.clampMax(s(c));
            case "sum", "mean", "max", "min" -> reduce(c, a);
            case "argmax" -> a.argmax(axis(c), keepDim(c));
            case "transpose" -> a.transpose(Integer.parseInt(c.key("d0")), Integer.parseInt(c.key("d1")));
            case "permute" -> a.permute(ReferenceVectors.parseShape(c.key("order")));
            case "matmul" -> a.matmul(b, Boolean.parseBoolean(c.key("ta")), Boolean.parseBoolean(c.key("tb")));
            default -> throw new IllegalStateException("reference case " + c.id() + " has an unknown op " + c.op());
        };
    }

    private static Tensor reduce(ReferenceVectors.Case c, Tensor a) {
        if (c.key("axis").equals("all")) {
            return ReductionContractTest.all(reduceOp(c)).apply(a);
        }
        return ReductionContractTest.along(reduceOp(c)).apply(a, axis(c), keepDim(c));
    }

    private static org.cnn4j.runtime.spi.ReduceOp reduceOp(ReferenceVectors.Case c) {
        return org.cnn4j.runtime.spi.ReduceOp.valueOf(c.op().toUpperCase(java.util.Locale.ROOT));
    }

    private static float s(ReferenceVectors.Case c) {
        return ReferenceVectors.parseFloat(c.key("s"));
    }

    private static int axis(ReferenceVectors.Case c) {
        return Integer.parseInt(c.key("axis"));
    }

    private static boolean keepDim(ReferenceVectors.Case c) {
        return Boolean.parseBoolean(c.key("keepdim"));
    }

    /**
     * The contract tolerance of the case's op (see {@link Tolerances}); element-wise ops also allow
     * {@code Float.MIN_NORMAL} absolute, since a device may flush subnormal results to zero.
     */
    static Tolerance tolerance(ReferenceVectors.Case c) {
        float[] a = c.tensor("a").values();
        Tolerance t = switch (c.op()) {
            case "neg", "abs", "relu", "square", "sqrt", "reciprocal", "sigmoid", "tanh", "exp", "log" ->
                    Tolerances.of(UnaryOp.valueOf(c.op().toUpperCase(java.util.Locale.ROOT)));
            case "add", "add_scalar" -> Tolerances.of(BinaryOp.ADD);
            case "sub", "sub_scalar", "rsub_scalar" -> Tolerances.of(BinaryOp.SUB);
            case "mul", "mul_scalar" -> Tolerances.of(BinaryOp.MUL);
            case "div", "div_scalar", "rdiv_scalar" -> Tolerances.of(BinaryOp.DIV);
            case "maximum", "minimum", "clamp_min", "clamp_max" -> Tolerances.EXACT;
            case "pow", "pow_scalar" -> Tolerances.of(BinaryOp.POW);
            case "sum", "mean" -> {
                int[] shape = c.tensor("a").shape();
                boolean all = c.key("axis").equals("all");
                int ax = all ? 0 : Math.floorMod(axis(c), shape.length);
                int outer = all ? 1 : NaiveOps.outer(shape, ax);
                int len = all ? a.length : shape[ax];
                int inner = all ? 1 : NaiveOps.inner(shape, ax);
                double maxAbsSum = Tolerances.maxAbsSum(a, outer, len, inner);
                yield c.op().equals("sum") ? Tolerances.sum(maxAbsSum) : new Tolerance(1e-6 * maxAbsSum / len, 1e-6);
            }
            case "max", "min", "argmax", "transpose", "permute" -> Tolerances.EXACT;
            case "matmul" -> {
                int[] as = c.tensor("a").shape();
                int k = Boolean.parseBoolean(c.key("ta")) ? as[as.length - 2] : as[as.length - 1];
                yield Tolerances.gemm(k, a, c.tensor("b").values());
            }
            default -> throw new IllegalStateException("reference case " + c.id() + " has an unknown op " + c.op());
        };
        boolean elementwise = !c.keys().containsKey("axis") && !c.op().equals("matmul") && !c.op().equals("transpose")
                && !c.op().equals("permute");
        return elementwise ? new Tolerance(Math.max(t.atol(), Float.MIN_NORMAL), t.rtol()) : t;
    }
}
