package org.cnn4j.kernels;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.opencl.ClNdRange;
import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * Convolution for CPU devices with the row kernels of {@code conv.cl} ({@code conv_pad_planes},
 * {@code conv_pad_channels}, {@code conv_rows_forward}, {@code conv_rows_weight}, {@code conv_chan_weight},
 * {@code conv_flip_weight}, {@code conv_sum_chunks}): 2-D convolutions with stride 1 (any kernel extent, padding,
 * dilation and groups) whose padded copies fit one allocation ({@link #fits}).
 * <pre>
 *   forward          pad x into planes (top pH, left pW), then conv_rows_forward (bias fused)
 *   input gradient   pad dy by ((kH - 1) dH - pH, (kW - 1) dW - pW), flip and transpose w, then conv_rows_forward:
 *                    a stride-1 convolution's transpose is the convolution of the padded dy with the flipped weight
 *   weight gradient  where the channels per group are a multiple of VW (and at most 9 taps): x padded with the
 *                    channels innermost, then conv_chan_weight (channels in the vector lanes, a sliding window of
 *                    x vectors); otherwise x padded as for the forward pass, then conv_rows_weight; per chunk of
 *                    images, chunks added in order
 * </pre>
 * Each work-item holds {@code VW} consecutive columns of an output row in one vector register
 * ({@code VW = CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT}, capped to 4, 8 or 16) and a block of output channels
 * (and rows), and walks the taps unrolled (kernel extent and dilation are {@code -D} defines, one program per
 * extent): no barriers, no local memory, no bounds tests in the inner loops. The convolution kernels run in
 * work-groups of one work-item (each work-item is already a vectorised loop, which PoCL then runs as written); the
 * padding kernels, a work-item per plane or row, in groups of up to 16.
 *
 * <p>Measured on PoCL (2 cores, AVX-512, VW 16; harness timing of the kernels alone), reference CNN shapes:
 * conv2 forward (64,32,14,14)->64 2.2 ms (214 GFLOP/s) against 35 ms for {@code conv_forward_blocked};
 * conv1 forward (64,1,28,28)->32 0.7 ms against 14 ms; conv2 weight gradient 3 ms against 25 ms (conv_rows_weight;
 * conv_chan_weight then took half of conv_rows_weight's CPU time, padding included).
 *
 * <p>The padded copies and partial sums live in workspaces held by this launcher, grown on demand and reused
 * (the in-order queue orders every reuse after the previous reader). Results are deterministic: every output
 * is written by one work-item summing in a fixed order, and the chunk count depends only on the geometry and
 * the device's compute units.
 */
final class ClConvRows {
    /** Output channels per work-item of the forward kernel, tried in this order (the first dividing K / G). */
    static final int[] FORWARD_BLOCKS = {8, 4, 2, 1};
    /** Output channels per work-item of the weight kernel, tried in this order. */
    static final int[] WEIGHT_BLOCKS = {2, 1};
    /** Most vector accumulators the weight kernel may hold ({@code WKB * kH * kW}); more spill. */
    static final int MAX_WEIGHT_ACCUMULATORS = 25;
    /**
     * Output rows the weight kernel takes per step ({@code -D WRB}): 2 shares the x rows of neighbouring output rows
     * (PoCL, conv2 of the reference CNN: about 6% less CPU time than 1; 3 and 4 spill).
     */
    static final int WEIGHT_ROWS = 2;
    /** Most images a weight-gradient chunk adds before its partial is written. */
    static final int MAX_CHUNK_IMAGES = 16;
    /** Most taps of conv_chan_weight (its window and accumulators must stay in the registers). */
    static final int MAX_CHANNEL_TAPS = 9;
    /** Smallest workspace, in floats. */
    static final long MIN_WORKSPACE = 1 << 16;
    /** Work-items per compute unit the weight gradient aims for when choosing chunks. */
    static final int WEIGHT_ITEMS_PER_UNIT = 32;

    private final ClContext context;
    private final int vw;
    private final KernelRef pad;
    private final KernelRef sumChunks;
    private final KernelRef padChannels;
    private final Map<String, ClKernel> programs = new ConcurrentHashMap<>();
    private ClBuffer planes;
    private ClBuffer small;

    ClConvRows(ClContext context) {
        this(context, vectorWidth(context));
    }

    /** With vector width {@code vw}, 4, 8 or 16 (tests run every width on every device). */
    ClConvRows(ClContext context, int vw) {
        if (vw != 4 && vw != 8 && vw != 16) {
            throw new IllegalArgumentException("ClConvRows: vw must be 4, 8 or 16, but got " + vw);
        }
        this.context = context;
        this.vw = vw;
        this.pad = new KernelRef(context, ClConv.FILE, Map.of(), "conv_pad_planes");
        this.sumChunks = new KernelRef(context, ClConv.FILE, Map.of(), "conv_sum_chunks");
        this.padChannels = new KernelRef(context, ClConv.FILE, Map.of(), "conv_pad_channels");
    }

    /** The device's preferred float vector width as 4, 8 or 16. */
    static int vectorWidth(ClContext context) {
        int preferred = context.device().preferredFloatVectorWidth();
        return preferred >= 16 ? 16 : preferred >= 8 ? 8 : 4;
    }

    /** The vector width of the kernels ({@code -D VW}). */
    int vectorWidth() {
        return vw;
    }

    /** Whether the forward pass and the input gradient run here: 2-D, stride 1. */
    static boolean supports(ConvGeometry g) {
        return g.inDepth() == 1 && g.kernelD() == 1 && g.outDepth() == 1 && g.padFront() == 0
                && g.strideH() == 1 && g.strideW() == 1 && g.outHeight() > 0 && g.outWidth() > 0
                && g.inHeight() > 0 && g.inWidth() > 0;
    }

    /** Whether the weight gradient runs here: as {@link #supports}, and few enough taps for the accumulators. */
    static boolean supportsWeight(ConvGeometry g) {
        return supports(g) && g.kernelH() * g.kernelW() <= MAX_WEIGHT_ACCUMULATORS;
    }

    /**
     * Whether the padded copies of a pass fit in one buffer of {@code CL_DEVICE_MAX_MEM_ALLOC_SIZE} (else the blocked
     * kernels run, which need no workspace): the padded input (forward, weight gradient) or dy (input gradient).
     */
    boolean fits(ConvGeometry g, boolean inputGradient) {
        long floats;
        if (inputGradient) {
            int cb = block(FORWARD_BLOCKS, g.inChannels() / g.groups());
            floats = (long) g.batch() * g.outChannels()
                    * padded(g.inHeight(), g.inWidth(), g.kernelH(), g.dilationH(), g.kernelW(), g.dilationW(), rowsFor(cb)).plane();
        } else {
            int kb = block(FORWARD_BLOCKS, g.outChannels() / g.groups());
            int rows = Math.max(rowsFor(kb), WEIGHT_ROWS);
            floats = (long) g.batch() * g.inChannels()
                    * padded(g.outHeight(), g.outWidth(), g.kernelH(), g.dilationH(), g.kernelW(), g.dilationW(), rows).plane();
        }
        return workspaceSize(floats) * Float.BYTES <= context.device().maxAllocBytes();
    }

    /** {@code y = conv(x, w) + bias}; bias may be null; overwrites y. */
    synchronized void forward(ConvGeometry g, ClBuffer x, long xOff, ClBuffer w, long wOff, ClBuffer bias, long biasOff,
                              ClBuffer y, long yOff) {
        int kb = block(FORWARD_BLOCKS, g.outChannels() / g.groups());
        int rb = rowsFor(kb);
        Padded p = padded(g.outHeight(), g.outWidth(), g.kernelH(), g.dilationH(), g.kernelW(), g.dilationW(), rb);
        ClBuffer xp = planes((long) g.batch() * g.inChannels() * p.plane());
        padPlanes((long) g.batch() * g.inChannels(), g.inHeight(), g.inWidth(), g.padTop(), g.padLeft(), p, x, xOff, xp);
        rowsForward(g, g.inChannels(), g.outChannels(), g.outHeight(), g.outWidth(), kb, rb, p, xp, w, wOff, bias, biasOff,
                y, yOff);
    }

    /** {@code dx = dL/dx} from {@code dy}; overwrites dx. */
    synchronized void backwardInput(ConvGeometry g, ClBuffer dy, long dyOff, ClBuffer w, long wOff, ClBuffer dx, long dxOff) {
        int cb = block(FORWARD_BLOCKS, g.inChannels() / g.groups());
        int rb = rowsFor(cb);
        Padded p = padded(g.inHeight(), g.inWidth(), g.kernelH(), g.dilationH(), g.kernelW(), g.dilationW(), rb);
        ClBuffer dyp = planes((long) g.batch() * g.outChannels() * p.plane());
        int top = (g.kernelH() - 1) * g.dilationH() - g.padTop();
        int left = (g.kernelW() - 1) * g.dilationW() - g.padLeft();
        padPlanes((long) g.batch() * g.outChannels(), g.outHeight(), g.outWidth(), top, left, p, dy, dyOff, dyp);
        ClBuffer wt = small(g.weightSize());
        ClKernel flip = forwardKernel(g, cb, rb, "conv_flip_weight");
        try (ClLaunch l = flip.begin()) {
            l.arg(g.inChannels()).arg(g.groups()).arg(g.outChannels()).arg(w).arg(wOff).arg(wt)
                    .enqueue(ClConv.range(context, flip, g.weightSize(), 1, 1));
        }
        // the transpose: dy's K channels are the inputs, dx's C channels the outputs, same groups
        rowsForward(g, g.outChannels(), g.inChannels(), g.inHeight(), g.inWidth(), cb, rb, p, dyp, wt, 0, null, 0, dx, dxOff);
    }

    /** {@code dw = sum_{n, o} dy[n, k, o] x[n, c, tap(o)]}; overwrites dw. */
    synchronized void backwardWeight(ConvGeometry g, ClBuffer x, long xOff, ClBuffer dy, long dyOff, ClBuffer dw, long dwOff) {
        if (g.batch() == 0) {
            context.fill(dw, dwOff, g.weightSize(), 0f);
            return;
        }
        int cg = g.inChannels() / g.groups();
        boolean channels = channelsInLanes(g, vw);
        int kb = channels ? channelBlock(g) : weightBlock(g);
        int items = channels ? cg / vw : cg;
        int chunks = chunks(g, (long) items * (g.outChannels() / kb));
        int perChunk = (g.batch() + chunks - 1) / chunks;
        chunks = (g.batch() + perChunk - 1) / perChunk;
        ClBuffer out = chunks == 1 ? dw : small((long) chunks * g.weightSize());
        long outOff = chunks == 1 ? dwOff : 0;
        if (channels) {
            // x with the channels innermost, padded; conv_chan_weight (channels in the vector lanes)
            int rows = g.outHeight() + (g.kernelH() - 1) * g.dilationH();
            int cols = g.outWidth() + (g.kernelW() - 1) * g.dilationW();
            ClBuffer xt = planes((long) g.batch() * g.inChannels() * rows * cols);
            ClKernel pad = padChannels.get();
            try (ClLaunch l = pad.begin()) {
                l.arg(g.inChannels()).arg(g.inHeight()).arg(g.inWidth()).arg(g.padTop()).arg(g.padLeft()).arg(rows).arg(cols)
                        .arg((long) g.batch() * rows).arg(x).arg(xOff).arg(xt).enqueue(oneDimensional(pad, (long) g.batch() * rows));
            }
            ClKernel kernel = kernel("conv_chan_weight", g, Map.of("WKB", Integer.toString(kb)));
            try (ClLaunch l = kernel.begin()) {
                l.arg(g.batch()).arg(g.inChannels()).arg(g.groups()).arg(g.outChannels()).arg(g.outHeight()).arg(g.outWidth())
                        .arg(rows).arg(cols).arg(perChunk).arg(xt).arg(dy).arg(dyOff).arg(out).arg(outOff)
                        .enqueue(new long[] {items, g.outChannels() / kb, chunks}, new long[] {1, 1, 1});
            }
        } else {
            Padded p = padded(g.outHeight(), g.outWidth(), g.kernelH(), g.dilationH(), g.kernelW(), g.dilationW(), WEIGHT_ROWS);
            ClBuffer xp = planes((long) g.batch() * g.inChannels() * p.plane());
            padPlanes((long) g.batch() * g.inChannels(), g.inHeight(), g.inWidth(), g.padTop(), g.padLeft(), p, x, xOff, xp);
            ClKernel kernel = weightKernel(g, kb);
            try (ClLaunch l = kernel.begin()) {
                l.arg(g.batch()).arg(g.inChannels()).arg(g.groups()).arg(g.outChannels()).arg(g.outHeight()).arg(g.outWidth())
                        .arg(p.rows()).arg(p.cols()).arg(perChunk).arg(xp).arg(dy).arg(dyOff).arg(g.outputSize())
                        .arg(out).arg(outOff)
                        .enqueue(new long[] {cg, g.outChannels() / kb, chunks}, new long[] {1, 1, 1});
            }
        }
        if (chunks > 1) {
            ClKernel sum = sumChunks.get();
            try (ClLaunch l = sum.begin()) {
                l.arg(chunks).arg((int) g.weightSize()).arg(out).arg(dw).arg(dwOff)
                        .enqueue(ClConv.range(context, sum, g.weightSize(), 1, 1));
            }
        }
    }

    /** Releases the workspaces. */
    synchronized void close() {
        if (planes != null && !planes.isReleased()) {
            context.release(planes);
        }
        if (small != null && !small.isReleased()) {
            context.release(small);
        }
        planes = null;
        small = null;
    }

    /** The output channels per work-item of the weight kernel for {@code g}. */
    static int weightBlock(ConvGeometry g) {
        int taps = g.kernelH() * g.kernelW();
        int kg = g.outChannels() / g.groups();
        for (int b : WEIGHT_BLOCKS) {
            if (kg % b == 0 && b * taps <= MAX_WEIGHT_ACCUMULATORS) {
                return b;
            }
        }
        return 1;
    }

    /**
     * Whether the weight gradient puts channels in the vector lanes ({@code conv_chan_weight}): a whole number of
     * vectors per group and a KH x KW window plus its accumulators within the registers
     * ({@value #MAX_CHANNEL_TAPS} taps or fewer).
     */
    static boolean channelsInLanes(ConvGeometry g, int vw) {
        return (g.inChannels() / g.groups()) % vw == 0 && g.kernelH() * g.kernelW() <= MAX_CHANNEL_TAPS;
    }

    /**
     * Output channels per work-item of conv_chan_weight: 2 where 2 divides the group's (2 x 9 accumulators, a 9-vector
     * window and 2 dy values fit AVX-512's 32 registers), else 1.
     */
    static int channelBlock(ConvGeometry g) {
        return (g.outChannels() / g.groups()) % 2 == 0 ? 2 : 1;
    }

    /**
     * Image chunks of the weight gradient: at most {@value #MAX_CHUNK_IMAGES} images each, and enough chunks for
     * about {@value #WEIGHT_ITEMS_PER_UNIT} work-items per compute unit ({@code items} work-items per chunk).
     */
    int chunks(ConvGeometry g, long items) {
        long wanted = ((long) context.device().info().computeUnits() * WEIGHT_ITEMS_PER_UNIT + items - 1) / items;
        long byImages = (g.batch() + MAX_CHUNK_IMAGES - 1) / MAX_CHUNK_IMAGES;
        return (int) Math.max(1, Math.min(g.batch(), Math.max(wanted, byImages)));
    }

    /** The largest block of {@code blocks} that divides {@code channels}. */
    static int block(int[] blocks, int channels) {
        for (int b : blocks) {
            if (channels % b == 0) {
                return b;
            }
        }
        return 1;
    }

    /** Output rows per forward work-item: 2 with 8 channels, else 4 (about 16 vector accumulators). */
    static int rowsFor(int kb) {
        return kb >= 8 ? 2 : 4;
    }

    /**
     * The padded plane of an {@code oh x ow} output with {@code rb} rows per work-item: room for the last vector of
     * a row ({@code ceil(ow / VW) VW} columns plus the kernel's reach) and the last row block.
     */
    Padded padded(int oh, int ow, int kh, int dh, int kw, int dw, int rb) {
        int segs = (ow + vw - 1) / vw;
        int rowBlocks = (oh + rb - 1) / rb;
        long rows = (long) rowBlocks * rb + (long) (kh - 1) * dh;
        long cols = (long) segs * vw + (long) (kw - 1) * dw;
        if (rows * cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ClConvRows: a padded plane must have fewer than 2^31 elements, but got "
                    + rows + " x " + cols);
        }
        return new Padded((int) rows, (int) cols, segs, rowBlocks);
    }

    /** A padded plane: {@code rows x cols} floats; {@code segs} vectors per output row, {@code rowBlocks} row blocks. */
    record Padded(int rows, int cols, int segs, int rowBlocks) {
        long plane() {
            return (long) rows * cols;
        }
    }

    private void padPlanes(long count, int sh, int sw, int top, int left, Padded p, ClBuffer src, long srcOff, ClBuffer dst) {
        ClKernel kernel = pad.get();
        try (ClLaunch l = kernel.begin()) {
            l.arg(sh).arg(sw).arg(top).arg(left).arg(p.rows()).arg(p.cols()).arg(count).arg(src).arg(srcOff).arg(dst)
                    .enqueue(oneDimensional(kernel, count));
        }
    }

    /** A 1-D launch over {@code items} work-items in groups of up to 16 (each work-item walks a plane or a row). */
    private ClNdRange oneDimensional(ClKernel kernel, long items) {
        long limit = Math.min(kernel.maxWorkGroupSize(), context.device().maxWorkItemSizes()[0]);
        long local = Math.max(1, Math.min(Math.min(16, limit), ClNdRange.nextPowerOfTwo(items)));
        return ClNdRange.covering(new long[] {items}, new long[] {Long.highestOneBit(local)});
    }

    @SuppressWarnings("java:S107")
    private void rowsForward(ConvGeometry g, int c, int k, int oh, int ow, int kb, int rb, Padded p, ClBuffer xp, ClBuffer w,
                             long wOff, ClBuffer bias, long biasOff, ClBuffer y, long yOff) {
        ClKernel kernel = forwardKernel(g, kb, rb, "conv_rows_forward");
        try (ClLaunch l = kernel.begin()) {
            l.arg(c).arg(g.groups()).arg(k).arg(oh).arg(ow).arg(p.rows()).arg(p.cols()).arg(p.segs()).arg(p.rowBlocks())
                    .arg(xp).arg(w).arg(wOff).arg(bias != null ? 1 : 0).arg(bias != null ? bias : w).arg(bias != null ? biasOff : 0)
                    .arg(y).arg(yOff)
                    .enqueue(new long[] {(long) p.segs() * p.rowBlocks(), k / kb, g.batch()}, new long[] {1, 1, 1});
        }
    }

    /** {@code name} (conv_rows_forward or conv_flip_weight) compiled for this extent, dilation and blocks. */
    private ClKernel forwardKernel(ConvGeometry g, int kb, int rb, String name) {
        return kernel(name, g, Map.of("RKB", Integer.toString(kb), "RRB", Integer.toString(rb)));
    }

    /** conv_rows_weight compiled for this extent, dilation and block. */
    private ClKernel weightKernel(ConvGeometry g, int kb) {
        return kernel("conv_rows_weight", g, Map.of("WKB", Integer.toString(kb), "WRB", Integer.toString(WEIGHT_ROWS)));
    }

    private ClKernel kernel(String name, ConvGeometry g, Map<String, String> blocks) {
        Map<String, String> defines = new java.util.TreeMap<>(blocks);
        defines.putAll(Map.of("VW", Integer.toString(vw), "KH", Integer.toString(g.kernelH()),
                "KW", Integer.toString(g.kernelW()), "DH", Integer.toString(g.dilationH()), "DW", Integer.toString(g.dilationW())));
        return programs.computeIfAbsent(name + defines, key -> context.program(ClConv.FILE, KernelSource.load(ClConv.FILE), defines)
                .kernel(name));
    }

    /** Workspace sizes: at least {@value #MIN_WORKSPACE} floats, grown to the next power of two (few reallocations). */
    static long workspaceSize(long floats) {
        return Math.max(MIN_WORKSPACE, ClNdRange.nextPowerOfTwo(floats));
    }

    /**
     * Releases an outgrown workspace after its successor is allocated, so the two never share an address: Oclgrind's
     * uninitialised-value checker otherwise reports the successor's first reads (the in-order queue already orders
     * the release after the old buffer's last use).
     */
    private void releaseLater(ClBuffer old) {
        if (old != null && !old.isReleased()) {
            context.release(old);
        }
    }

    private ClBuffer planes(long floats) {
        if (planes == null || planes.isReleased() || planes.elements() < floats) {
            ClBuffer old = planes;
            planes = context.allocate(workspaceSize(floats));
            releaseLater(old);
        }
        return planes;
    }

    private ClBuffer small(long floats) {
        if (small == null || small.isReleased() || small.elements() < floats) {
            ClBuffer old = small;
            small = context.allocate(workspaceSize(floats));
            releaseLater(old);
        }
        return small;
    }
}
