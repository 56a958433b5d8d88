package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.ReduceOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link CpuReduction} against {@link #naive}, including NaN, ties and inner blocks longer than one block. */
class CpuReductionTest {
    private static final Backend BACKEND = TestData.backend();
    private static final int[][] SHAPES = {
        {1, 1, 1}, {1, 100_000, 1}, {7, 13, 1}, {3, 5, 7}, {2, 9, 1500}, {1000, 4, 3}, {1, 1, 2000}, {64, 10, 1},
    };

    /** {@code y[o, j] = op_k x[o, k, j]}: sums in double, max/min by {@link Math}, argmax first largest (NaN largest). */
    static double[] naive(ReduceOp op, boolean argmax, float[] x, int xOff, int outer, int axis, int inner) {
        double[] y = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double sum = 0;
                float extreme = x[xOff + o * axis * inner + j];
                int best = 0;
                for (int k = 0; k < axis; k++) {
                    float v = x[xOff + (o * axis + k) * inner + j];
                    sum += v;
                    extreme = op == ReduceOp.MIN ? Math.min(extreme, v) : Math.max(extreme, v);
                    float atBest = x[xOff + (o * axis + best) * inner + j];
                    if (!Float.isNaN(atBest) && (Float.isNaN(v) || v > atBest)) {
                        best = k;
                    }
                }
                y[o * inner + j] = argmax ? best
                        : switch (op) {
                            case SUM -> sum;
                            case MEAN -> sum / axis;
                            case MAX, MIN -> extreme;
                        };
            }
        }
        return y;
    }

    @ParameterizedTest
    @EnumSource(ReduceOp.class)
    void reduceMatchesReference(ReduceOp op) {
        for (int[] s : SHAPES) {
            check(op, false, TestData.random(s[0] * 31L + s[2], s[0] * s[1] * s[2] + 2), s);
        }
    }

    @Test
    void argmaxMatchesReference() {
        for (int[] s : SHAPES) {
            check(null, true, TestData.random(s[0] * 37L + s[2], s[0] * s[1] * s[2] + 2), s);
        }
    }

    @Test
    void nanPropagatesThroughMaxMinSumAndWinsArgmax() {
        int[] s = {3, 6, 4};
        float[] x = TestData.random(5, 3 * 6 * 4 + 2);
        x[2 + (1 * 6 + 3) * 4 + 2] = Float.NaN; // o=1, k=3, j=2
        x[2 + (1 * 6 + 5) * 4 + 2] = Float.NaN; // o=1, k=5, j=2: argmax must keep k=3
        x[2 + (2 * 6) * 4 + 1] = Float.NaN;     // o=2, k=0, j=1
        for (ReduceOp op : ReduceOp.values()) {
            check(op, false, x, s);
        }
        check(null, true, x, s);
    }

    @Test
    void argmaxTakesFirstOfTies() {
        float[] x = {0, 0, 5, 1, 5, 5, 2, 2, 2, 2, -1, -1};
        int[] s = {2, 5, 1};
        check(null, true, x, s); // offset 2: {5, 1, 5, 5, 2} -> 0 and {2, 2, 2, -1, -1} -> 0
        float[] t = {0, 0, 1, 7, 7, 7, 3, 7};
        check(null, true, t, new int[] {1, 3, 2}); // columns {1, 7, 3} -> 1 and {7, 7, 7} -> 0
    }

    /** Runs the op on {@code x} at offset 2 with shape {@code s = [outer, axis, inner]} and compares. */
    private static void check(ReduceOp op, boolean argmax, float[] x, int[] s) {
        int outer = s[0];
        int axis = s[1];
        int inner = s[2];
        double[] expected = naive(op, argmax, x, 2, outer, axis, inner);
        DeviceMemory dx = TestData.upload(BACKEND, x);
        DeviceMemory dy = BACKEND.allocate(expected.length + 1);
        if (argmax) {
            BACKEND.argmax(outer, axis, inner, dx, 2, dy, 1);
        } else {
            BACKEND.reduce(op, outer, axis, inner, dx, 2, dy, 1);
        }
        float[] y = java.util.Arrays.copyOfRange(TestData.download(BACKEND, dy, expected.length + 1), 1, expected.length + 1);
        String what = (argmax ? "argmax" : "reduce " + op) + " [outer, axis, inner]=" + java.util.Arrays.toString(s);
        Tolerance.assertClose(what, expected, y, 0, 1e-6);
    }
}
