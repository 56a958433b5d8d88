package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.opencl.ClNdRange;
import org.cnn4j.runtime.spi.DeviceType;
import org.cnn4j.runtime.spi.ReduceOp;

/**
 * Launches {@code reduction.cl}: for a contiguous {@code [outer, axis, inner]} tensor,
 * {@code y[o * inner + j] = op_{k < axis} x[(o * axis + k) * inner + j]} (SUM, MEAN, MAX, MIN), and
 * argmax, the first index of the largest element with NaN counted as largest.
 *
 * <p>Two variants. {@code *_serial} gives each output one work-item, which is right when there are many
 * outputs: the device is full, and with {@code inner > 1} neighbouring work-items read neighbouring
 * addresses. {@code *_tree} gives each output one work-group that shares the axis and combines partials
 * in local memory; GPUs and accelerators use it when the axis is long ({@value #TREE_MIN_AXIS} or more)
 * and either {@code inner == 1} (serial work-items would stride through memory by {@code axis}, and
 * neighbours would share no cache lines) or there are fewer than {@value #TREE_MAX_OUTPUTS} outputs (too
 * few work-items to occupy a GPU). CPU devices always use the serial variant: their OpenCL runtimes
 * emulate barriers and local memory, and a work-item streaming through a contiguous chunk suits a core.
 *
 * <p>When there are too few outputs to occupy the device, either variant splits the axis into segments
 * (pass 1 writes partials {@code [outer, segments, inner]} to a temporary buffer, pass 2 reduces them):
 * enough segments for {@value #TARGET_ITEMS_PER_UNIT} work-items (serial) or {@value #TARGET_GROUPS_PER_UNIT}
 * work-groups (tree) per compute unit, but none shorter than {@value #MIN_SEGMENT} elements.
 * PoCL (2 compute units), 16M-element sum: one work-group 153 ms, split serial 15 ms.
 *
 * <p>CPU devices reduce a contiguous axis ({@code inner == 1}) with {@code reduce_rows} instead of
 * {@code reduce_serial} (variant {@link Variant#ROWS}): the same work-items, each reading its row with vector
 * loads into vector accumulators. Argmax keeps the serial kernel.
 */
public final class ClReduction {
    static final String FILE = "reduction.cl";
    /** Shortest axis for which the tree variant is considered. */
    static final int TREE_MIN_AXIS = 256;
    /** Below this many outputs, a long axis is shared by a work-group (GPUs). */
    static final long TREE_MAX_OUTPUTS = 4096;
    /** Preferred work-group size of the tree variant, clamped to the device and kernel limits. */
    static final long TREE_PREFERRED_GROUP = 256;
    /** Shortest segment worth a work-item or work-group of its own. */
    static final int MIN_SEGMENT = 4096;
    /** Serial work-items per compute unit a split aims for. */
    static final int TARGET_ITEMS_PER_UNIT = 256;
    /** Tree work-groups per compute unit a split aims for. */
    static final int TARGET_GROUPS_PER_UNIT = 8;

    /** The kernel family a launch uses. */
    enum Variant {
        /** One work-item per output (or per segment). */
        SERIAL,
        /** One work-group per output (or per segment). */
        TREE,
        /** One work-item per row (or segment) with vector loads; inner == 1 only, else serial. CPU devices. */
        ROWS
    }

    /**
     * How one reduction runs.
     *
     * @param variant serial or tree
     * @param segments parts of the axis reduced in parallel; 1 means a single pass
     */
    record Plan(Variant variant, int segments) {
    }

    private final ClContext context;
    private final KernelRef reduceSerial;
    private final KernelRef reduceTree;
    private final KernelRef argmaxSerial;
    private final KernelRef argmaxTree;
    private final KernelRef argmaxMerge;
    private final KernelRef reduceRows;
    /** Partials of split reductions; grows, is reused under {@code this} lock, and is freed with the context. */
    private ClBuffer workspace;

    /** @param context the device to launch on */
    public ClReduction(ClContext context) {
        this.context = context;
        Map<String, String> defines = Map.of("SUM_BLOCK", "16");
        this.reduceSerial = new KernelRef(context, FILE, defines, "reduce_serial");
        this.reduceTree = new KernelRef(context, FILE, defines, "reduce_tree");
        this.argmaxSerial = new KernelRef(context, FILE, defines, "argmax_serial");
        this.argmaxTree = new KernelRef(context, FILE, defines, "argmax_tree");
        this.reduceRows = new KernelRef(context, FILE, Map.of("SUM_BLOCK", "16", "VW", Integer.toString(ClConvRows.vectorWidth(context))),
                "reduce_rows");
        this.argmaxMerge = new KernelRef(context, FILE, defines, "argmax_merge");
    }

    /** Reduces along the middle dimension; {@code axis >= 1}. */
    public void reduce(ReduceOp op, int outer, int axis, int inner, ClBuffer x, long xOff, ClBuffer y, long yOff) {
        reduce(op, outer, axis, inner, x, xOff, y, yOff, plan((long) outer * inner, axis, inner));
    }

    /** Index (as a float) of the largest element along the axis; first on ties; NaN counts as largest. */
    public void argmax(int outer, int axis, int inner, ClBuffer x, long xOff, ClBuffer y, long yOff) {
        argmax(outer, axis, inner, x, xOff, y, yOff, plan((long) outer * inner, axis, inner));
    }

    /** {@link #reduce} with a given plan (tests force every variant). */
    void reduce(ReduceOp op, int outer, int axis, int inner, ClBuffer x, long xOff, ClBuffer y, long yOff, Plan plan) {
        if ((long) outer * inner == 0) {
            return;
        }
        if (plan.segments() == 1) {
            pass(code(op), plan.variant(), outer, axis, inner, 1, axis, x, xOff, y, yOff);
            return;
        }
        int s = plan.segments();
        synchronized (this) {
            ClBuffer partial = workspace((long) outer * s * inner);
            int pass1 = op == ReduceOp.MEAN ? code(ReduceOp.SUM) : code(op);
            pass(pass1, plan.variant(), outer, axis, inner, s, axis, x, xOff, partial, 0);
            pass(code(op), Variant.SERIAL, outer, s, inner, 1, axis, partial, 0, y, yOff);
        }
    }

    /**
     * A buffer of at least {@code elements}. Reusing one buffer is safe on the in-order queue: a later
     * split's pass 1 runs after the earlier pass 2 has read it, and no allocation is paid per call.
     */
    private ClBuffer workspace(long elements) {
        if (workspace == null || workspace.elements() < elements) {
            if (workspace != null) {
                context.release(workspace);
            }
            workspace = context.allocate(Math.max(elements, 4096));
        }
        return workspace;
    }

    /** {@link #argmax} with a given plan (tests force every variant). */
    void argmax(int outer, int axis, int inner, ClBuffer x, long xOff, ClBuffer y, long yOff, Plan plan) {
        long outputs = (long) outer * inner;
        if (outputs == 0) {
            return;
        }
        int s = plan.segments();
        if (s == 1) {
            argmaxPass(outer, axis, inner, 1, plan.variant(), x, xOff, y, yOff);
            return;
        }
        synchronized (this) {
            ClBuffer pairs = workspace(2L * outer * s * inner);
            argmaxPass(outer, axis, inner, s, plan.variant(), x, xOff, pairs, 0);
            try (ClLaunch l = argmaxMerge.get().begin()) {
                l.arg(outer).arg(s).arg(inner).arg(pairs).arg(y).arg(yOff).enqueue1d(outputs);
            }
        }
    }

    private void argmaxPass(int outer, int axis, int inner, int s, Variant variant, ClBuffer x, long xOff,
                            ClBuffer target, long targetOff) {
        long units = (long) outer * s * inner;
        if (variant == Variant.TREE) {
            ClKernel kernel = argmaxTree.get();
            long group = treeGroup(kernel, axis, s, Float.BYTES + Integer.BYTES);
            try (ClLaunch l = kernel.begin()) {
                l.arg(outer).arg(axis).arg(inner).arg(s).arg(x).arg(xOff).arg(target).arg(targetOff)
                        .local(group * Float.BYTES).local(group * Integer.BYTES)
                        .enqueue(new ClNdRange(new long[] {units * group}, new long[] {group}));
            }
        } else {
            try (ClLaunch l = argmaxSerial.get().begin()) {
                l.arg(outer).arg(axis).arg(inner).arg(s).arg(x).arg(xOff).arg(target).arg(targetOff).enqueue1d(units);
            }
        }
    }

    private void pass(int op, Variant variant, int outer, int axis, int inner, int segments, int meanCount,
                      ClBuffer x, long xOff, ClBuffer y, long yOff) {
        long units = (long) outer * segments * inner;
        if (variant == Variant.ROWS && inner == 1) {
            ClKernel kernel = reduceRows.get();
            long local = Math.min(Math.min(16, ClNdRange.nextPowerOfTwo(units)),
                    Math.min(kernel.maxWorkGroupSize(), context.device().maxWorkItemSizes()[0]));
            try (ClLaunch l = kernel.begin()) {
                l.arg(op).arg(outer).arg(axis).arg(segments).arg(meanCount).arg(x).arg(xOff).arg(y).arg(yOff)
                        .enqueue(ClNdRange.covering(new long[] {units}, new long[] {Long.highestOneBit(Math.max(1, local))}));
            }
            return;
        }
        if (variant == Variant.TREE) {
            ClKernel kernel = reduceTree.get();
            long group = treeGroup(kernel, axis, segments, Float.BYTES);
            try (ClLaunch l = kernel.begin()) {
                l.arg(op).arg(outer).arg(axis).arg(inner).arg(segments).arg(meanCount).arg(x).arg(xOff).arg(y).arg(yOff)
                        .local(group * Float.BYTES)
                        .enqueue(new ClNdRange(new long[] {units * group}, new long[] {group}));
            }
        } else {
            try (ClLaunch l = reduceSerial.get().begin()) {
                l.arg(op).arg(outer).arg(axis).arg(inner).arg(segments).arg(meanCount).arg(x).arg(xOff).arg(y).arg(yOff)
                        .enqueue1d(units);
            }
        }
    }

    /** The variant and split for a shape on this device, by the rules in the type's javadoc. */
    Plan plan(long outputs, int axis, int inner) {
        boolean cpu = context.device().info().type() == DeviceType.CPU;
        Variant variant = cpu ? (inner == 1 ? Variant.ROWS : Variant.SERIAL)
                : useTree(outputs, axis, inner) ? Variant.TREE : Variant.SERIAL;
        long units = (long) context.device().info().computeUnits()
                * (variant == Variant.TREE ? TARGET_GROUPS_PER_UNIT : TARGET_ITEMS_PER_UNIT);
        return new Plan(variant, segments(outputs, axis, units));
    }

    /** The tree rule for GPUs and accelerators, in the type's javadoc. */
    static boolean useTree(long outputs, int axis, int inner) {
        return axis >= TREE_MIN_AXIS && (inner == 1 || outputs < TREE_MAX_OUTPUTS);
    }

    /** Segments so that {@code outputs * segments} reaches {@code units}, none shorter than {@value #MIN_SEGMENT}. */
    static int segments(long outputs, int axis, long units) {
        if (outputs >= units || axis < 2L * MIN_SEGMENT) {
            return 1;
        }
        long wanted = (units + outputs - 1) / outputs;
        return (int) Math.max(1, Math.min(wanted, axis / MIN_SEGMENT));
    }

    /**
     * Work-group size of a tree launch: the largest power of two within the kernel's work-group limit,
     * the device's first work-item dimension, the local memory left after the kernel's own, and
     * {@value #TREE_PREFERRED_GROUP}; no larger than a segment needs.
     */
    private long treeGroup(ClKernel kernel, int axis, int segments, int bytesPerItem) {
        long segment = (axis + (long) segments - 1) / segments;
        long limit = Math.min(kernel.maxWorkGroupSize(), context.device().maxWorkItemSizes()[0]);
        limit = Math.min(limit, (context.localMemBytes() - kernel.localMemBytes()) / bytesPerItem);
        limit = Math.min(limit, Math.min(TREE_PREFERRED_GROUP, Long.highestOneBit(Math.max(1, segment))));
        return Math.max(1, Long.highestOneBit(Math.max(1, limit)));
    }

    /** The {@code R_*} code of {@code reduction.cl} for {@code op}. */
    static int code(ReduceOp op) {
        return switch (op) {
            case SUM -> 0;
            case MEAN -> 1;
            case MAX -> 2;
            case MIN -> 3;
        };
    }
}
