package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.cnn4j.it.Contract.assertTensor;
import static org.cnn4j.it.Contract.what;

import java.util.SplittableRandom;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Matrix products on every device against {@link NaiveOps#matmul}: 2-D, batched 3-D, a shared right or
 * left matrix, every transpose combination, and sizes from 1x1x1 through odd ones (17x33x65,
 * 127x129x63) that fill no tile evenly, to 256x256x256.
 */
class MatmulContractTest {
    /** {m, k, n}. */
    static final int[][] SIZES = {
        {1, 1, 1}, {1, 7, 1}, {7, 1, 5}, {1, 1025, 3}, {3, 2, 1023}, {17, 33, 65}, {64, 64, 64},
        {127, 129, 63}, {65, 17, 129}, {256, 256, 256},
    };

    /** {m, k, n} for batched products (kept small: batches multiply the work). */
    static final int[][] BATCHED_SIZES = {{1, 1, 1}, {5, 7, 3}, {17, 33, 65}, {32, 16, 8}};

    static final boolean[][] TRANSPOSES = {{false, false}, {true, false}, {false, true}, {true, true}};

    /** The stored shape of an operand: {@code [rows, cols]} or its transpose, with an optional batch. */
    static int[] stored(int batch, int rows, int cols, boolean transposed) {
        int r = transposed ? cols : rows;
        int c = transposed ? rows : cols;
        return batch > 0 ? new int[] {batch, r, c} : new int[] {r, c};
    }

    /** Computes {@code op(A) x op(B)} on the device and compares with the reference. */
    static void check(Device device, SplittableRandom random, int batchA, int batchB, int m, int k, int n,
                      boolean ta, boolean tb, boolean integers) {
        int[] as = stored(batchA, m, k, ta);
        int[] bs = stored(batchB, k, n, tb);
        float[] a = integers ? centeredLevels(random, NaiveOps.numel(as)) : Inputs.uniform(random, NaiveOps.numel(as), -1, 1);
        float[] b = integers ? centeredLevels(random, NaiveOps.numel(bs)) : Inputs.uniform(random, NaiveOps.numel(bs), -1, 1);
        int[] out = NaiveOps.matmulShape(as, ta, bs, tb);
        // integers in [-4, 4]: every product and partial sum is an integer below 2^24, so exact in float32
        Tolerance tol = integers ? Tolerances.EXACT : Tolerances.gemm(k, a, b);
        try (Scope scope = Scope.open()) {
            Tensor ta0 = device.fromArray(a, as);
            Tensor tb0 = device.fromArray(b, bs);
            Contract.poisonPool(device, NaiveOps.numel(out)); // the output must be written, not accumulated into
            Tensor c = ta || tb ? ta0.matmul(tb0, ta, tb) : ta0.matmul(tb0);
            assertTensor(what(device, "matmul(ta=" + ta + ", tb=" + tb + (integers ? ", integers" : "") + ")", as, bs),
                    tol, out, NaiveOps.matmul(a, as, ta, b, bs, tb), c);
        }
    }

    private static float[] centeredLevels(SplittableRandom random, int n) {
        float[] x = Inputs.levels(random, n, 9);
        for (int i = 0; i < n; i++) {
            x[i] -= 4;
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void matrixTimesMatrixEveryTransposeCombination(Device device) {
        SplittableRandom random = new SplittableRandom(3001);
        for (int[] s : SIZES) {
            for (boolean[] t : TRANSPOSES) {
                check(device, random, 0, 0, s[0], s[1], s[2], t[0], t[1], false);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void integerInputsGiveExactResults(Device device) {
        SplittableRandom random = new SplittableRandom(3002);
        for (int[] s : new int[][] {{1, 1, 1}, {17, 33, 65}, {127, 129, 63}}) {
            for (boolean[] t : TRANSPOSES) {
                check(device, random, 0, 0, s[0], s[1], s[2], t[0], t[1], true);
                check(device, random, 3, 3, s[0], s[1], s[2], t[0], t[1], true);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void batchedTimesBatched(Device device) {
        SplittableRandom random = new SplittableRandom(3003);
        for (int batch : new int[] {1, 3}) {
            for (int[] s : BATCHED_SIZES) {
                for (boolean[] t : TRANSPOSES) {
                    check(device, random, batch, batch, s[0], s[1], s[2], t[0], t[1], false);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void batchedTimesSharedMatrix(Device device) {
        // [b, m, k] x [k, n]: the right matrix is the same for every batch
        SplittableRandom random = new SplittableRandom(3004);
        for (int[] s : BATCHED_SIZES) {
            for (boolean[] t : TRANSPOSES) {
                check(device, random, 4, 0, s[0], s[1], s[2], t[0], t[1], false);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void sharedMatrixTimesBatched(Device device) {
        // [m, k] x [b, k, n]: the left matrix is the same for every batch
        SplittableRandom random = new SplittableRandom(3005);
        for (int[] s : BATCHED_SIZES) {
            for (boolean[] t : TRANSPOSES) {
                check(device, random, 0, 4, s[0], s[1], s[2], t[0], t[1], false);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void matmulComposesWithTranspose(Device device) {
        // A^T B through the flag equals t() then matmul, exactly the same values up to rounding order
        SplittableRandom random = new SplittableRandom(3006);
        int m = 23;
        int k = 41;
        int n = 19;
        float[] a = Inputs.uniform(random, k * m, -1, 1);
        float[] b = Inputs.uniform(random, k * n, -1, 1);
        try (Scope scope = Scope.open()) {
            Tensor ta = device.fromArray(a, k, m);
            Tensor tb = device.fromArray(b, k, n);
            float[] viaFlag = ta.matmul(tb, true, false).toArray();
            float[] viaTranspose = ta.t().matmul(tb).toArray();
            Tolerances.twice(Tolerances.gemm(k, a, b)).assertClose(what(device, "A^T B flag vs t()", new int[] {k, m},
                    new int[] {k, n}), NaiveOps.toDouble(viaTranspose), viaFlag);
        }
    }
}
