package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * Launches {@code pool.cl}: max, average and adaptive average pooling and their gradients. Backward passes
 * are gathers (one work-item per input element sums the windows that chose or cover it): deterministic,
 * no atomics, and they overwrite {@code dx}. Launches are 2-D, the position within a plane on dimension 0
 * and the plane on dimension 1. {@code countIncludePad} selects a program ({@code -D COUNT_PAD}).
 */
public final class ClPool {
    static final String FILE = "pool.cl";

    private final KernelRef maxForward;
    private final KernelRef maxBackward;
    private final KernelRef[] avgForward;
    private final KernelRef[] avgBackward;
    private final KernelRef adaptiveForward;
    private final KernelRef adaptiveBackward;

    /** @param context the device to launch on */
    public ClPool(ClContext context) {
        Map<String, String> pad = Map.of("COUNT_PAD", "1");
        Map<String, String> noPad = Map.of("COUNT_PAD", "0");
        this.maxForward = new KernelRef(context, FILE, pad, "maxpool_forward");
        this.maxBackward = new KernelRef(context, FILE, pad, "maxpool_backward");
        this.avgForward = new KernelRef[] {new KernelRef(context, FILE, noPad, "avgpool_forward"),
            new KernelRef(context, FILE, pad, "avgpool_forward")};
        this.avgBackward = new KernelRef[] {new KernelRef(context, FILE, noPad, "avgpool_backward"),
            new KernelRef(context, FILE, pad, "avgpool_backward")};
        this.adaptiveForward = new KernelRef(context, FILE, pad, "adaptive_forward");
        this.adaptiveBackward = new KernelRef(context, FILE, pad, "adaptive_backward");
    }

    /** Max pooling with the first-maximum plane index (as a float) in {@code argmax}. */
    public void maxForward(PoolGeometry g, ClBuffer x, long xOff, ClBuffer y, long yOff, ClBuffer argmax, long argmaxOff) {
        if (g.outputSize() == 0) {
            return;
        }
        try (ClLaunch l = maxForward.get().begin()) {
            geometry(l, g).arg(x).arg(xOff).arg(y).arg(yOff).arg(argmax).arg(argmaxOff).enqueue2d(outputs(g), g.planes());
        }
    }

    /** {@code dx[p, i] = sum of dy[p, o] over windows o whose argmax is i}. */
    public void maxBackward(PoolGeometry g, ClBuffer dy, long dyOff, ClBuffer argmax, long argmaxOff, ClBuffer dx, long dxOff) {
        if (g.inputSize() == 0) {
            return;
        }
        try (ClLaunch l = maxBackward.get().begin()) {
            geometry(l, g).arg(dy).arg(dyOff).arg(argmax).arg(argmaxOff).arg(dx).arg(dxOff).enqueue2d(inputs(g), g.planes());
        }
    }

    /** Average pooling, divisor by {@code countIncludePad} as PyTorch. */
    public void avgForward(PoolGeometry g, boolean countIncludePad, ClBuffer x, long xOff, ClBuffer y, long yOff) {
        if (g.outputSize() == 0) {
            return;
        }
        try (ClLaunch l = avgForward[countIncludePad ? 1 : 0].get().begin()) {
            geometry(l, g).arg(x).arg(xOff).arg(y).arg(yOff).enqueue2d(outputs(g), g.planes());
        }
    }

    /** Gradient of {@link #avgForward}. */
    public void avgBackward(PoolGeometry g, boolean countIncludePad, ClBuffer dy, long dyOff, ClBuffer dx, long dxOff) {
        if (g.inputSize() == 0) {
            return;
        }
        try (ClLaunch l = avgBackward[countIncludePad ? 1 : 0].get().begin()) {
            geometry(l, g).arg(dy).arg(dyOff).arg(dx).arg(dxOff).enqueue2d(inputs(g), g.planes());
        }
    }

    /** Adaptive average pooling as PyTorch. */
    public void adaptiveForward(PoolGeometry g, ClBuffer x, long xOff, ClBuffer y, long yOff) {
        if (g.outputSize() == 0) {
            return;
        }
        try (ClLaunch l = adaptiveForward.get().begin()) {
            sizes(l, g).arg(x).arg(xOff).arg(y).arg(yOff).enqueue2d(outputs(g), g.planes());
        }
    }

    /** Gradient of {@link #adaptiveForward}. */
    public void adaptiveBackward(PoolGeometry g, ClBuffer dy, long dyOff, ClBuffer dx, long dxOff) {
        if (g.inputSize() == 0) {
            return;
        }
        try (ClLaunch l = adaptiveBackward.get().begin()) {
            sizes(l, g).arg(dy).arg(dyOff).arg(dx).arg(dxOff).enqueue2d(inputs(g), g.planes());
        }
    }

    private static long outputs(PoolGeometry g) {
        return (long) g.outDepth() * g.outHeight() * g.outWidth();
    }

    private static long inputs(PoolGeometry g) {
        return (long) g.inDepth() * g.inHeight() * g.inWidth();
    }

    private static ClLaunch geometry(ClLaunch l, PoolGeometry g) {
        return l.arg(g.planes()).arg(g.inDepth()).arg(g.inHeight()).arg(g.inWidth())
                .arg(g.kernelD()).arg(g.kernelH()).arg(g.kernelW())
                .arg(g.strideD()).arg(g.strideH()).arg(g.strideW())
                .arg(g.padD()).arg(g.padH()).arg(g.padW())
                .arg(g.outDepth()).arg(g.outHeight()).arg(g.outWidth());
    }

    private static ClLaunch sizes(ClLaunch l, PoolGeometry g) {
        return l.arg(g.planes()).arg(g.inDepth()).arg(g.inHeight()).arg(g.inWidth())
                .arg(g.outDepth()).arg(g.outHeight()).arg(g.outWidth());
    }
}
