package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.opencl.ClNdRange;
import org.cnn4j.runtime.spi.DeviceType;

/**
 * Launches {@code batchnorm.cl}: per-channel batch statistics (mean, then the variance about it: two
 * passes over x), the normalisation, and the fused training-mode backward (per-channel sums of dy and
 * dy * xhat, then dx).
 *
 * <p>Per-channel sums are split into segments, as {@link ClReduction} splits a long axis: enough segments
 * for about {@value #TARGET_ITEMS_PER_UNIT} work-items per compute unit, none shorter than
 * {@value #MIN_SEGMENT} elements; pass 1 writes {@code [C, segments]} partials into a workspace that this
 * launcher keeps and reuses (grown when too small, never allocated per call), pass 2 adds each channel's
 * partials in order. With one segment pass 1 writes the result directly. No barriers (slow on CPU
 * runtimes) and no atomics: the sums do not depend on scheduling.
 *
 * <p>CPU devices run the row kernels ({@code bn_rows_*}) instead: a work-item walks whole rows of {@code S}
 * floats with {@code floatN} loads ({@code N} the device's preferred float vector width) rather than one
 * element at a time, a channel's sums are split over {@link #rowParts} work-items by image, the mean is taken
 * from the partials inside the variance pass, and the backward pass's per-channel sums are taken from the
 * partials inside the dx kernel (which also stores dgamma and dbeta): statistics 3 launches, forward 1,
 * backward 2. Measured on PoCL (2 cores, each op synchronised, medians), [64, 32, 784]: statistics 1.3 -> 0.23 ms,
 * forward 3.0 -> 0.20 ms, backward 6.4 -> 0.42 ms (segment kernels -> row kernels). GPUs keep the segment kernels
 * (neighbouring work-items there read neighbouring elements of the forward and dx passes).
 */
public final class ClNorm {
    static final String FILE = "batchnorm.cl";
    /** Shortest segment worth a work-item of its own. */
    static final int MIN_SEGMENT = 2048;
    /** Work-items per compute unit a split aims for. */
    static final int TARGET_ITEMS_PER_UNIT = 64;
    /** Work-items per compute unit the row kernels' per-channel split aims for. */
    static final int ROW_ITEMS_PER_UNIT = 32;

    private final ClContext context;
    private final KernelRef partialSum;
    private final KernelRef partialSqdev;
    private final KernelRef partialBackward;
    private final KernelRef finalizeSums;
    private final KernelRef forward;
    private final KernelRef backwardDx;
    /** Partials and per-channel sums; grows, is reused under {@code this} lock, and is freed with the context. */
    private ClBuffer workspace;
    /** The row kernels' variance partials (the mean partials stay in {@link #workspace} meanwhile). */
    private ClBuffer workspace2;
    /** Forced segment count (tests), or 0 for the rule above; the row kernels' part count likewise. */
    private final int forcedSegments;
    /** Whether the row kernels run (CPU devices). */
    private final boolean rows;
    private final KernelRef rowsSum;
    private final KernelRef rowsSqdev;
    private final KernelRef rowsFinalize;
    private final KernelRef rowsForward;
    private final KernelRef rowsPartialBackward;
    private final KernelRef rowsBackwardDx;

    /** @param context the device to launch on */
    public ClNorm(ClContext context) {
        this(context, 0);
    }

    /** Forces the number of segments (tests run one and several on every device). */
    ClNorm(ClContext context, int forcedSegments) {
        this(context, forcedSegments, context.device().info().type() == DeviceType.CPU);
    }

    /** Forces the number of segments or parts, and whether the row kernels run (tests run both kinds on every device). */
    ClNorm(ClContext context, int forcedSegments, boolean rows) {
        this(context, forcedSegments, rows, ClConvRows.vectorWidth(context));
    }

    /** As {@link #ClNorm(ClContext, int, boolean)}, with the row kernels' vector width {@code vw} (4, 8 or 16). */
    ClNorm(ClContext context, int forcedSegments, boolean rows, int vw) {
        this.context = context;
        this.forcedSegments = forcedSegments;
        this.rows = rows;
        Map<String, String> vector = Map.of("VW", Integer.toString(vw));
        this.rowsSum = new KernelRef(context, FILE, vector, "bn_rows_sum");
        this.rowsSqdev = new KernelRef(context, FILE, vector, "bn_rows_sqdev");
        this.rowsFinalize = new KernelRef(context, FILE, vector, "bn_rows_finalize");
        this.rowsForward = new KernelRef(context, FILE, vector, "bn_rows_forward");
        this.rowsPartialBackward = new KernelRef(context, FILE, vector, "bn_rows_partial_backward");
        this.rowsBackwardDx = new KernelRef(context, FILE, vector, "bn_rows_backward_dx");
        Map<String, String> defines = Map.of("SUM_BLOCK", "16");
        this.partialSum = new KernelRef(context, FILE, defines, "bn_partial_sum");
        this.partialSqdev = new KernelRef(context, FILE, defines, "bn_partial_sqdev");
        this.partialBackward = new KernelRef(context, FILE, defines, "bn_partial_backward");
        this.finalizeSums = new KernelRef(context, FILE, defines, "bn_finalize");
        this.forward = new KernelRef(context, FILE, defines, "bn_forward");
        this.backwardDx = new KernelRef(context, FILE, defines, "bn_backward_dx");
    }

    /** Per-channel mean and biased variance. */
    public void statistics(int n, int c, int spatial, ClBuffer x, long xOff, ClBuffer mean, long meanOff,
                           ClBuffer var, long varOff) {
        if (c == 0) {
            return;
        }
        if (rows) {
            rowStatistics(n, c, spatial, x, xOff, mean, meanOff, var, varOff);
            return;
        }
        long m = (long) n * spatial;
        int s = segments(c, m);
        float count = (float) m;
        synchronized (this) {
            ClBuffer ws = s == 1 ? null : workspace((long) c * s);
            try (ClLaunch l = partialSum.get().begin()) {
                partialArgs(l, n, c, spatial, s, s == 1 ? count : 1f, x, xOff, s == 1 ? mean : ws, s == 1 ? meanOff : 0)
                        .enqueue2d(s, c);
            }
            if (s > 1) {
                finalizeSums(c, s, count, ws, mean, meanOff);
            }
            try (ClLaunch l = partialSqdev.get().begin()) {
                partialArgs(l, n, c, spatial, s, s == 1 ? count : 1f, x, xOff, s == 1 ? var : ws, s == 1 ? varOff : 0)
                        .arg(mean).arg(meanOff).enqueue2d(s, c);
            }
            if (s > 1) {
                finalizeSums(c, s, count, ws, var, varOff);
            }
        }
    }

    /** {@code y = gamma * (x - mean) / sqrt(var + eps) + beta}; gamma and beta may be null. */
    public void forward(int n, int c, int spatial, float eps, ClBuffer x, long xOff, ClBuffer mean, long meanOff,
                        ClBuffer var, long varOff, ClBuffer gamma, long gammaOff, ClBuffer beta, long betaOff,
                        ClBuffer y, long yOff) {
        if ((long) n * c * spatial == 0) {
            return;
        }
        if (rows) {
            try (ClLaunch l = rowsForward.get().begin()) {
                l.arg(n * c).arg(c).arg(spatial).arg(eps).arg(x).arg(xOff).arg(mean).arg(meanOff).arg(var).arg(varOff)
                        .arg(gamma != null ? 1 : 0).arg(gamma != null ? gamma : mean).arg(gamma != null ? gammaOff : 0)
                        .arg(beta != null ? 1 : 0).arg(beta != null ? beta : mean).arg(beta != null ? betaOff : 0)
                        .arg(y).arg(yOff).enqueue(rowRange((long) n * c));
            }
            return;
        }
        try (ClLaunch l = forward.get().begin()) {
            l.arg(n).arg(c).arg(spatial).arg(eps).arg(x).arg(xOff).arg(mean).arg(meanOff).arg(var).arg(varOff)
                    .arg(gamma != null ? 1 : 0).arg(gamma != null ? gamma : mean).arg(gamma != null ? gammaOff : 0)
                    .arg(beta != null ? 1 : 0).arg(beta != null ? beta : mean).arg(beta != null ? betaOff : 0)
                    .arg(y).arg(yOff).enqueue2d(spatial, (long) n * c);
        }
    }

    /** The fused training-mode backward; dgamma and dbeta may be null. */
    public void backward(int n, int c, int spatial, float eps, ClBuffer x, long xOff, ClBuffer dy, long dyOff,
                         ClBuffer mean, long meanOff, ClBuffer var, long varOff, ClBuffer gamma, long gammaOff,
                         ClBuffer dx, long dxOff, ClBuffer dgamma, long dgammaOff, ClBuffer dbeta, long dbetaOff) {
        if (c == 0) {
            return;
        }
        if (rows) {
            rowBackward(n, c, spatial, eps, x, xOff, dy, dyOff, mean, meanOff, var, varOff, gamma, gammaOff, dx, dxOff,
                    dgamma, dgammaOff, dbeta, dbetaOff);
            return;
        }
        long m = (long) n * spatial;
        int s = segments(c, m);
        synchronized (this) {
            // workspace: [0, 2c) the sums (dbeta_c, then dgamma_c), [2c, 2c + 2cs) the partials
            ClBuffer ws = workspace(2L * c + (s == 1 ? 0 : 2L * c * s));
            try (ClLaunch l = partialBackward.get().begin()) {
                partialArgs(l, n, c, spatial, s, 1f, x, xOff, ws, s == 1 ? 0 : 2L * c)
                        .arg(dy).arg(dyOff).arg(mean).arg(meanOff).arg(var).arg(varOff).arg(eps).enqueue2d(s, c);
            }
            if (s > 1) {
                finalizeSums(2 * c, s, 1f, ws, 2L * c, ws, 0);
            }
            if (m > 0) {
                try (ClLaunch l = backwardDx.get().begin()) {
                    l.arg(n).arg(c).arg(spatial).arg(eps).arg(x).arg(xOff).arg(dy).arg(dyOff)
                            .arg(mean).arg(meanOff).arg(var).arg(varOff)
                            .arg(gamma != null ? 1 : 0).arg(gamma != null ? gamma : mean).arg(gamma != null ? gammaOff : 0)
                            .arg(ws).arg(0L).arg(dx).arg(dxOff).enqueue2d(spatial, (long) n * c);
                }
            }
            if (dbeta != null) {
                context.copy(ws, 0, dbeta, dbetaOff, c);
            }
            if (dgamma != null) {
                context.copy(ws, c, dgamma, dgammaOff, c);
            }
        }
    }

    private synchronized void rowStatistics(int n, int c, int spatial, ClBuffer x, long xOff, ClBuffer mean, long meanOff,
                                            ClBuffer var, long varOff) {
        int parts = rowParts(c, n);
        float count = (float) ((long) n * spatial);
        ClBuffer ws = workspace(2L * c * parts);
        long[] range = {c, parts};
        long[] one = {1, 1};
        try (ClLaunch l = rowsSum.get().begin()) {
            l.arg(n).arg(c).arg(spatial).arg(parts).arg(x).arg(xOff).arg(ws).enqueue(range, one);
        }
        // pass 2 reads the mean partials from ws and writes the variance partials to a second workspace
        ClBuffer ws2 = secondWorkspace((long) c * parts);
        try (ClLaunch l = rowsSqdev.get().begin()) {
            l.arg(n).arg(c).arg(spatial).arg(parts).arg(x).arg(xOff).arg(ws).arg(ws2).arg(mean).arg(meanOff).enqueue(range, one);
        }
        try (ClLaunch l = rowsFinalize.get().begin()) {
            l.arg(c).arg(parts).arg(count).arg(ws2).arg(var).arg(varOff).enqueue1d(c);
        }
    }

    @SuppressWarnings("java:S107")
    private synchronized void rowBackward(int n, int c, int spatial, float eps, ClBuffer x, long xOff, ClBuffer dy, long dyOff,
                                          ClBuffer mean, long meanOff, ClBuffer var, long varOff, ClBuffer gamma, long gammaOff,
                                          ClBuffer dx, long dxOff, ClBuffer dgamma, long dgammaOff, ClBuffer dbeta, long dbetaOff) {
        if ((long) n * spatial == 0 || n == 0) {
            // no rows: the sums are 0 and there is no dx
            if (dgamma != null) {
                context.fill(dgamma, dgammaOff, c, 0f);
            }
            if (dbeta != null) {
                context.fill(dbeta, dbetaOff, c, 0f);
            }
            return;
        }
        int parts = rowParts(c, n);
        ClBuffer ws = workspace(2L * c * parts);
        try (ClLaunch l = rowsPartialBackward.get().begin()) {
            l.arg(n).arg(c).arg(spatial).arg(parts).arg(x).arg(xOff).arg(ws).arg(dy).arg(dyOff).arg(mean).arg(meanOff)
                    .arg(var).arg(varOff).arg(eps).enqueue(new long[] {c, parts}, new long[] {1, 1});
        }
        try (ClLaunch l = rowsBackwardDx.get().begin()) {
            l.arg(n * c).arg(c).arg(spatial).arg(parts).arg(eps).arg(x).arg(xOff).arg(dy).arg(dyOff)
                    .arg(mean).arg(meanOff).arg(var).arg(varOff)
                    .arg(gamma != null ? 1 : 0).arg(gamma != null ? gamma : mean).arg(gamma != null ? gammaOff : 0)
                    .arg(ws).arg(dx).arg(dxOff)
                    .arg(dgamma != null ? 1 : 0).arg(dgamma != null ? dgamma : ws).arg(dgamma != null ? dgammaOff : 0)
                    .arg(dbeta != null ? 1 : 0).arg(dbeta != null ? dbeta : ws).arg(dbeta != null ? dbetaOff : 0)
                    .enqueue(rowRange((long) n * c));
        }
    }

    /**
     * Work-items per channel of the row kernels: enough for about {@value #ROW_ITEMS_PER_UNIT} work-items per compute
     * unit, at most one per image (or the forced count, at most n).
     */
    int rowParts(int c, int n) {
        if (forcedSegments > 0) {
            return Math.max(1, Math.min(forcedSegments, n));
        }
        long units = (long) context.device().info().computeUnits() * ROW_ITEMS_PER_UNIT;
        return (int) Math.max(1, Math.min(n, (units + c - 1) / c));
    }

    /** Whether the row kernels run. */
    boolean rows() {
        return rows;
    }

    /** One work-item per row; work-groups of one work-item (each work-item is already a vector loop). */
    private static ClNdRange rowRange(long count) {
        return ClNdRange.covering(new long[] {count}, new long[] {1});
    }

    /** Segments per channel for {@code m} elements per channel, by the rule in the type's javadoc. */
    int segments(int c, long m) {
        if (forcedSegments > 0) {
            return (int) Math.max(1, Math.min(forcedSegments, m));
        }
        long units = (long) context.device().info().computeUnits() * TARGET_ITEMS_PER_UNIT;
        if (context.device().info().type() != DeviceType.CPU) {
            units *= 16;
        }
        if (c >= units || m < 2L * MIN_SEGMENT) {
            return 1;
        }
        long wanted = (units + c - 1) / c;
        return (int) Math.max(1, Math.min(wanted, m / MIN_SEGMENT));
    }

    private static ClLaunch partialArgs(ClLaunch l, int n, int c, int spatial, int segments, float divisor,
                                        ClBuffer x, long xOff, ClBuffer partial, long partialOff) {
        return l.arg(n).arg(c).arg(spatial).arg(segments).arg(divisor).arg(x).arg(xOff).arg(partial).arg(partialOff);
    }

    private void finalizeSums(int count, int segments, float divisor, ClBuffer partial, ClBuffer out, long outOff) {
        finalizeSums(count, segments, divisor, partial, 0, out, outOff);
    }

    private void finalizeSums(int count, int segments, float divisor, ClBuffer partial, long partialOff, ClBuffer out,
                              long outOff) {
        try (ClLaunch l = finalizeSums.get().begin()) {
            l.arg(count).arg(segments).arg(divisor).arg(partial).arg(partialOff).arg(out).arg(outOff).enqueue1d(count);
        }
    }

    /**
     * A buffer of at least {@code elements}. Reusing one buffer is safe on the in-order queue: a later call's
     * first kernel runs after the earlier call's last reader of it.
     */
    private ClBuffer secondWorkspace(long elements) {
        if (workspace2 == null || workspace2.isReleased() || workspace2.elements() < elements) {
            if (workspace2 != null && !workspace2.isReleased()) {
                context.release(workspace2);
            }
            workspace2 = context.allocate(Math.max(elements, 1024));
        }
        return workspace2;
    }

    private ClBuffer workspace(long elements) {
        if (workspace == null || workspace.isReleased() || workspace.elements() < elements) {
            if (workspace != null && !workspace.isReleased()) {
                context.release(workspace);
            }
            workspace = context.allocate(Math.max(elements, 1024));
        }
        return workspace;
    }
}
