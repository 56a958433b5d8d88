package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.spi.UnaryOp;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same random inputs through the CPU fallback and through each other device give the same results
 * within twice the reference tolerance (each backend is within one tolerance of the truth), on shapes,
 * axes, orders and transposes drawn from a seeded generator. On the CPU itself the test runs every case
 * twice and requires bit-identical results: the fallback is deterministic.
 */
class ParityTest {
    static final int TRIALS = 120;

    /** One randomized case: inputs with shapes, and what to compute from the uploaded tensors. */
    record Case(String description, float[][] inputs, int[][] shapes, Tolerance tolerance, Function<Tensor[], Tensor> program) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void randomizedCasesAgreeWithTheCpu(Device device) {
        Device cpu = TestDevices.cpu();
        boolean self = device == cpu;
        List<Case> cases = cases(new SplittableRandom(4001));
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            try (Scope scope = Scope.open()) {
                Tensor expected = run(cpu, c);
                Tensor actual = run(device, c);
                String what = "case " + i + ": " + c.description() + (self ? " on cpu, run twice" : " on " + device.spec() + " vs cpu");
                assertArrayEquals(expected.shape().toArray(), actual.shape().toArray(), what + ": shapes differ");
                Tolerance tol = self ? Tolerance.EXACT : c.tolerance();
                tol.assertClose(what, NaiveOps.toDouble(expected.toArray()), actual.toArray());
            }
        }
    }

    private static Tensor run(Device device, Case c) {
        Tensor[] in = new Tensor[c.inputs().length];
        for (int i = 0; i < in.length; i++) {
            in[i] = device.fromArray(c.inputs()[i], c.shapes()[i]);
        }
        return c.program().apply(in);
    }

    /** A random shape of rank 1..4 with at most about 40000 elements, often with extents of 1. */
    static int[] randomShape(SplittableRandom r) {
        int rank = 1 + r.nextInt(4);
        int[] s = new int[rank];
        for (int i = 0; i < rank; i++) {
            int kind = r.nextInt(6);
            s[i] = kind == 0 ? 1 : kind <= 3 ? Inputs.dim(r, 9) : Inputs.dim(r, 80);
        }
        while (NaiveOps.numel(s) > 40000) {
            int i = r.nextInt(rank);
            s[i] = Math.max(1, s[i] / 2);
        }
        return s;
    }

    /** A shape that broadcasts against {@code s}: leading dimensions dropped, others set to 1. */
    static int[] broadcastPartner(SplittableRandom r, int[] s) {
        int drop = r.nextInt(s.length + 1);
        int[] b = Arrays.copyOfRange(s, drop, s.length);
        for (int i = 0; i < b.length; i++) {
            if (r.nextInt(3) == 0) {
                b[i] = 1;
            }
        }
        return b;
    }

    static List<Case> cases(SplittableRandom r) {
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < TRIALS; i++) {
            out.add(switch (i % 8) {
                case 0 -> unaryCase(r);
                case 1 -> binaryCase(r);
                case 2 -> scalarCase(r);
                case 3 -> reductionCase(r);
                case 4 -> argmaxCase(r);
                case 5 -> permuteCase(r);
                case 6 -> matmulCase(r);
                default -> i % 16 == 7 ? randomCase(r) : layerCase(r);
            });
        }
        return out;
    }

    static Case unaryCase(SplittableRandom r) {
        UnaryOp op = UnaryOp.values()[r.nextInt(UnaryOp.values().length)];
        int[] s = randomShape(r);
        float[] x = ElementwiseContractTest.unaryInput(op, r, NaiveOps.numel(s));
        return new Case(op + " " + Arrays.toString(s), new float[][] {x}, new int[][] {s},
                Tolerances.twice(Tolerances.of(op)), t -> ElementwiseContractTest.UNARY.get(op).apply(t[0]));
    }

    static Case binaryCase(SplittableRandom r) {
        BinaryOp op = BinaryOp.values()[r.nextInt(BinaryOp.values().length)];
        int[] s = randomShape(r);
        int[] p = broadcastPartner(r, s);
        boolean swap = r.nextBoolean();
        int[] as = swap ? p : s;
        int[] bs = swap ? s : p;
        float[] a = ElementwiseContractTest.binaryLeft(op, r, NaiveOps.numel(as));
        float[] b = ElementwiseContractTest.binaryRight(op, r, NaiveOps.numel(bs));
        return new Case(op + " " + Arrays.toString(as) + " " + Arrays.toString(bs), new float[][] {a, b},
                new int[][] {as, bs}, Tolerances.twice(Tolerances.of(op)),
                t -> ElementwiseContractTest.BINARY.get(op).apply(t[0], t[1]));
    }

    static Case scalarCase(SplittableRandom r) {
        ElementwiseContractTest.ScalarCase c =
                ElementwiseContractTest.SCALAR_CASES[r.nextInt(ElementwiseContractTest.SCALAR_CASES.length)];
        int[] s = randomShape(r);
        float scalar = (float) r.nextDouble(-3, 3);
        float[] x = c.op() == BinaryOp.POW ? Inputs.uniform(r, NaiveOps.numel(s), 0.05, 4)
                : Inputs.awayFromZero(r, NaiveOps.numel(s), 0.01, 100);
        return new Case(c.name() + "(" + scalar + ") " + Arrays.toString(s), new float[][] {x}, new int[][] {s},
                Tolerances.twice(Tolerances.of(c.op())), t -> c.method().apply(t[0], scalar));
    }

    static Case reductionCase(SplittableRandom r) {
        ReduceOp op = ReduceOp.values()[r.nextInt(ReduceOp.values().length)];
        int[] s = randomShape(r);
        if (r.nextInt(4) == 0) {
            s = new int[] {Inputs.dim(r, 3), 1000 + r.nextInt(60000)}; // a long axis now and then
        }
        int[] shape = s;
        float[] x = Inputs.uniform(r, NaiveOps.numel(s), -1, 1);
        boolean all = r.nextInt(5) == 0;
        int axis = r.nextInt(2 * s.length) - s.length;
        boolean keepDim = r.nextBoolean();
        int a = axis < 0 ? axis + s.length : axis;
        Tolerance tol = all
                ? ReductionContractTest.tolerance(op, x, 1, x.length, 1)
                : ReductionContractTest.tolerance(op, x, NaiveOps.outer(s, a), s[a], NaiveOps.inner(s, a));
        String d = op + (all ? " of all " : "(axis=" + axis + ", keepDim=" + keepDim + ") ") + Arrays.toString(shape);
        return new Case(d, new float[][] {x}, new int[][] {s}, Tolerances.twice(tol),
                t -> all ? ReductionContractTest.all(op).apply(t[0]) : ReductionContractTest.along(op).apply(t[0], axis, keepDim));
    }

    static Case argmaxCase(SplittableRandom r) {
        int[] s = randomShape(r);
        float[] x = Inputs.levels(r, NaiveOps.numel(s), 5);
        int axis = r.nextInt(2 * s.length) - s.length;
        boolean keepDim = r.nextBoolean();
        return new Case("argmax(axis=" + axis + ", keepDim=" + keepDim + ") " + Arrays.toString(s), new float[][] {x},
                new int[][] {s}, Tolerance.EXACT, t -> t[0].argmax(axis, keepDim));
    }

    static Case permuteCase(SplittableRandom r) {
        int[] s = randomShape(r);
        int[] order = new int[s.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        float[] x = Inputs.uniform(r, NaiveOps.numel(s), -1, 1);
        return new Case("permute" + Arrays.toString(order) + " " + Arrays.toString(s), new float[][] {x}, new int[][] {s},
                Tolerance.EXACT, t -> t[0].permute(order));
    }

    static Case matmulCase(SplittableRandom r) {
        int m = Inputs.dim(r, r.nextBoolean() ? 8 : 96);
        int k = Inputs.dim(r, r.nextBoolean() ? 8 : 96);
        int n = Inputs.dim(r, r.nextBoolean() ? 8 : 96);
        boolean ta = r.nextBoolean();
        boolean tb = r.nextBoolean();
        int mode = r.nextInt(4); // 0: 2-D, 1: batched x batched, 2: batched x shared, 3: shared x batched
        int batch = Inputs.dim(r, 4);
        int[] as = MatmulContractTest.stored(mode == 1 || mode == 2 ? batch : 0, m, k, ta);
        int[] bs = MatmulContractTest.stored(mode == 1 || mode == 3 ? batch : 0, k, n, tb);
        float[] a = Inputs.uniform(r, NaiveOps.numel(as), -1, 1);
        float[] b = Inputs.uniform(r, NaiveOps.numel(bs), -1, 1);
        return new Case("matmul(ta=" + ta + ", tb=" + tb + ") " + Arrays.toString(as) + " " + Arrays.toString(bs),
                new float[][] {a, b}, new int[][] {as, bs}, Tolerances.twice(Tolerances.gemm(k, a, b)),
                t -> t[0].matmul(t[1], ta, tb));
    }

    static Case randomCase(SplittableRandom r) {
        long seed = r.nextLong();
        long offset = r.nextInt(1 << 20);
        int[] s = randomShape(r);
        int kind = r.nextInt(3);
        // the input is unused: it only makes the case uniform with the others
        return new Case(new String[] {"uniform", "bernoulli", "normal"}[kind] + " seed=" + seed + " offset=" + offset
                + " " + Arrays.toString(s), new float[][] {{0f}}, new int[][] {{1}},
                kind == 2 ? Tolerances.twice(RandomContractTest.NORMAL) : Tolerance.EXACT,
                t -> {
                    Generator g = new Generator(seed);
                    g.setOffset(offset);
                    Device d = t[0].device();
                    return switch (kind) {
                        case 0 -> d.uniform(g, -1f, 2f, s);
                        case 1 -> d.bernoulli(g, 0.4f, s);
                        default -> d.normal(g, 0f, 1f, s);
                    };
                });
    }

    /** sum over features of sigmoid(x W + b): a dense layer and a loss-like reduction in one chain. */
    static Case layerCase(SplittableRandom r) {
        int batch = Inputs.dim(r, 32);
        int in = Inputs.dim(r, 64);
        int outF = Inputs.dim(r, 48);
        float[] x = Inputs.uniform(r, batch * in, -1, 1);
        float[] w = Inputs.uniform(r, in * outF, -1, 1);
        float[] b = Inputs.uniform(r, outF, -1, 1);
        // gemm error (sigmoid' <= 1/4 keeps it) plus the sigmoid's, summed over outF terms in (0, 1)
        double atol = outF * (Tolerances.gemm(in, x, w).atol() + 1e-6) + 1e-6 * outF;
        return new Case("sum(sigmoid(x W + b), 1) x=[" + batch + ", " + in + "] W=[" + in + ", " + outF + "]",
                new float[][] {x, w, b}, new int[][] {{batch, in}, {in, outF}, {outF}},
                Tolerances.twice(new Tolerance(atol, 1e-5)),
                t -> t[0].matmul(t[1]).add(t[2]).sigmoid().sum(1, false));
    }
}
