package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.cnn4j.it.Contract.assertExact;
import static org.cnn4j.it.Contract.assertShape;
import static org.cnn4j.it.Contract.assertTensor;
import static org.cnn4j.it.Contract.what;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.spi.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Views (reshape, flatten, squeeze, unsqueeze, narrow) share memory with their base; transpose and
 * permute are copies that match {@link NaiveOps#permute}; every op reads a view at its offset.
 */
class LayoutContractTest {

    private static float[] iota(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void reshapeInfersMinusOneAndKeepsTheData(Device device) {
        float[] x = iota(24);
        int[][][] cases = {
            {{-1}, {24}},
            {{4, -1}, {4, 6}},
            {{-1, 8}, {3, 8}},
            {{2, -1, 2}, {2, 6, 2}},
            {{1, 24, 1}, {1, 24, 1}},
            {{-1, 1}, {24, 1}},
            {{2, 3, 2, 2}, {2, 3, 2, 2}},
        };
        try (Scope scope = Scope.open()) {
            Tensor base = device.fromArray(x, 2, 3, 4);
            for (int[][] c : cases) {
                assertExact(what(device, "reshape" + Arrays.toString(c[0]), new int[] {2, 3, 4}), c[1], x, base.reshape(c[0]));
            }
            assertExact(what(device, "flatten", new int[] {2, 3, 4}), new int[] {2, 12}, x, base.flatten());
            assertExact(what(device, "flatten of rank 1", new int[] {24}), new int[] {24}, x, base.reshape(24).flatten());
            assertExact(what(device, "reshape of a scalar", new int[0]), new int[] {1, 1}, new float[] {3f},
                    device.scalar(3f).reshape(1, -1));
            assertExact(what(device, "reshape to a scalar", new int[] {1, 1}), new int[0], new float[] {3f},
                    device.full(3f, 1, 1).reshape());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void reshapeAndFlattenAreViewsThatShareMemory(Device device) {
        try (Scope scope = Scope.open()) {
            Tensor base = device.fromArray(iota(24), 4, 6);
            Tensor view = base.reshape(3, -1);
            float[] written = new float[24];
            Arrays.fill(written, -1f);
            written[5] = 42f;
            view.copyFrom(written);
            assertExact(what(device, "base after copyFrom(float[]) through a reshape view", new int[] {4, 6}),
                    new int[] {4, 6}, written, base);

            base.fill(7f);
            float[] sevens = new float[24];
            Arrays.fill(sevens, 7f);
            assertExact(what(device, "reshape view after fill of the base", new int[] {3, 8}), new int[] {3, 8}, sevens, view);

            Tensor flat = base.flatten();
            flat.copyFrom(device.fromArray(iota(24), 4, 6).reshape(4, 6).flatten());
            assertExact(what(device, "base after copyFrom(Tensor) through flatten", new int[] {4, 6}), new int[] {4, 6},
                    iota(24), base);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void narrowIsAViewOfRows(Device device) {
        int[] shape = {5, 3, 2};
        float[] x = iota(30);
        try (Scope scope = Scope.open()) {
            Tensor base = device.fromArray(x, shape);
            Tensor rows = base.narrow(1, 3);
            assertExact(what(device, "narrow(1, 3)", shape), new int[] {3, 3, 2}, Arrays.copyOfRange(x, 6, 24), rows);
            assertExact(what(device, "narrow(4, 1)", shape), new int[] {1, 3, 2}, Arrays.copyOfRange(x, 24, 30),
                    base.narrow(4, 1));
            assertExact(what(device, "narrow(0, 5)", shape), shape, x, base.narrow(0, 5));
            Tensor inner = rows.narrow(1, 1); // base row 2
            assertExact(what(device, "narrow of a narrow", shape), new int[] {1, 3, 2}, Arrays.copyOfRange(x, 12, 18), inner);

            // writing through the view changes exactly those rows of the base
            float[] patch = new float[18];
            Arrays.fill(patch, -3f);
            rows.copyFrom(patch);
            float[] expected = x.clone();
            Arrays.fill(expected, 6, 24, -3f);
            assertExact(what(device, "base after copyFrom(float[]) into rows 1..3", shape), shape, expected, base);

            inner.fill(9f);
            Arrays.fill(expected, 12, 18, 9f);
            assertExact(what(device, "base after fill of row 2", shape), shape, expected, base);

            Tensor source = device.fromArray(iota(6), 1, 3, 2);
            base.narrow(0, 1).copyFrom(source);
            System.arraycopy(iota(6), 0, expected, 0, 6);
            assertExact(what(device, "base after copyFrom(Tensor) into row 0", shape), shape, expected, base);

            // the base's writes show through the view too
            base.copyFrom(x);
            assertExact(what(device, "narrow view after the base is rewritten", shape), new int[] {1, 3, 2},
                    Arrays.copyOfRange(x, 12, 18), inner);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void squeezeAndUnsqueezeAreViews(Device device) {
        float[] x = iota(12);
        try (Scope scope = Scope.open()) {
            Tensor base = device.fromArray(x, 3, 4);
            assertExact(what(device, "unsqueeze(0)", new int[] {3, 4}), new int[] {1, 3, 4}, x, base.unsqueeze(0));
            assertExact(what(device, "unsqueeze(1)", new int[] {3, 4}), new int[] {3, 1, 4}, x, base.unsqueeze(1));
            assertExact(what(device, "unsqueeze(2)", new int[] {3, 4}), new int[] {3, 4, 1}, x, base.unsqueeze(2));
            assertExact(what(device, "unsqueeze(-1)", new int[] {3, 4}), new int[] {3, 4, 1}, x, base.unsqueeze(-1));
            assertExact(what(device, "unsqueeze(-3)", new int[] {3, 4}), new int[] {1, 3, 4}, x, base.unsqueeze(-3));
            Tensor u = base.unsqueeze(1).unsqueeze(0); // [1, 3, 1, 4]
            assertExact(what(device, "squeeze(2)", new int[] {1, 3, 1, 4}), new int[] {1, 3, 4}, x, u.squeeze(2));
            assertExact(what(device, "squeeze(-2)", new int[] {1, 3, 1, 4}), new int[] {1, 3, 4}, x, u.squeeze(-2));
            assertExact(what(device, "squeeze(0)", new int[] {1, 3, 1, 4}), new int[] {3, 1, 4}, x, u.squeeze(0));
            assertExact(what(device, "squeeze to a scalar", new int[] {1}), new int[0], new float[] {5f},
                    device.full(5f, 1).squeeze(0));
            assertExact(what(device, "unsqueeze a scalar", new int[0]), new int[] {1}, new float[] {5f},
                    device.scalar(5f).unsqueeze(0));

            float[] written = iota(12);
            for (int i = 0; i < 12; i++) {
                written[i] = 100 - i;
            }
            u.squeeze(0).copyFrom(written);
            assertExact(what(device, "base after copyFrom through squeeze(unsqueeze)", new int[] {3, 4}), new int[] {3, 4},
                    written, base);
        }
    }

    /** Every permutation of {@code 0..rank-1}. */
    static List<int[]> permutations(int rank) {
        List<int[]> out = new ArrayList<>();
        permute(new int[rank], new boolean[rank], 0, out);
        return out;
    }

    private static void permute(int[] order, boolean[] used, int pos, List<int[]> out) {
        if (pos == order.length) {
            out.add(order.clone());
            return;
        }
        for (int i = 0; i < order.length; i++) {
            if (!used[i]) {
                used[i] = true;
                order[pos] = i;
                permute(order, used, pos + 1, out);
                used[i] = false;
            }
        }
    }

    static final int[][] PERMUTE_SHAPES = {
        {1, 1}, {1, 7}, {17, 33}, {64, 64}, {129, 65},
        {3, 1, 5}, {2, 3, 4}, {31, 17, 3},
        {2, 3, 4, 5}, {3, 1, 7, 2}, {4, 33, 5, 9},
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void permuteMatchesTheReferenceForEveryOrder(Device device) {
        SplittableRandom random = new SplittableRandom(2001);
        for (int[] shape : PERMUTE_SHAPES) {
            float[] x = Inputs.uniform(random, NaiveOps.numel(shape), -1, 1);
            try (Scope scope = Scope.open()) {
                Tensor t = device.fromArray(x, shape);
                for (int[] order : permutations(shape.length)) {
                    assertExact(what(device, "permute" + Arrays.toString(order), shape), NaiveOps.permutedShape(shape, order),
                            NaiveOps.permute(x, shape, order), t.permute(order));
                }
                // negative entries count from the end
                int[] reversed = new int[shape.length];
                for (int i = 0; i < shape.length; i++) {
                    reversed[i] = -1 - i;
                }
                assertExact(what(device, "permute" + Arrays.toString(reversed), shape),
                        NaiveOps.permutedShape(shape, reversed), NaiveOps.permute(x, shape, reversed), t.permute(reversed));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void transposeMatchesTheReferenceForEveryPair(Device device) {
        SplittableRandom random = new SplittableRandom(2002);
        for (int[] shape : PERMUTE_SHAPES) {
            float[] x = Inputs.uniform(random, NaiveOps.numel(shape), -1, 1);
            int r = shape.length;
            try (Scope scope = Scope.open()) {
                Tensor t = device.fromArray(x, shape);
                for (int d0 = -r; d0 < r; d0++) {
                    for (int d1 = -r; d1 < r; d1++) {
                        int[] order = NaiveOps.swapOrder(r, d0, d1);
                        assertExact(what(device, "transpose(" + d0 + ", " + d1 + ")", shape),
                                NaiveOps.permutedShape(shape, order), NaiveOps.permute(x, shape, order), t.transpose(d0, d1));
                    }
                }
                if (r == 2) {
                    assertExact(what(device, "t()", shape), new int[] {shape[1], shape[0]},
                            NaiveOps.permute(x, shape, new int[] {1, 0}), t.t());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void transposeAndCopyAreIndependentCopies(Device device) {
        float[] x = iota(6);
        try (Scope scope = Scope.open()) {
            Tensor base = device.fromArray(x, 2, 3);
            Tensor tr = base.t();
            Tensor copy = base.copy();
            base.fill(0f);
            assertExact(what(device, "transpose after the source changed", new int[] {2, 3}), new int[] {3, 2},
                    new float[] {0, 3, 1, 4, 2, 5}, tr);
            assertExact(what(device, "copy after the source changed", new int[] {2, 3}), new int[] {2, 3}, x, copy);
            tr.fill(1f);
            copy.fill(1f);
            assertExact(what(device, "source after its copies changed", new int[] {2, 3}), new int[] {2, 3}, new float[6], base);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void contiguousKernelsOnLongViewsAtOddOffsets(Device device) {
        // Two views of 3 x 20001 elements at offsets 20001 and 40002 of their bases: vectorised loads and
        // stores must not assume an aligned start, and the tail after the last full vector must be handled.
        SplittableRandom random = new SplittableRandom(2004);
        int cols = 20001;
        int[] shape = {3, cols};
        float[] baseA = Inputs.uniform(random, 5 * cols, 0.5, 4);
        float[] baseB = Inputs.uniform(random, 6 * cols, 0.5, 4);
        float[] a = Arrays.copyOfRange(baseA, cols, 4 * cols);
        float[] b = Arrays.copyOfRange(baseB, 2 * cols, 5 * cols);
        try (Scope scope = Scope.open()) {
            Tensor va = device.fromArray(baseA, 5, cols).narrow(1, 3);
            Tensor vb = device.fromArray(baseB, 6, cols).narrow(2, 3);
            for (UnaryOp op : UnaryOp.values()) {
                assertTensor(what(device, op + " of a view at offset " + cols, shape), Tolerances.of(op), shape,
                        NaiveOps.roundToFloat(NaiveOps.unary(op, a)), ElementwiseContractTest.UNARY.get(op).apply(va));
            }
            for (BinaryOp op : BinaryOp.values()) {
                assertTensor(what(device, op + " of views at offsets " + cols + " and " + 2 * cols, shape), Tolerances.of(op),
                        shape, NaiveOps.roundToFloat(NaiveOps.binary(op, a, shape, b, shape)),
                        ElementwiseContractTest.BINARY.get(op).apply(va, vb));
            }
            assertTensor(what(device, "rsub(1.5) of a view", shape), Tolerances.EXACT, shape,
                    NaiveOps.roundToFloat(NaiveOps.scalar(BinaryOp.SUB, a, 1.5f, true)), va.rsub(1.5f));
            assertTensor(what(device, "sum of a long view", shape), Tolerances.sumOf(a), new int[0],
                    new double[] {NaiveOps.reduceAll(ReduceOp.SUM, a)}, va.sum());
            assertTensor(what(device, "max(axis=1) of a long view", shape), Tolerances.EXACT, new int[] {3},
                    NaiveOps.reduce(ReduceOp.MAX, a, shape, 1), va.max(1, false));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void everyOpReadsAViewAtItsOffset(Device device) {
        // rows 2..4 of a [7, 37] tensor start at element 74, which no alignment rule favours
        SplittableRandom random = new SplittableRandom(2003);
        int[] baseShape = {7, 37};
        int[] shape = {3, 37};
        float[] all = Inputs.uniform(random, 7 * 37, -2, 2);
        float[] x = Arrays.copyOfRange(all, 2 * 37, 5 * 37);
        float[] w = Inputs.uniform(random, 37 * 5, -1, 1);
        float[] bias = Inputs.uniform(random, 37, -1, 1);
        try (Scope scope = Scope.open()) {
            Tensor v = device.fromArray(all, baseShape).narrow(2, 3);
            Tensor vw = device.fromArray(Inputs.uniform(random, 9 * 37 * 5, -1, 1), 9, 37, 5).narrow(4, 1).squeeze(0);
            assertExact(what(device, "view data", shape), shape, x, v);
            assertTensor(what(device, "sigmoid of a view", shape), Tolerances.TRANSCENDENTAL, shape,
                    NaiveOps.roundToFloat(NaiveOps.unary(UnaryOp.SIGMOID, x)), v.sigmoid());
            assertTensor(what(device, "view * 2", shape), Tolerances.EXACT, shape,
                    NaiveOps.roundToFloat(NaiveOps.scalar(BinaryOp.MUL, x, 2f, false)), v.mul(2f));
            Tensor b = device.fromArray(bias, 37);
            assertTensor(what(device, "view + [37]", shape), Tolerances.EXACT, shape,
                    NaiveOps.roundToFloat(NaiveOps.binary(BinaryOp.ADD, x, shape, bias, new int[] {37})), v.add(b));
            assertTensor(what(device, "[37] - view", shape), Tolerances.EXACT, shape,
                    NaiveOps.roundToFloat(NaiveOps.binary(BinaryOp.SUB, bias, new int[] {37}, x, shape)), b.sub(v));
            assertTensor(what(device, "view * view", shape), Tolerances.EXACT, shape,
                    NaiveOps.roundToFloat(NaiveOps.binary(BinaryOp.MUL, x, shape, x, shape)), v.mul(v));
            for (int axis = 0; axis < 2; axis++) {
                int outer = NaiveOps.outer(shape, axis);
                int inner = NaiveOps.inner(shape, axis);
                assertTensor(what(device, "sum(axis=" + axis + ") of a view", shape),
                        Tolerances.sum(Tolerances.maxAbsSum(x, outer, shape[axis], inner)),
                        NaiveOps.reducedShape(shape, axis, false), NaiveOps.reduce(ReduceOp.SUM, x, shape, axis), v.sum(axis, false));
                assertTensor(what(device, "max(axis=" + axis + ") of a view", shape), Tolerances.EXACT,
                        NaiveOps.reducedShape(shape, axis, false), NaiveOps.reduce(ReduceOp.MAX, x, shape, axis), v.max(axis, false));
                assertTensor(what(device, "argmax(axis=" + axis + ") of a view", shape), Tolerances.EXACT,
                        NaiveOps.reducedShape(shape, axis, false), NaiveOps.argmax(x, shape, axis), v.argmax(axis, false));
            }
            assertTensor(what(device, "sum of a whole view", shape), Tolerances.sumOf(x), new int[0],
                    new double[] {NaiveOps.reduceAll(ReduceOp.SUM, x)}, v.sum());
            assertExact(what(device, "transpose of a view", shape), new int[] {37, 3},
                    NaiveOps.permute(x, shape, new int[] {1, 0}), v.t());
            assertExact(what(device, "copy of a view", shape), shape, x, v.copy());
            float[] wv = vw.toArray();
            assertTensor(what(device, "view x view", shape, new int[] {37, 5}), Tolerances.gemm(37, x, wv), new int[] {3, 5},
                    NaiveOps.matmul(x, shape, false, wv, new int[] {37, 5}, false), v.matmul(vw));
            assertTensor(what(device, "view^T x view^T", new int[] {37, 5}, shape), Tolerances.gemm(37, x, wv),
                    new int[] {5, 3}, NaiveOps.matmul(wv, new int[] {37, 5}, true, x, shape, true), vw.matmul(v, true, true));
            assertTensor(what(device, "w x view^T", new int[] {5, 37}, shape), Tolerances.gemm(37, x, w),
                    new int[] {5, 3}, NaiveOps.matmul(w, new int[] {5, 37}, false, x, shape, true),
                    device.fromArray(w, 5, 37).matmul(v, false, true));
            assertExact(what(device, "reshape of a view", shape), new int[] {111}, x, v.reshape(-1));
            assertExact(what(device, "narrow of a reshaped view", shape), new int[] {2, 37}, Arrays.copyOfRange(x, 37, 111),
                    v.reshape(-1).reshape(3, 37).narrow(1, 2));
            assertShape("view shape", shape, v);
        }
    }
}
