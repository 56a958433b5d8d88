package org.cnn4j.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClDevice;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.opencl.ClNdRange;
import org.cnn4j.runtime.spi.BackendException;
import org.cnn4j.runtime.spi.DeviceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches {@code gemm.cl}: {@code C_b = alpha * op(A_b) * op(B_b) + beta * C_b} for {@code b < batch},
 * row-major, with the batch on global dimension 2.
 *
 * <p>Variant by device type (measured on PoCL, n = 1024: gemm_blocked ~30 GFLOP/s, gemm_tiled ~1.4):
 * CPU devices run {@code gemm_blocked} (register blocks of {@value #RM} x {@value #RN}, no local memory,
 * no barriers: a CPU OpenCL runtime emulates both slowly), except for {@code A B^T} (transA false, transB
 * true), where {@code gemm_blocked} would gather B element by element: that runs {@code gemm_dot} (dot products
 * of contiguous rows in {@code floatN} accumulators; PoCL, 64 x 128 x 3136, a Linear layer's forward pass:
 * 0.55 ms against 4.6 ms). GPUs and accelerators run {@code gemm_tiled}.
 *
 * <p>Tiles of {@code gemm_tiled}: the first of {@link #CANDIDATES} (TS, WPT) that fits the device is
 * chosen once per context. A candidate fits when its work-group {@code TS x TS/WPT} is within
 * {@code CL_DEVICE_MAX_WORK_ITEM_SIZES}, {@code CL_DEVICE_MAX_WORK_GROUP_SIZE}, the
 * {@code cnn4j.opencl.maxWorkGroupSize} cap and the compiled kernel's {@code CL_KERNEL_WORK_GROUP_SIZE},
 * and its two {@code TS x TS} float tiles fit in the local memory of {@link ClContext#localMemBytes()}
 * ({@code CL_DEVICE_LOCAL_MEM_SIZE}, or the {@code cnn4j.opencl.maxLocalMemBytes} cap). Sizes that are not
 * multiples of a tile or block are handled in the kernels (zero-padded loads, guarded stores).
 *
 * <p>With tuning on ({@link Tuner}, {@code -Dcnn4j.opencl.tune=true}) each new shape is timed once with
 * every candidate {@link Config} (both variants, several block and tile shapes) and runs the fastest from
 * then on; the choice is kept on disk beside the kernel binaries.
 */
public final class ClGemm {
    static final String FILE = "gemm.cl";
    /**
     * (TS2, WPT2, TSK) shapes of gemm_tiled2, largest first: 128 x 128 tiles of 8 x 8 register blocks (256
     * work-items, 16.5 KB of local memory) for large products, smaller ones for small products and small devices.
     */
    static final int[][] TILED2_SHAPES = {{128, 8, 16}, {64, 4, 16}, {64, 8, 16}, {32, 4, 16}, {32, 2, 8}, {16, 2, 8}, {8, 2, 8}};
    /** (DM, DN) blocks of gemm_dot that tuning tries (A B^T only). */
    static final int[][] DOT_SHAPES = {{4, 4}, {2, 8}, {6, 4}, {2, 4}};
    /** (RM, RN) register blocks of gemm_blocked that tuning tries. */
    static final int[][] BLOCKED_SHAPES = {{8, 16}, {4, 16}, {8, 8}, {4, 8}, {2, 16}};
    /** How many fitting gemm_tiled shapes tuning tries. */
    static final int TILED_CANDIDATES = 3;
    /** (TS, WPT) pairs of gemm_tiled, best first: larger tiles reuse each loaded element more. */
    static final int[][] CANDIDATES = {{32, 8}, {16, 4}, {16, 8}, {16, 16}, {8, 2}, {8, 4}, {8, 8}, {4, 2}, {4, 4}, {2, 2}, {1, 1}};
    /** Rows of C per work-item of gemm_blocked. */
    static final int RM = 8;
    /** Columns of C per work-item of gemm_blocked (one float16). */
    static final int RN = 16;
    /** Preferred work-group of gemm_blocked along the columns (PoCL: 16 x 1 measured best), clamped to the limits. */
    private static final long BLOCKED_GROUP = 16;

    private static final Logger LOG = LoggerFactory.getLogger(ClGemm.class);

    /** The two kernels of gemm.cl. */
    enum Variant {
        /** Local-memory tiles; GPUs and accelerators. */
        TILED,
        /** Register blocks without barriers; CPU devices. */
        BLOCKED,
        /** Dot products along k for A B^T; CPU devices. */
        DOT,
        /** Local-memory tiles with register blocks per work-item; GPUs. */
        TILED2
    }

    private final ClContext context;
    private final Variant variant;
    /** Vector width of gemm_dot: the device's preferred float width as 4, 8 or 16. */
    private final int vw;
    private final Map<Config, KernelRef> kernels = new ConcurrentHashMap<>();
    private volatile Tiled tiled;
    private volatile Tuner<Config> tuner;

    /** A chosen tile shape of gemm_tiled and its kernel. */
    record Tiled(int ts, int wpt, ClKernel kernel) {
    }

    /**
     * One compiled form of gemm.cl: {@code gemm_blocked} with register blocks {@code x = RM} by
     * {@code y = RN}, {@code gemm_dot} with {@code x = DM}, {@code y = DN} (and vector width {@code vw}), or
     * {@code gemm_tiled} with {@code x = TS}, {@code y = WPT}.
     */
    record Config(Variant variant, int x, int y, int z) {
        Config(Variant variant, int x, int y) {
            this(variant, x, y, 16);
        }

        /**
         * A stable name, used as the value in the tuning file: {@code blocked:8x16}, {@code tiled:16x4},
         * {@code dot:4x4}, {@code tiled2:64x4x16}.
         */
        String id() {
            return variant.name().toLowerCase(java.util.Locale.ROOT) + ":" + x + "x" + y + (variant == Variant.TILED2 ? "x" + z : "");
        }

        Map<String, String> defines() {
            return switch (variant) {
                case BLOCKED -> Map.of("RM", Integer.toString(x), "RN", Integer.toString(y));
                case DOT -> Map.of("DM", Integer.toString(x), "DN", Integer.toString(y), "VW", Integer.toString(z));
                case TILED -> Map.of("TS", Integer.toString(x), "WPT", Integer.toString(y));
                case TILED2 -> Map.of("TS2", Integer.toString(x), "WPT2", Integer.toString(y), "TSK", Integer.toString(z));
            };
        }

        String kernelName() {
            return switch (variant) {
                case BLOCKED -> "gemm_blocked";
                case DOT -> "gemm_dot";
                case TILED -> "gemm_tiled";
                case TILED2 -> "gemm_tiled2";
            };
        }

        /** Work-items per work-group of a tiled configuration. */
        long groupSize() {
            return switch (variant) {
                case TILED -> (long) x * (x / y);
                case TILED2 -> (long) (x / y) * (x / y);
                default -> 1;
            };
        }

        /** Local memory of a tiled configuration, in bytes. */
        long localBytes() {
            return switch (variant) {
                case TILED -> 2L * x * x * Float.BYTES;
                case TILED2 -> 2L * z * (x + 1) * Float.BYTES;
                default -> 0;
            };
        }

        /** Whether this configuration computes {@code op(A) op(B)} for these transpositions (gemm_dot: A B^T only). */
        boolean handles(boolean transA, boolean transB) {
            return variant != Variant.DOT || (!transA && transB);
        }
    }

    /** @param context the device to launch on; its type picks the variant, and tuning follows {@link Tuner#enabled()} */
    public ClGemm(ClContext context) {
        this(context, context.device().info().type() == DeviceType.CPU ? Variant.BLOCKED : Variant.TILED2, Tuner.enabled());
    }

    /** Forces a variant (tests run both on every device), without tuning. */
    ClGemm(ClContext context, Variant variant) {
        this(context, variant, false);
    }

    /** Forces a default variant and whether each shape is tuned (choices stored beside the binary cache). */
    ClGemm(ClContext context, Variant variant, boolean tune) {
        this(context, variant, tune, vectorWidth(context));
    }

    /** Forces a variant and gemm_dot's vector width (4, 8 or 16; tests run every width on every device), without tuning. */
    ClGemm(ClContext context, Variant variant, int vw) {
        this(context, variant, false, vw);
    }

    private ClGemm(ClContext context, Variant variant, boolean tune, int vw) {
        this.context = context;
        this.variant = variant;
        this.vw = vw;
        if (tune) {
            this.tuner = new Tuner<>("gemm", candidates(), Config::id, new TuningStore(Tuner.storeFile(context, "gemm-tuning", KernelSource.load(FILE))));
        }
    }

    /** Tunes every shape, keeping choices in {@code store} (tests). */
    ClGemm(ClContext context, Variant variant, TuningStore store) {
        this.context = context;
        this.variant = variant;
        this.vw = vectorWidth(context);
        this.tuner = new Tuner<>("gemm", candidates(), Config::id, store);
    }

    /** The default variant of this launcher (what runs when tuning is off). */
    Variant variant() {
        return variant;
    }

    /** The tuner, or null when tuning is off. */
    Tuner<Config> tuner() {
        return tuner;
    }

    private static int vectorWidth(ClContext context) {
        return ClConvRows.vectorWidth(context);
    }

    /**
     * Every configuration that fits the device: the blocked shapes, the dot shapes (timed for A B^T only), then up
     * to three fitting tile shapes.
     */
    List<Config> candidates() {
        List<Config> list = new ArrayList<>();
        for (int[] b : BLOCKED_SHAPES) {
            list.add(new Config(Variant.BLOCKED, b[0], b[1]));
        }
        for (int[] d : DOT_SHAPES) {
            list.add(new Config(Variant.DOT, d[0], d[1], vw));
        }
        for (int[] t : TILED2_SHAPES) {
            Config c = new Config(Variant.TILED2, t[0], t[1], t[2]);
            if (fits(c)) {
                list.add(c);
            }
        }
        int tiledShapes = 0;
        for (int[] candidate : CANDIDATES) {
            if (tiledShapes < TILED_CANDIDATES && tileFits(candidate[0], candidate[1])) {
                list.add(new Config(Variant.TILED, candidate[0], candidate[1]));
                tiledShapes++;
            }
        }
        return list;
    }

    /** See {@link org.cnn4j.runtime.spi.GemmOps} for the meaning of each argument. */
    @SuppressWarnings("java:S107") // BLAS's argument list
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     ClBuffer a, long aOff, int lda, long strideA,
                     ClBuffer b, long bOff, int ldb, long strideB,
                     float beta, ClBuffer c, long cOff, int ldc, long strideC, int batch) {
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        Config config;
        Tuner<Config> t = tuner;
        if (t == null) {
            config = defaultConfig(transA, transB, m, n);
        } else {
            config = t.choose(shapeKey(transA, transB, m, n, k, batch), cand -> time(cand, transA, transB, m, n, k,
                    alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB, cOff, ldc, strideC, batch));
            if (!config.handles(transA, transB)) {
                config = defaultConfig(transA, transB, m, n);
            }
        }
        launch(config, transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB, beta, c, cOff, ldc,
                strideC, batch);
    }

    /** The tuning key of one call: transpositions, sizes and batch. */
    static String shapeKey(boolean transA, boolean transB, int m, int n, int k, int batch) {
        return (transA ? "T" : "N") + (transB ? "T" : "N") + "_m" + m + "_n" + n + "_k" + k + "_b" + batch;
    }

    /** The configuration that runs without tuning for A B (no transposition): see {@link #defaultConfig(boolean, boolean)}. */
    Config defaultConfig() {
        return defaultConfig(false, false);
    }

    /**
     * The configuration that runs without tuning: with the blocked variant, gemm_dot for A B^T (4 x 4 blocks with
     * 16-wide vectors, 2 x 4 with narrower ones, which have half the registers) and RM x RN blocks otherwise;
     * with the dot variant (tests) gemm_dot wherever it applies; with tiled2 the largest gemm_tiled2 shape that fits
     * the device and whose tile edge is at most the product's smaller side (at least 16; see {@link #tiled2For});
     * else the first gemm_tiled shape that fits.
     */
    Config defaultConfig(boolean transA, boolean transB) {
        return defaultConfig(transA, transB, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** As {@link #defaultConfig(boolean, boolean)} for an m x n product (gemm_tiled2 sizes its tile by it). */
    Config defaultConfig(boolean transA, boolean transB, int m, int n) {
        if ((variant == Variant.BLOCKED || variant == Variant.DOT) && !transA && transB) {
            return vw >= 16 ? new Config(Variant.DOT, 4, 4, vw) : new Config(Variant.DOT, 2, 4, vw);
        }
        if (variant == Variant.BLOCKED || variant == Variant.DOT) {
            return new Config(Variant.BLOCKED, RM, RN);
        }
        if (variant == Variant.TILED2) {
            Config c = tiled2For(m, n);
            if (c != null) {
                return c;
            }
        }
        Tiled t = tiles();
        return new Config(Variant.TILED, t.ts(), t.wpt());
    }

    @SuppressWarnings("java:S107")
    private void launch(Config config, boolean transA, boolean transB, int m, int n, int k, float alpha,
                        ClBuffer a, long aOff, int lda, long strideA, ClBuffer b, long bOff, int ldb, long strideB,
                        float beta, ClBuffer c, long cOff, int ldc, long strideC, int batch) {
        ClKernel kernel = kernels.computeIfAbsent(config,
                cfg -> new KernelRef(context, FILE, cfg.defines(), cfg.kernelName())).get();
        ClNdRange range;
        if (config.variant() == Variant.DOT) {
            long[] work = {ceilDiv(n, config.y()), ceilDiv(m, config.x()), batch};
            range = ClNdRange.covering(work, new long[] {1, 1, 1});
        } else if (config.variant() == Variant.BLOCKED) {
            long[] work = {ceilDiv(n, config.y()), ceilDiv(m, config.x()), batch};
            long group = Math.min(Math.min(BLOCKED_GROUP, ClNdRange.nextPowerOfTwo(work[0])),
                    Math.min(kernel.maxWorkGroupSize(), context.device().maxWorkItemSizes()[0]));
            range = ClNdRange.covering(work, new long[] {group, 1, 1});
        } else if (config.variant() == Variant.TILED2) {
            int ts = config.x();
            int side = ts / config.y();
            range = ClNdRange.covering(new long[] {ceilDiv(n, ts) * side, ceilDiv(m, ts) * side, batch},
                    new long[] {side, side, 1});
        } else {
            int ts = config.x();
            int rows = ts / config.y();
            range = ClNdRange.covering(new long[] {ceilDiv(n, ts) * ts, ceilDiv(m, ts) * rows, batch},
                    new long[] {ts, rows, 1});
        }
        try (ClLaunch l = kernel.begin()) {
            l.arg(transA ? 1 : 0).arg(transB ? 1 : 0).arg(m).arg(n).arg(k).arg(alpha)
                    .arg(a).arg(aOff).arg(lda).arg(strideA)
                    .arg(b).arg(bOff).arg(ldb).arg(strideB)
                    .arg(beta).arg(c).arg(cOff).arg(ldc).arg(strideC)
                    .enqueue(range);
        }
    }

    /**
     * Seconds per run of {@code config} on the call's operands, writing into a scratch C (so the caller's C is
     * untouched): one warm-up run, then the fastest of {@link Tuner#RUNS}, each waited for. A configuration
     * whose kernel does not fit the device (compiled work-group limit) counts as infinitely slow.
     */
    @SuppressWarnings("java:S107")
    private double time(Config config, boolean transA, boolean transB, int m, int n, int k, float alpha,
                        ClBuffer a, long aOff, int lda, long strideA, ClBuffer b, long bOff, int ldb, long strideB,
                        long cOff, int ldc, long strideC, int batch) {
        if (!config.handles(transA, transB)) {
            return Double.POSITIVE_INFINITY;
        }
        if (config.variant() == Variant.TILED || config.variant() == Variant.TILED2) {
            ClKernel kernel = kernels.computeIfAbsent(config,
                    cfg -> new KernelRef(context, FILE, cfg.defines(), cfg.kernelName())).get();
            if (config.groupSize() > kernel.maxWorkGroupSize()) {
                return Double.POSITIVE_INFINITY;
            }
        }
        long cElements = cOff + (batch - 1L) * strideC + (m - 1L) * ldc + n;
        ClBuffer scratch = context.allocate(cElements);
        try {
            return Tuner.secondsPerRun(context, () -> launch(config, transA, transB, m, n, k, alpha, a, aOff, lda, strideA,
                    b, bOff, ldb, strideB, 0f, scratch, cOff, ldc, strideC, batch));
        } finally {
            context.release(scratch);
        }
    }

    /** The tile shape of gemm_tiled, chosen on first call. */
    Tiled tiles() {
        Tiled t = tiled;
        if (t == null) {
            synchronized (this) {
                t = tiled;
                if (t == null) {
                    t = choose();
                    tiled = t;
                }
            }
        }
        return t;
    }

    /**
     * The gemm_tiled2 configuration for an m x n product: the first of {@link #TILED2_SHAPES} that fits the device
     * (and its compiled kernel's work-group limit) with a tile edge at most {@code max(16, min(m, n))}, so that
     * small products do not run mostly empty tiles; null when none fits.
     */
    Config tiled2For(int m, int n) {
        int edge = Math.max(16, Math.min(m, n));
        for (int[] t : TILED2_SHAPES) {
            Config c = new Config(Variant.TILED2, t[0], t[1], t[2]);
            if (t[0] <= edge && fits(c)) {
                ClKernel kernel = kernels.computeIfAbsent(c, cfg -> new KernelRef(context, FILE, cfg.defines(), cfg.kernelName())).get();
                if (c.groupSize() <= kernel.maxWorkGroupSize() && kernel.localMemBytes() <= context.localMemBytes()) {
                    return c;
                }
            }
        }
        return null;
    }

    /** Whether a tiled configuration's work-group and local memory fit the device limits and the caps. */
    private boolean fits(Config c) {
        ClDevice device = context.device();
        long[] maxItems = device.maxWorkItemSizes();
        long cap = Math.min(device.maxWorkGroupSize(), context.workGroupCap());
        long side = c.x() / c.y();
        return side <= maxItems[0] && side <= maxItems[1] && c.groupSize() <= cap && c.localBytes() <= context.localMemBytes();
    }

    /** Whether a gemm_tiled shape fits the device limits, the work-group cap and the local memory. */
    private boolean tileFits(int ts, int wpt) {
        ClDevice device = context.device();
        long[] maxItems = device.maxWorkItemSizes();
        long cap = Math.min(device.maxWorkGroupSize(), context.workGroupCap());
        long rows = ts / wpt;
        long localBytes = 2L * ts * ts * Float.BYTES;
        return ts <= maxItems[0] && rows <= maxItems[1] && ts * rows <= cap && localBytes <= context.localMemBytes();
    }

    private Tiled choose() {
        ClDevice device = context.device();
        for (int[] candidate : CANDIDATES) {
            int ts = candidate[0];
            int wpt = candidate[1];
            if (!tileFits(ts, wpt)) {
                continue;
            }
            long rows = ts / wpt;
            ClKernel kernel = kernels.computeIfAbsent(new Config(Variant.TILED, ts, wpt),
                    cfg -> new KernelRef(context, FILE, cfg.defines(), cfg.kernelName())).get();
            if (ts * rows <= kernel.maxWorkGroupSize() && kernel.localMemBytes() <= context.localMemBytes()) {
                LOG.debug("gemm tiles for {}: TS={} WPT={} (work-group {}x{}, {} bytes of local memory)", device.label(),
                        ts, wpt, ts, rows, 2L * ts * ts * Float.BYTES);
                return new Tiled(ts, wpt, kernel);
            }
        }
        throw new BackendException("ClGemm: no tile shape fits " + device.label() + " (max work-group "
                + device.maxWorkGroupSize() + ", cap " + context.workGroupCap() + ", local memory "
                + context.localMemBytes() + " bytes)");
    }

    private static long ceilDiv(long x, long d) {
        return (x + d - 1) / d;
    }
}
