package org.cnn4j.cpu;

import java.util.List;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.ReduceOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CpuReduction} against {@link #naive}, including NaN, ties and inner blocks longer than one block, with each
 * kernel ({@link CpuReductionPlain} and {@code CpuReductionVector}); and the two kernels against each other on every
 * column count and axis length around the vector widths: column sums and extremes bit for bit, row sums within
 * double rounding.
 */
class CpuReductionTest {
    private static final Backend BACKEND = TestData.backend();
    private static final List<TestData.Impl<CpuReduction>> IMPLS = TestData.impls(CpuReduction.Kernel.class,
            new CpuReductionPlain(), "org.cnn4j.cpu.CpuReductionVector", CpuReduction::new);
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
        for (TestData.Impl<CpuReduction> impl : IMPLS) {
            DeviceMemory dx = TestData.upload(BACKEND, x);
            DeviceMemory dy = BACKEND.allocate(expected.length + 1);
            if (argmax) {
                impl.ops().argmax(outer, axis, inner, dx, 2, dy, 1);
            } else {
                impl.ops().reduce(op, outer, axis, inner, dx, 2, dy, 1);
            }
            float[] y = java.util.Arrays.copyOfRange(TestData.download(BACKEND, dy, expected.length + 1), 1, expected.length + 1);
            String what = impl + " " + (argmax ? "argmax" : "reduce " + op) + " [outer, axis, inner]=" + java.util.Arrays.toString(s);
            Tolerance.assertClose(what, expected, y, 0, 1e-6);
        }
    }

    /**
     * Column sums (from a -0 start: a column of -0 sums to -0) and extremes bit for bit, row sums within double
     * rounding, for 1 to 70 columns, axes of 1 to 5 rows, odd offsets and special values; repeated until C2 has
     * compiled both kernels.
     */
    @Test
    void kernelsAgreeOnEveryWidth() {
        CpuReduction.Kernel plain = new CpuReductionPlain();
        CpuReduction.Kernel vector = CpuVectorSupport.load("org.cnn4j.cpu.CpuReductionVector", CpuReduction.Kernel.class);
        for (int rep = 0; rep < 4 * TestData.COMPILE_REPS; rep++) {
            for (int cols = 1; cols <= 70; cols++) {
                int axis = 1 + (cols + rep) % 5;
                int inner = cols + rep % 3;
                int base = rep % 4;
                float[] x = rep % 2 == 0 ? TestData.withSpecials(rep * 100L + cols, base + axis * inner + 1, 9)
                        : TestData.random(rep * 100L + cols, base + axis * inner + 1);
                if (cols % 7 == 0) {
                    for (int k = 0; k < axis; k++) {
                        x[base + k * inner] = -0f; // a column of -0
                    }
                }
                String what = "cols=" + cols + " axis=" + axis + " inner=" + inner + " rep " + rep;
                double[] expected = new double[cols];
                double[] actual = new double[cols];
                plain.sumColumns(x, base, axis, inner, cols, expected);
                vector.sumColumns(x, base, axis, inner, cols, actual);
                for (int j = 0; j < cols; j++) {
                    if (!(Double.isNaN(expected[j]) && Double.isNaN(actual[j]))) {
                        if (cols == 1 && inner == 1) {
                            org.junit.jupiter.api.Assertions.assertEquals(expected[j], actual[j], 1e-12 * axis, what);
                        } else {
                            org.junit.jupiter.api.Assertions.assertEquals(Double.doubleToRawLongBits(expected[j]),
                                    Double.doubleToRawLongBits(actual[j]), what + ": column " + j + " (plain " + expected[j]
                                            + ", vector " + actual[j] + ")");
                        }
                    }
                }
                for (boolean max : new boolean[] {true, false}) {
                    float[] ey = new float[cols + 2];
                    float[] ay = new float[cols + 2];
                    plain.extremeColumns(max, x, base, axis, inner, cols, ey, 1);
                    vector.extremeColumns(max, x, base, axis, inner, cols, ay, 1);
                    for (int j = 0; j < ey.length; j++) {
                        if (!(Float.isNaN(ey[j]) && Float.isNaN(ay[j]))) {
                            org.junit.jupiter.api.Assertions.assertEquals(Float.floatToRawIntBits(ey[j]),
                                    Float.floatToRawIntBits(ay[j]), what + (max ? " max" : " min") + ": column " + j);
                        }
                    }
                }
                int count = axis * inner;
                double rowPlain = plain.sumRow(x, base, count);
                double rowVector = vector.sumRow(x, base, count);
                if (!(Double.isNaN(rowPlain) && Double.isNaN(rowVector)) && !Double.isInfinite(rowPlain)) {
                    double abs = 0;
                    for (int k = 0; k < count; k++) {
                        abs += Math.abs(x[base + k]);
                    }
                    org.junit.jupiter.api.Assertions.assertEquals(rowPlain, rowVector, 1e-15 * count * abs, what + " row sum");
                }
            }
        }
    }
}
