package org.cnn4j.kernels;

import java.util.HashMap;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.opencl.ClNdRange;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.DeviceType;

/**
 * Launches {@code conv.cl}: convolution over three spatial dimensions (2-D has depth 1) with stride,
 * padding, dilation and groups, its input gradient (a gather over the outputs that read each input
 * element) and its weight gradient (a reduction per weight element over batch and output positions).
 * No atomics, no barriers, no workspace; every output is overwritten.
 *
 * <p>Variants ({@link Variant}): the direct and register-blocked kernels ({@code conv_forward_blocked},
 * {@code conv_bwd_input_blocked}, {@code conv_bwd_weight_blocked}: a block of {@link #BLOCKS} channels per work-item
 * wherever one divides the channels per group, else direct); column matrices and GEMM ({@link ClConvGemm}); and the
 * row kernels of CPU devices ({@link ClConvRows}: 2-D stride-1 convolutions from zero-padded planes, a vector of
 * output columns per register, taps unrolled). Without tuning, CPU devices run ROWS (geometries the row kernels do
 * not take fall back to GEMM: on PoCL the stride-2 convolution (32,64,32,32) -> 128, 3x3, ran at 12 GFLOP/s on the
 * blocked kernels and at 39 on GEMM, which the tuner chose for all three passes) and GPUs run GEMM
 * ({@link #defaultVariant}); with tuning the fastest of {@link #TUNED} per pass and geometry.
 *
 * <p>Measured on PoCL (2 cores, AVX-512; ms per pass, forward / input gradient / weight gradient):
 * <pre>
 *   (N,C,H,W,K) = (64,1,28,28,32)    direct  61.7 / 25.3 / 23.1     blocked 14.3 / 15.9 /  4.4   rows 0.7 / - / 0.4
 *   (N,C,H,W,K) = (64,32,14,14,64)   direct 174.8 / 147.7 / 142.0   blocked 35.2 / 25.1 / 25.4   rows 2.2 / 2.6 / 3.0
 *   (N,C,H,W,K) = (32,64,32,32,64)   direct 912 / 1872 / 809        blocked 221 / 216 / 203
 * </pre>
 * (direct and blocked: {@code ConvBenchmark}, best of 2; rows: kernel harness on a quiet machine, padding included.)
 * A variant of the blocked kernels whose tap loops run the same trip count in every work-item (zero-filled taps,
 * meant to let PoCL vectorise across work-items) measured no faster and was dropped. Not measured on a GPU (none
 * here).
 */
public final class ClConv {
    static final String FILE = "conv.cl";
    /** Block sizes (output channels, or input channels for the input gradient) tried in this order. */
    static final int[] BLOCKS = {8, 4, 2};
    /** Preferred work-group along the spatial dimension, clamped to the limits. */
    private static final long GROUP = 64;
    /** The variants tuning chooses among, on every device type (the direct kernels never won a measurement). */
    static final List<Variant> TUNED = List.of(Variant.BLOCKED, Variant.GEMM, Variant.ROWS);

    /** Which kernels a call uses. */
    enum Variant {
        /** One output element per work-item. */
        DIRECT,
        /** Register blocks of channels where one divides, else direct. */
        BLOCKED,
        /** Column matrices and {@link ClGemm} ({@link ClConvGemm}). */
        GEMM,
        /**
         * Padded planes and vector-register row kernels ({@link ClConvRows}) where the geometry allows (2-D, stride
         * 1, padded copies within one allocation; the weight gradient also at most
         * {@value ClConvRows#MAX_WEIGHT_ACCUMULATORS} taps), else blocked.
         */
        ROWS
    }

    private final ClContext context;
    private final Variant variant;
    private final KernelRef forwardDirect;
    private final KernelRef inputDirect;
    private final KernelRef weightDirect;
    private final Map<String, KernelRef> blocked = new HashMap<>();
    private final ClConvGemm viaGemm;
    private final ClConvRows viaRows;
    private final Tuner<Variant> tuner;

    /** @param context the device to launch on */
    public ClConv(ClContext context) {
        this(context, new ClGemm(context));
    }

    /**
     * @param context the device to launch on; {@code gemm} runs the matrix products of the GEMM variant. With
     *     tuning on ({@link Tuner#enabled()}) each pass and geometry runs the faster of {@link #TUNED}.
     */
    public ClConv(ClContext context, ClGemm gemm) {
        this(context, defaultVariant(context), gemm, Tuner.enabled()
                ? new TuningStore(Tuner.storeFile(context, "conv-tuning", KernelSource.load(FILE))) : null);
    }

    /** Forces a variant (tests run every one on every device). */
    ClConv(ClContext context, Variant variant) {
        this(context, variant, new ClGemm(context));
    }

    /** Forces a variant; {@code gemm} runs the matrix products of {@link Variant#GEMM}. */
    ClConv(ClContext context, Variant variant, ClGemm gemm) {
        this(context, variant, gemm, null);
    }

    /** The default variant {@code variant}, or, when {@code tuning} is not null, per-pass tuning stored there. */
    ClConv(ClContext context, Variant variant, ClGemm gemm, TuningStore tuning) {
        this(context, variant, gemm, tuning, ClConvRows.vectorWidth(context));
    }

    /** Forces a variant and the row kernels' vector width (tests run every width on every device). */
    ClConv(ClContext context, Variant variant, int rowsVectorWidth) {
        this(context, variant, new ClGemm(context), null, rowsVectorWidth);
    }

    private ClConv(ClContext context, Variant variant, ClGemm gemm, TuningStore tuning, int rowsVectorWidth) {
        this.context = context;
        this.variant = variant;
        this.viaGemm = new ClConvGemm(context, gemm);
        this.viaRows = new ClConvRows(context, rowsVectorWidth);
        this.tuner = tuning == null ? null : new Tuner<>("conv", TUNED, Variant::name, tuning);
        this.forwardDirect = new KernelRef(context, FILE, Map.of(), "conv_forward_direct");
        this.inputDirect = new KernelRef(context, FILE, Map.of(), "conv_bwd_input_direct");
        this.weightDirect = new KernelRef(context, FILE, Map.of(), "conv_bwd_weight_direct");
    }

    /** {@code y = conv(x, w) + bias}; bias may be null. */
    public void forward(ConvGeometry g, ClBuffer x, long xOff, ClBuffer w, long wOff, ClBuffer bias, long biasOff,
                        ClBuffer y, long yOff) {
        if (g.outputSize() == 0) {
            return;
        }
        Variant v = variantFor("forward", g, g.outputSize(),
                (cand, out) -> forwardWith(cand, g, x, xOff, w, wOff, bias, biasOff, out, 0));
        forwardWith(v, g, x, xOff, w, wOff, bias, biasOff, y, yOff);
    }

    /** {@code dx = dL/dx} from {@code dy}; overwrites dx. */
    public void backwardInput(ConvGeometry g, ClBuffer dy, long dyOff, ClBuffer w, long wOff, ClBuffer dx, long dxOff) {
        if (g.inputSize() == 0) {
            return;
        }
        Variant v = variantFor("input", g, g.inputSize(), (cand, out) -> backwardInputWith(cand, g, dy, dyOff, w, wOff, out, 0));
        backwardInputWith(v, g, dy, dyOff, w, wOff, dx, dxOff);
    }

    /** {@code dw = sum_{n, o} dy[n, k, o] x[n, c, tap(o)]}; overwrites dw. */
    public void backwardWeight(ConvGeometry g, ClBuffer x, long xOff, ClBuffer dy, long dyOff, ClBuffer dw, long dwOff) {
        if (g.weightSize() == 0) {
            return;
        }
        Variant v = variantFor("weight", g, g.weightSize(), (cand, out) -> backwardWeightWith(cand, g, x, xOff, dy, dyOff, out, 0));
        backwardWeightWith(v, g, x, xOff, dy, dyOff, dw, dwOff);
    }

    /**
     * The variant of one pass: the fixed one without tuning; with tuning, the fastest of {@link #TUNED} for this
     * pass and geometry, timed once by running {@code run(variant, scratch output of outputFloats)}.
     */
    private Variant variantFor(String pass, ConvGeometry g, long outputFloats, BiConsumer<Variant, ClBuffer> run) {
        Tuner<Variant> t = tuner;
        if (t == null) {
            return variant;
        }
        return t.choose(pass + "_" + key(g), cand -> {
            ClBuffer scratch = context.allocate(outputFloats);
            try {
                return Tuner.secondsPerRun(context, () -> run.accept(cand, scratch));
            } finally {
                context.release(scratch);
            }
        });
    }

    /** The tuning key of a geometry: its 22 numbers joined by {@code _}. */
    static String key(ConvGeometry g) {
        int[] v = {g.batch(), g.inChannels(), g.inDepth(), g.inHeight(), g.inWidth(), g.outChannels(), g.kernelD(),
            g.kernelH(), g.kernelW(), g.strideD(), g.strideH(), g.strideW(), g.padFront(), g.padTop(), g.padLeft(),
            g.dilationD(), g.dilationH(), g.dilationW(), g.groups(), g.outDepth(), g.outHeight(), g.outWidth()};
        StringBuilder b = new StringBuilder();
        for (int i : v) {
            b.append(b.length() == 0 ? "" : "_").append(i);
        }
        return b.toString();
    }

    /**
     * The variant without tuning: {@link Variant#ROWS} on CPU devices (register rows of {@code floatN}, no barriers
     * or local memory, which a CPU runtime emulates; measured above); {@link Variant#GEMM} on GPUs and accelerators,
     * whose column matrices feed {@code gemm_tiled2} (local-memory tiles, register blocks: the data reuse the direct
     * kernels lack, which read every input value from global memory once per tap and output channel block). The
     * GPU choice is by design, not measured here (no GPU); {@code -Dcnn4j.opencl.tune=true} times
     * {@link #TUNED} per pass and geometry and keeps the fastest.
     */
    static Variant defaultVariant(ClContext context) {
        return context.device().info().type() == DeviceType.CPU ? Variant.ROWS : Variant.GEMM;
    }

    /** The variant that runs without tuning. */
    Variant variant() {
        return variant;
    }

    private void forwardWith(Variant v, ConvGeometry g, ClBuffer x, long xOff, ClBuffer w, long wOff, ClBuffer bias,
                             long biasOff, ClBuffer y, long yOff) {
        if (v == Variant.ROWS && ClConvRows.supports(g) && viaRows.fits(g, false)) {
            viaRows.forward(g, x, xOff, w, wOff, bias, biasOff, y, yOff);
            return;
        }
        if (v == Variant.ROWS) {
            v = Variant.GEMM; // a geometry the row kernels do not take
        }
        if (v == Variant.GEMM) {
            viaGemm.forward(g, x, xOff, w, wOff, bias, biasOff, y, yOff);
            return;
        }
        long positions = (long) g.outDepth() * g.outHeight() * g.outWidth();
        int kb = block(v, g.outChannels() / g.groups());
        ClKernel kernel = kb == 1 ? forwardDirect.get() : blockedKernel("KB", kb, "conv_forward_blocked");
        try (ClLaunch l = kernel.begin()) {
            geometry(l, g).arg(x).arg(xOff).arg(w).arg(wOff).arg(bias != null ? 1 : 0).arg(bias != null ? bias : w)
                    .arg(bias != null ? biasOff : 0).arg(y).arg(yOff)
                    .enqueue(range(kernel, positions, g.outChannels() / kb, g.batch()));
        }
    }

    private void backwardInputWith(Variant v, ConvGeometry g, ClBuffer dy, long dyOff, ClBuffer w, long wOff, ClBuffer dx,
                                   long dxOff) {
        if (v == Variant.ROWS && ClConvRows.supports(g) && viaRows.fits(g, true)) {
            viaRows.backwardInput(g, dy, dyOff, w, wOff, dx, dxOff);
            return;
        }
        if (v == Variant.ROWS) {
            v = Variant.GEMM; // a geometry the row kernels do not take
        }
        if (v == Variant.GEMM) {
            viaGemm.backwardInput(g, dy, dyOff, w, wOff, dx, dxOff);
            return;
        }
        long positions = (long) g.inDepth() * g.inHeight() * g.inWidth();
        int cb = block(v, g.inChannels() / g.groups());
        ClKernel kernel = cb == 1 ? inputDirect.get() : blockedKernel("CB", cb, "conv_bwd_input_blocked");
        try (ClLaunch l = kernel.begin()) {
            geometry(l, g).arg(dy).arg(dyOff).arg(w).arg(wOff).arg(dx).arg(dxOff)
                    .enqueue(range(kernel, positions, g.inChannels() / cb, g.batch()));
        }
    }

    private void backwardWeightWith(Variant v, ConvGeometry g, ClBuffer x, long xOff, ClBuffer dy, long dyOff, ClBuffer dw,
                                    long dwOff) {
        if (v == Variant.ROWS && ClConvRows.supportsWeight(g) && viaRows.fits(g, false)) {
            viaRows.backwardWeight(g, x, xOff, dy, dyOff, dw, dwOff);
            return;
        }
        if (v == Variant.ROWS) {
            v = Variant.GEMM; // a geometry the row kernels do not take
        }
        if (v == Variant.GEMM) {
            viaGemm.backwardWeight(g, x, xOff, dy, dyOff, dw, dwOff);
            return;
        }
        long perK = (long) (g.inChannels() / g.groups()) * g.kernelD() * g.kernelH() * g.kernelW();
        int kb = block(v, g.outChannels() / g.groups());
        ClKernel kernel = kb == 1 ? weightDirect.get() : blockedKernel("KB", kb, "conv_bwd_weight_blocked");
        try (ClLaunch l = kernel.begin()) {
            geometry(l, g).arg(x).arg(xOff).arg(dy).arg(dyOff).arg(dw).arg(dwOff)
                    .enqueue(range(kernel, perK, g.outChannels() / kb, 1));
        }
    }

    /** The tuner, or null when tuning is off. */
    Tuner<Variant> tuner() {
        return tuner;
    }

    /** Releases the GEMM variant's workspace. */
    public void close() {
        viaGemm.close();
        viaRows.close();
    }

    /** The channel block for {@code channels} per group: the largest of {@link #BLOCKS} dividing it, else 1 (direct). */
    int block(int channels) {
        return block(variant, channels);
    }

    private static int block(Variant variant, int channels) {
        if (variant == Variant.DIRECT) {
            return 1;
        }
        for (int b : BLOCKS) {
            if (channels % b == 0) {
                return b;
            }
        }
        return 1;
    }

    private ClKernel blockedKernel(String define, int size, String name) {
        KernelRef ref;
        synchronized (blocked) {
            ref = blocked.computeIfAbsent(name + "/" + size,
                    key -> new KernelRef(context, FILE, Map.of(define, Integer.toString(size)), name));
        }
        return ref.get();
    }

    /** Dimension 0 (spatial) in groups of up to {@value #GROUP}; dimensions 1 and 2 one item deep. */
    private ClNdRange range(ClKernel kernel, long d0, long d1, long d2) {
        return range(context, kernel, d0, d1, d2);
    }

    /**
     * The launch of the conv.cl kernels (the GEMM path's im2col, col2im and bias kernels too): dimension 0 in
     * groups of up to {@value #GROUP}, within the kernel's work-group limit (which includes the user cap);
     * dimensions 1 and 2 one item deep.
     */
    static ClNdRange range(ClContext context, ClKernel kernel, long d0, long d1, long d2) {
        long limit = Math.min(kernel.maxWorkGroupSize(), context.device().maxWorkItemSizes()[0]);
        long local = Math.max(1, Math.min(Math.min(GROUP, limit), ClNdRange.nextPowerOfTwo(d0)));
        return ClNdRange.covering(new long[] {d0, d1, d2}, new long[] {Long.highestOneBit(local), 1, 1});
    }

    /** Sets the 22 geometry arguments ({@code CONV_GEOM} of conv.cl) in order. */
    static ClLaunch geometry(ClLaunch l, ConvGeometry g) {
        return l.arg(g.batch()).arg(g.inChannels()).arg(g.inDepth()).arg(g.inHeight()).arg(g.inWidth())
                .arg(g.outChannels()).arg(g.kernelD()).arg(g.kernelH()).arg(g.kernelW())
                .arg(g.strideD()).arg(g.strideH()).arg(g.strideW())
                .arg(g.padFront()).arg(g.padTop()).arg(g.padLeft())
                .arg(g.dilationD()).arg(g.dilationH()).arg(g.dilationW())
                .arg(g.groups()).arg(g.outDepth()).arg(g.outHeight()).arg(g.outWidth());
    }
}
