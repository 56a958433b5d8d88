package org.cnn4j.kernels;

import java.util.Map;
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
 * no barriers: a CPU OpenCL runtime emulates both slowly); GPUs and accelerators run {@code gemm_tiled}.
 *
 * <p>Tiles of {@code gemm_tiled}: the first of {@link #CANDIDATES} (TS, WPT) that fits the device is
 * chosen once per context. A candidate fits when its work-group {@code TS x TS/WPT} is within
 * {@code CL_DEVICE_MAX_WORK_ITEM_SIZES}, {@code CL_DEVICE_MAX_WORK_GROUP_SIZE}, the
 * {@code cnn4j.opencl.maxWorkGroupSize} cap and the compiled kernel's {@code CL_KERNEL_WORK_GROUP_SIZE},
 * and its two {@code TS x TS} float tiles fit in the local memory of {@link ClContext#localMemBytes()}
 * ({@code CL_DEVICE_LOCAL_MEM_SIZE}, or the {@code cnn4j.opencl.maxLocalMemBytes} cap). Sizes that are not
 * multiples of a tile or block are handled in the kernels (zero-padded loads, guarded stores).
 */
public final class ClGemm {
    static final String FILE = "gemm.cl";
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
        BLOCKED
    }

    private final ClContext context;
    private final Variant variant;
    private final KernelRef blocked;
    private volatile Tiled tiled;

    /** A chosen tile shape of gemm_tiled and its kernel. */
    record Tiled(int ts, int wpt, ClKernel kernel) {
    }

    /** @param context the device to launch on; its type picks the variant */
    public ClGemm(ClContext context) {
        this(context, context.device().info().type() == DeviceType.CPU ? Variant.BLOCKED : Variant.TILED);
    }

    /** Forces a variant (tests run both on every device). */
    ClGemm(ClContext context, Variant variant) {
        this.context = context;
        this.variant = variant;
        this.blocked = new KernelRef(context, FILE, Map.of("RM", Integer.toString(RM), "RN", Integer.toString(RN)),
                "gemm_blocked");
    }

    /** The variant this launcher runs. */
    Variant variant() {
        return variant;
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
        ClKernel kernel;
        ClNdRange range;
        if (variant == Variant.BLOCKED) {
            kernel = blocked.get();
            long[] work = {ceilDiv(n, RN), ceilDiv(m, RM), batch};
            long group = Math.min(Math.min(BLOCKED_GROUP, ClNdRange.nextPowerOfTwo(work[0])),
                    Math.min(kernel.maxWorkGroupSize(), context.device().maxWorkItemSizes()[0]));
            range = ClNdRange.covering(work, new long[] {group, 1, 1});
        } else {
            Tiled t = tiles();
            kernel = t.kernel();
            range = ClNdRange.covering(new long[] {ceilDiv(n, t.ts()) * t.ts(), ceilDiv(m, t.ts()) * (t.ts() / t.wpt()), batch},
                    new long[] {t.ts(), t.ts() / t.wpt(), 1});
        }
        try (ClLaunch l = kernel.begin()) {
            l.arg(transA ? 1 : 0).arg(transB ? 1 : 0).arg(m).arg(n).arg(k).arg(alpha)
                    .arg(a).arg(aOff).arg(lda).arg(strideA)
                    .arg(b).arg(bOff).arg(ldb).arg(strideB)
                    .arg(beta).arg(c).arg(cOff).arg(ldc).arg(strideC)
                    .enqueue(range);
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

    private Tiled choose() {
        ClDevice device = context.device();
        long[] maxItems = device.maxWorkItemSizes();
        long cap = Math.min(device.maxWorkGroupSize(), context.workGroupCap());
        long localMem = context.localMemBytes();
        for (int[] candidate : CANDIDATES) {
            int ts = candidate[0];
            int wpt = candidate[1];
            long rows = ts / wpt;
            long localBytes = 2L * ts * ts * Float.BYTES;
            if (ts > maxItems[0] || rows > maxItems[1] || ts * rows > cap || localBytes > localMem) {
                continue;
            }
            ClKernel kernel = new KernelRef(context, FILE, Map.of("TS", Integer.toString(ts), "WPT", Integer.toString(wpt)),
                    "gemm_tiled").get();
            if (ts * rows <= kernel.maxWorkGroupSize() && kernel.localMemBytes() <= localMem) {
                LOG.debug("gemm tiles for {}: TS={} WPT={} (work-group {}x{}, {} bytes of local memory)", device.label(),
                        ts, wpt, ts, rows, localBytes);
                return new Tiled(ts, wpt, kernel);
            }
        }
        throw new BackendException("ClGemm: no tile shape fits " + device.label() + " (max work-group "
                + device.maxWorkGroupSize() + ", cap " + context.workGroupCap() + ", local memory "
                + localMem + " bytes)");
    }

    private static long ceilDiv(long x, long d) {
        return (x + d - 1) / d;
    }
}
