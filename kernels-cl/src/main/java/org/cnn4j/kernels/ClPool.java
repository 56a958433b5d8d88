package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.opencl.ClNdRange;
import org.cnn4j.runtime.spi.DeviceType;
import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * Launches {@code pool.cl}: max, average and adaptive average pooling and their gradients. Backward passes
 * are gathers (one work-item per input element sums the windows that chose or cover it): deterministic,
 * no atomics, and they overwrite {@code dx}. Launches are 2-D, the position within a plane on dimension 0
 * and the plane on dimension 1. {@code countIncludePad} selects a program ({@code -D COUNT_PAD}).
 *
 * <p>Max pooling whose windows tile a 2-D plane ({@link #tiles}: kernel = stride, no padding, no window past the
 * input; the usual 2x2 stride 2) runs {@code maxpool_tiles_forward} / {@code maxpool_tiles_backward} on CPU
 * devices: one work-item per output row, window extent unrolled ({@code -D PKH, PKW}), no divisions per
 * element, and the backward pass writes each dx element once. Measured on PoCL (2 cores; kernels alone), 2x2
 * stride 2 on [64, 32, 28, 28]: forward 3.5 ms (general) against 0.5 ms (tiles, 8 windows per float16 load; a
 * branchy scalar version took 3.4 ms, branch-free scalar 2.1 ms), backward 12 ms against 0.6 ms (a float16
 * interleaving version of the backward pass measured slower, 0.9 ms, and was dropped). GPUs keep the general
 * kernels (one work-item per element, coalesced).
 */
public final class ClPool {
    static final String FILE = "pool.cl";

    private final KernelRef maxForward;
    private final KernelRef maxBackward;
    private final KernelRef[] avgForward;
    private final KernelRef[] avgBackward;
    private final KernelRef adaptiveForward;
    private final KernelRef adaptiveBackward;
    private final ClContext context;
    private final boolean useTiles;
    private final Map<String, KernelRef> tileKernels = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param context the device to launch on */
    public ClPool(ClContext context) {
        this(context, context.device().info().type() == DeviceType.CPU);
    }

    /** @param useTiles whether tiling max-pool windows run the tiles kernels (tests force both ways) */
    ClPool(ClContext context, boolean useTiles) {
        this.context = context;
        this.useTiles = useTiles;
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
        if (useTiles && tiles(g)) {
            ClKernel k = tileKernel(g, "maxpool_tiles_forward");
            try (ClLaunch l = k.begin()) {
                tileArgs(l, g).arg(x).arg(xOff).arg(y).arg(yOff).arg(argmax).arg(argmaxOff).enqueue(tileRange(k, g));
            }
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
        if (useTiles && tiles(g)) {
            ClKernel k = tileKernel(g, "maxpool_tiles_backward");
            try (ClLaunch l = k.begin()) {
                tileArgs(l, g).arg(dy).arg(dyOff).arg(argmax).arg(argmaxOff).arg(dx).arg(dxOff).enqueue(tileRange(k, g));
            }
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

    /** Whether the windows tile a 2-D plane: kernel = stride, no padding, every window inside the input. */
    static boolean tiles(PoolGeometry g) {
        return g.inDepth() == 1 && g.kernelD() == 1 && g.outDepth() == 1 && g.padD() == 0 && g.padH() == 0 && g.padW() == 0
                && g.kernelH() == g.strideH() && g.kernelW() == g.strideW() && g.kernelH() >= 1 && g.kernelW() >= 1
                && (long) g.outHeight() * g.strideH() <= g.inHeight() && (long) g.outWidth() * g.strideW() <= g.inWidth()
                && (long) g.planes() * g.outHeight() <= Integer.MAX_VALUE && g.outHeight() > 0;
    }

    private ClKernel tileKernel(PoolGeometry g, String name) {
        String key = name + "/" + g.kernelH() + "x" + g.kernelW();
        return tileKernels.computeIfAbsent(key, k -> new KernelRef(context, FILE,
                Map.of("PKH", Integer.toString(g.kernelH()), "PKW", Integer.toString(g.kernelW())), name)).get();
    }

    private static ClLaunch tileArgs(ClLaunch l, PoolGeometry g) {
        return l.arg(g.planes() * g.outHeight()).arg(g.inHeight()).arg(g.inWidth()).arg(g.outHeight()).arg(g.outWidth());
    }

    /** One work-item per output row, in groups of up to 16. */
    private ClNdRange tileRange(ClKernel k, PoolGeometry g) {
        long rows = (long) g.planes() * g.outHeight();
        long limit = Math.min(k.maxWorkGroupSize(), context.device().maxWorkItemSizes()[0]);
        long local = Long.highestOneBit(Math.max(1, Math.min(Math.min(16, limit), ClNdRange.nextPowerOfTwo(rows))));
        return ClNdRange.covering(new long[] {rows}, new long[] {local});
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
