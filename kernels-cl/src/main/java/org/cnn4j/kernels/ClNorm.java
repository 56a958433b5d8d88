package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClLaunch;
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
 */
public final class ClNorm {
    static final String FILE = "batchnorm.cl";
    /** Shortest segment worth a work-item of its own. */
    static final int MIN_SEGMENT = 2048;
    /** Work-items per compute unit a split aims for. */
    static final int TARGET_ITEMS_PER_UNIT = 64;

    private final ClContext context;
    private final KernelRef partialSum;
    private final KernelRef partialSqdev;
    private final KernelRef partialBackward;
    private final KernelRef finalizeSums;
    private final KernelRef forward;
    private final KernelRef backwardDx;
    /** Partials and per-channel sums; grows, is reused under {@code this} lock, and is freed with the context. */
    private ClBuffer workspace;
    /** Forced segment count (tests), or 0 for the rule above. */
    private final int forcedSegments;

    /** @param context the device to launch on */
    public ClNorm(ClContext context) {
        this(context, 0);
    }

    /** Forces the number of segments (tests run one and several on every device). */
    ClNorm(ClContext context, int forcedSegments) {
        this.context = context;
        this.forcedSegments = forcedSegments;
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
