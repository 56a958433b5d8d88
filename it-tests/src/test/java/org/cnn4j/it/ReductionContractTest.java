package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.cnn4j.it.Contract.assertShape;
import static org.cnn4j.it.Contract.assertTensor;
import static org.cnn4j.it.Contract.what;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * sum, mean, max, min (of everything and along each axis, keeping the axis or not) and argmax, on every
 * device, against {@link NaiveOps}: odd and long axes (100003), large inner extents, ties and NaN.
 */
class ReductionContractTest {
    /**
     * Shapes reduced along every axis: odd sizes, a long axis with outer > 1, inner extents up to 100003,
     * and long axes (257+) both with few outputs and with many (4097), so that a backend's one-output-per-
     * work-item and one-work-group-per-output variants are both reached.
     */
    static final int[][] SHAPES = {
        {1}, {7}, {1023}, {1025}, {100003},
        {1, 1}, {3, 5}, {1025, 3}, {4, 1, 6}, {5, 1, 1},
        {2, 3, 4, 5}, {7, 5, 3001}, {2, 100003}, {3, 257, 129}, {257, 4097},
    };

    /** A reduction along an axis through its Tensor method. */
    interface Along {
        Tensor apply(Tensor t, int axis, boolean keepDim);
    }

    static Along along(ReduceOp op) {
        return switch (op) {
            case SUM -> Tensor::sum;
            case MEAN -> Tensor::mean;
            case MAX -> Tensor::max;
            case MIN -> Tensor::min;
        };
    }

    static Function<Tensor, Tensor> all(ReduceOp op) {
        return switch (op) {
            case SUM -> Tensor::sum;
            case MEAN -> Tensor::mean;
            case MAX -> Tensor::max;
            case MIN -> Tensor::min;
        };
    }

    /** The tolerance of {@code op} over {@code [outer, axis, inner]} (see {@link Tolerances#sum}); max/min are exact. */
    static Tolerance tolerance(ReduceOp op, float[] x, int outer, int axis, int inner) {
        return switch (op) {
            case SUM -> Tolerances.sum(Tolerances.maxAbsSum(x, outer, axis, inner));
            case MEAN -> new Tolerance(1e-6 * Tolerances.maxAbsSum(x, outer, axis, inner) / axis, 1e-6);
            case MAX, MIN -> Tolerances.EXACT;
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void reduceEverything(Device device) {
        SplittableRandom random = new SplittableRandom(1001);
        for (int[] shape : SHAPES) {
            float[] x = Inputs.uniform(random, NaiveOps.numel(shape), -1, 1);
            for (ReduceOp op : ReduceOp.values()) {
                try (Scope scope = Scope.open()) {
                    Tensor y = all(op).apply(device.fromArray(x, shape));
                    double reference = NaiveOps.reduceAll(op, x);
                    assertTensor(what(device, op + " of all", shape), tolerance(op, x, 1, x.length, 1), new int[0],
                            new double[] {reference}, y);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void reduceAlongEachAxisBothKeepDims(Device device) {
        SplittableRandom random = new SplittableRandom(1002);
        for (int[] shape : SHAPES) {
            float[] x = Inputs.uniform(random, NaiveOps.numel(shape), -1, 1);
            try (Scope scope = Scope.open()) {
                Tensor t = device.fromArray(x, shape);
                for (int axis = -shape.length; axis < shape.length; axis++) {
                    int a = axis < 0 ? axis + shape.length : axis;
                    int outer = NaiveOps.outer(shape, a);
                    int inner = NaiveOps.inner(shape, a);
                    for (ReduceOp op : ReduceOp.values()) {
                        double[] reference = NaiveOps.reduce(op, x, shape, axis);
                        Tolerance tol = tolerance(op, x, outer, shape[a], inner);
                        for (boolean keepDim : new boolean[] {false, true}) {
                            assertTensor(what(device, op + "(axis=" + axis + ", keepDim=" + keepDim + ")", shape), tol,
                                    NaiveOps.reducedShape(shape, axis, keepDim), reference,
                                    along(op).apply(t, axis, keepDim));
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void longSumOfPositiveValuesIsAccumulatedAccurately(Device device) {
        // 100003 values near 1000: a plain float32 running sum drifts by hundreds (its partial sums reach
        // 1e8, where one ulp is 8); a pairwise or tree sum, as ReductionOps requires, stays within the bound.
        SplittableRandom random = new SplittableRandom(1003);
        int n = 100003;
        float[] x = Inputs.uniform(random, n, 1000, 1001);
        try (Scope scope = Scope.open()) {
            Tensor t = device.fromArray(x, n);
            assertTensor(what(device, "SUM of 1000 + u", new int[] {n}), Tolerances.sumOf(x), new int[0],
                    new double[] {NaiveOps.reduceAll(ReduceOp.SUM, x)}, t.sum());
            assertTensor(what(device, "MEAN of 1000 + u", new int[] {n}), new Tolerance(1e-6 * Tolerances.absSum(x) / n, 1e-6),
                    new int[0], new double[] {NaiveOps.reduceAll(ReduceOp.MEAN, x)}, t.mean());
            float[] x2 = new float[2 * n];
            System.arraycopy(x, 0, x2, 0, n);
            System.arraycopy(x, 0, x2, n, n);
            assertTensor(what(device, "SUM(axis=1) of 1000 + u", new int[] {2, n}), Tolerances.sumOf(x), new int[] {2},
                    NaiveOps.reduce(ReduceOp.SUM, x2, new int[] {2, n}, 1), device.fromArray(x2, 2, n).sum(1, false));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void maxAndMinOfInfinities(Device device) {
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {-inf, -inf, -inf, 1f, inf, -inf, 2f, 3f, -5f};
        int[] shape = {3, 3};
        try (Scope scope = Scope.open()) {
            Tensor t = device.fromArray(x, shape);
            for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
                for (int axis = 0; axis < 2; axis++) {
                    assertTensor(what(device, op + "(axis=" + axis + ") with infinities", shape), Tolerances.EXACT,
                            NaiveOps.reducedShape(shape, axis, false), NaiveOps.reduce(op, x, shape, axis),
                            along(op).apply(t, axis, false));
                }
            }
            assertEquals(inf, t.max().item(), "max of all with +inf on " + device.spec());
            assertEquals(-inf, t.min().item(), "min of all with -inf on " + device.spec());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void nanPropagatesThroughEveryReduction(Device device) {
        SplittableRandom random = new SplittableRandom(1004);
        int[] shape = {4, 9};
        float[] x = Inputs.uniform(random, 36, -1, 1);
        x[1 * 9 + 3] = Float.NaN;
        x[3 * 9 + 8] = Float.NaN;
        try (Scope scope = Scope.open()) {
            Tensor t = device.fromArray(x, shape);
            for (ReduceOp op : ReduceOp.values()) {
                for (int axis = 0; axis < 2; axis++) {
                    int outer = NaiveOps.outer(shape, axis);
                    int inner = NaiveOps.inner(shape, axis);
                    double[] reference = NaiveOps.reduce(op, x, shape, axis);
                    assertTensor(what(device, op + "(axis=" + axis + ") with NaN at (1, 3) and (3, 8)", shape),
                            tolerance(op, x, outer, shape[axis], inner), NaiveOps.reducedShape(shape, axis, true),
                            reference, along(op).apply(t, axis, true));
                }
                float all = all(op).apply(t).item();
                assertTrue(Float.isNaN(all), op + " of all with NaN must be NaN on " + device.spec() + ", but got " + all);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void nanAnywhereInALongAxisPropagates(Device device) {
        // A tree reduction built on fmax/fmin would drop the NaN; the contract says max/min are NaN.
        SplittableRandom random = new SplittableRandom(1005);
        int n = 100003;
        for (int position : new int[] {0, 1, 4097, n / 2, n - 1}) {
            float[] x = Inputs.uniform(random, n, -1, 1);
            x[position] = Float.NaN;
            try (Scope scope = Scope.open()) {
                Tensor t = device.fromArray(x, n);
                for (ReduceOp op : ReduceOp.values()) {
                    float v = all(op).apply(t).item();
                    assertTrue(Float.isNaN(v), op + " of [" + n + "] with NaN at " + position + " must be NaN on "
                            + device.spec() + ", but got " + v);
                }
                assertEquals(position, t.argmax(0, false).item(),
                        "argmax of [" + n + "] with one NaN at " + position + " (NaN counts as largest) on " + device.spec());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void argmaxReturnsTheFirstIndexOnTies(Device device) {
        SplittableRandom random = new SplittableRandom(1006);
        for (int[] shape : SHAPES) {
            // three levels only: almost every slice has ties for its maximum
            float[] x = Inputs.levels(random, NaiveOps.numel(shape), 3);
            try (Scope scope = Scope.open()) {
                Tensor t = device.fromArray(x, shape);
                for (int axis = -shape.length; axis < shape.length; axis++) {
                    double[] reference = NaiveOps.argmax(x, shape, axis);
                    for (boolean keepDim : new boolean[] {false, true}) {
                        assertTensor(what(device, "argmax(axis=" + axis + ", keepDim=" + keepDim + ") with ties", shape),
                                Tolerances.EXACT, NaiveOps.reducedShape(shape, axis, keepDim), reference,
                                t.argmax(axis, keepDim));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void argmaxOnDistinctValuesAndSpecialCases(Device device) {
        SplittableRandom random = new SplittableRandom(1007);
        try (Scope scope = Scope.open()) {
            // every element equal: index 0 everywhere
            Tensor same = device.full(2.5f, 6, 1031);
            assertTensor(what(device, "argmax of a constant", new int[] {6, 1031}), Tolerances.EXACT, new int[] {6},
                    new double[6], same.argmax(1, false));
            assertTensor(what(device, "argmax of a constant along 0", new int[] {6, 1031}), Tolerances.EXACT,
                    new int[] {1031}, new double[1031], same.argmax(0, false));
            // a long axis with the maximum at two places, the first far from the start: the first wins
            int n = 100003;
            float[] x = Inputs.uniform(random, n, -1, 1);
            x[70001] = 5f;
            x[99999] = 5f;
            assertTensor(what(device, "argmax of a long axis with a tie", new int[] {n}), Tolerances.EXACT, new int[0],
                    new double[] {70001}, device.fromArray(x, n).argmax(0, false));
            // all negative values, including -inf: the largest is still found
            float[] neg = {-7f, -3f, Float.NEGATIVE_INFINITY, -3f, -9f};
            assertTensor(what(device, "argmax of negatives", new int[] {5}), Tolerances.EXACT, new int[] {1},
                    new double[] {1}, device.fromArray(neg, 5).argmax(-1, true));
            // distinct random values along every axis of a 4-D tensor
            int[] shape = {3, 4, 5, 6};
            float[] d = Inputs.uniform(random, NaiveOps.numel(shape), -10, 10);
            Tensor td = device.fromArray(d, shape);
            for (int axis = 0; axis < 4; axis++) {
                assertTensor(what(device, "argmax(axis=" + axis + ")", shape), Tolerances.EXACT,
                        NaiveOps.reducedShape(shape, axis, false), NaiveOps.argmax(d, shape, axis), td.argmax(axis, false));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void reductionsOverwriteRecycledMemory(Device device) {
        // The output block comes from the pool; NaN left there by an earlier tensor must not leak into a result.
        SplittableRandom random = new SplittableRandom(1008);
        int[] shape = {7, 5, 3001};
        float[] x = Inputs.uniform(random, NaiveOps.numel(shape), -1, 1);
        try (Scope scope = Scope.open()) {
            Tensor t = device.fromArray(x, shape);
            for (ReduceOp op : ReduceOp.values()) {
                Contract.poisonPool(device, 7 * 3001);
                Tensor y = along(op).apply(t, 1, false);
                assertTensor(what(device, op + "(axis=1) into recycled memory", shape), tolerance(op, x, 7, 5, 3001),
                        new int[] {7, 3001}, NaiveOps.reduce(op, x, shape, 1), y);
            }
            Contract.poisonPool(device, 7 * 3001);
            assertTensor(what(device, "argmax(axis=1) into recycled memory", shape), Tolerances.EXACT,
                    new int[] {7, 3001}, NaiveOps.argmax(x, shape, 1), t.argmax(1, false));
            Contract.poisonPool(device, 1);
            Tolerances.sumOf(x).assertClose(what(device, "sum of all into recycled memory", shape),
                    new double[] {NaiveOps.reduceAll(ReduceOp.SUM, x)}, t.sum().toArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void scalarsAndSingletonAxes(Device device) {
        try (Scope scope = Scope.open()) {
            Tensor s = device.scalar(-4.25f);
            for (ReduceOp op : ReduceOp.values()) {
                assertEquals(-4.25f, all(op).apply(s).item(), op + " of a scalar on " + device.spec());
            }
            Tensor col = device.fromArray(new float[] {1, 2, 3}, 3, 1);
            for (ReduceOp op : ReduceOp.values()) {
                Tensor y = along(op).apply(col, 1, false);
                assertShape(op + " of [3, 1] along 1", new int[] {3}, y);
                assertEquals(Arrays.toString(new float[] {1, 2, 3}), Arrays.toString(y.toArray()),
                        op + " along a singleton axis is the identity on " + device.spec());
            }
        }
    }
}
