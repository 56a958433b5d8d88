package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.kernels.ClReduction.Plan;
import org.cnn4j.kernels.ClReduction.Variant;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.ReduceOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** reduction.cl against {@link NaiveReduction}: every plan (serial, tree, split), every op, NaN and tie rules. */
class ClReductionTest {
    /** [outer, axis, inner]: short and long axes, inner 1 and more, few and many outputs. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {3, 5, 7}, {64, 33, 1}, {2, 1000, 1}, {1, 5003, 3}, {5, 300, 1000}, {1, 100003, 1}, {4, 257, 2},
        {7, 64, 1}, {3, 784, 1}, {2, 15, 1},
    };

    /** Default limits, small work-groups, and little local memory (the tiled and tree kernels use it). */
    static Stream<TestBackend> backends() {
        return Stream.concat(OpenClTestSupport.backends(), OpenClTestSupport.smallLocalMemory());
    }

    /** The launcher's own plan, then every variant unsplit and split into a few (uneven) segments. */
    private static List<Plan> plans(ClReduction r, int outer, int axis, int inner) {
        List<Plan> plans = new ArrayList<>(List.of(r.plan((long) outer * inner, axis, inner),
                new Plan(Variant.SERIAL, 1), new Plan(Variant.TREE, 1), new Plan(Variant.ROWS, 1)));
        for (int s : new int[] {3, 7}) {
            if (s <= axis) {
                plans.add(new Plan(Variant.SERIAL, s));
                plans.add(new Plan(Variant.TREE, s));
                plans.add(new Plan(Variant.ROWS, s));
            }
        }
        return plans;
    }

    @Test
    void planRules() {
        assertFalse(ClReduction.useTree(1, 1, 1));
        assertFalse(ClReduction.useTree(64, 33, 1));
        assertTrue(ClReduction.useTree(2, 1000, 1));
        assertTrue(ClReduction.useTree(3, 5003, 3));
        assertFalse(ClReduction.useTree(5000, 300, 1000));
        assertEquals(1, ClReduction.segments(1, 1000, 512), "short axis: no split");
        assertEquals(1, ClReduction.segments(4096, 1 << 20, 512), "enough outputs: no split");
        assertEquals(512, ClReduction.segments(1, 1 << 24, 512));
        assertEquals(8, ClReduction.segments(1, 8 * ClReduction.MIN_SEGMENT + 5, 512), "segments no shorter than the minimum");
        assertEquals(3, ClReduction.segments(200, 1 << 20, 512));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void reduceAndArgmaxMatchReferenceUnderEveryPlan(TestBackend tb) {
        OpenClBackend b = tb.backend();
        ClReduction reduction = new ClReduction(b.context());
        for (int[] s : SHAPES) {
            int outer = s[0];
            int axis = s[1];
            int inner = s[2];
            int n = outer * axis * inner;
            float[] x = random(n, n + 3, -1f, 1f);
            float[] body = DeviceArrays.slice(x, 3, n);
            ClBuffer xd = (ClBuffer) upload(b, x);
            ClBuffer yd = (ClBuffer) b.allocate(outer * inner + 1);
            // A float sum's rounding error grows like eps * log2(axis) * sum |x| for pairwise order.
            double log2 = Math.log(axis + 1) / Math.log(2);
            for (Plan plan : plans(reduction, outer, axis, inner)) {
                String shape = "[" + outer + ", " + axis + ", " + inner + "] " + plan + " on " + tb;
                for (ReduceOp op : ReduceOp.values()) {
                    reduction.reduce(op, outer, axis, inner, xd, 3, yd, 1, plan);
                    double atol = switch (op) {
                        case SUM -> 1e-6 * log2 * NaiveReduction.maxAbsSum(outer, axis, inner, body) + 1e-6;
                        case MEAN -> 1e-6 * log2 + 1e-6;
                        default -> 0;
                    };
                    assertClose(op + " " + shape, NaiveReduction.reduce(op, outer, axis, inner, body),
                            download(b, yd, 1, outer * inner), atol, 1e-5);
                }
                reduction.argmax(outer, axis, inner, xd, 3, yd, 1, plan);
                assertClose("argmax " + shape, NaiveReduction.argmax(outer, axis, inner, body),
                        download(b, yd, 1, outer * inner), 0, 0);
            }
            b.release(xd);
            b.release(yd);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void throughTheBackend(TestBackend tb) {
        OpenClBackend b = tb.backend();
        int outer = 3;
        int axis = 50000;
        float[] x = random(5, outer * axis, -1f, 1f);
        DeviceMemory xd = upload(b, x);
        DeviceMemory yd = b.allocate(outer);
        b.reduce(ReduceOp.MEAN, outer, axis, 1, xd, 0, yd, 0);
        assertClose("MEAN via backend on " + tb, NaiveReduction.reduce(ReduceOp.MEAN, outer, axis, 1, x), download(b, yd, 0, outer),
                1e-5, 1e-5);
        b.argmax(outer, axis, 1, xd, 0, yd, 0);
        assertClose("argmax via backend on " + tb, NaiveReduction.argmax(outer, axis, 1, x), download(b, yd, 0, outer), 0, 0);
        b.release(xd);
        b.release(yd);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void maxMinPropagateNaNAndArgmaxPrefersFirstNaNAndFirstTie(TestBackend tb) {
        OpenClBackend b = tb.backend();
        ClReduction reduction = new ClReduction(b.context());
        for (int axis : new int[] {7, 600}) {
            int outer = 3;
            float[] x = random(axis, outer * axis, -1f, 1f);
            x[axis / 2] = Float.NaN;                    // row 0: one NaN in the middle
            x[axis + 1] = 5f;                           // row 1: a tie at 1 and axis - 2; the first wins
            x[axis + axis - 2] = 5f;
            x[2 * axis + 2] = Float.NaN;                // row 2: two NaNs; argmax is the first
            x[2 * axis + axis - 1] = Float.NaN;
            ClBuffer xd = (ClBuffer) upload(b, x);
            ClBuffer yd = (ClBuffer) b.allocate(outer);
            for (Plan plan : plans(reduction, outer, axis, 1)) {
                for (ReduceOp op : new ReduceOp[] {ReduceOp.MAX, ReduceOp.MIN}) {
                    reduction.reduce(op, outer, axis, 1, xd, 0, yd, 0, plan);
                    float[] got = download(b, yd, 0, outer);
                    assertTrue(Float.isNaN(got[0]) && Float.isNaN(got[2]), op + " must propagate NaN, got "
                            + java.util.Arrays.toString(got) + " (axis " + axis + ", " + plan + ", " + tb + ")");
                    assertClose(op + " axis " + axis + " " + plan + " on " + tb, NaiveReduction.reduce(op, outer, axis, 1, x),
                            got, 0, 0);
                }
                reduction.argmax(outer, axis, 1, xd, 0, yd, 0, plan);
                float[] got = download(b, yd, 0, outer);
                String where = " axis " + axis + " " + plan + " on " + tb;
                assertEquals(axis / 2, got[0], "argmax row 0 (NaN)" + where);
                assertEquals(1, got[1], "argmax row 1 (tie)" + where);
                assertEquals(2, got[2], "argmax row 2 (first NaN)" + where);
            }
            b.release(xd);
            b.release(yd);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void argmaxOfAllMinusInfinityIsZero(TestBackend tb) {
        OpenClBackend b = tb.backend();
        ClReduction reduction = new ClReduction(b.context());
        int axis = 1000;
        float[] x = new float[axis];
        java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY);
        ClBuffer xd = (ClBuffer) upload(b, x);
        ClBuffer yd = (ClBuffer) b.allocate(1);
        for (Plan plan : plans(reduction, 1, axis, 1)) {
            reduction.argmax(1, axis, 1, xd, 0, yd, 0, plan);
            assertEquals(0f, download(b, yd, 0, 1)[0], "argmax of all -inf, " + plan + " on " + tb);
            reduction.reduce(ReduceOp.MAX, 1, axis, 1, xd, 0, yd, 0, plan);
            assertEquals(Float.NEGATIVE_INFINITY, download(b, yd, 0, 1)[0], "max of all -inf, " + plan + " on " + tb);
        }
        b.release(xd);
        b.release(yd);
    }
}
