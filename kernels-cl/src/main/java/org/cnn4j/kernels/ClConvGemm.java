package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * Convolution as matrix products on the device ({@code conv_im2col}, {@code conv_col2im}, {@code conv_add_bias}
 * of {@code conv.cl}, and {@link ClGemm}): with the column matrix {@code col_n[r, o] = x[n, c, tap(o, a, b, e)]}
 * ({@code r = ((c kD + a) kH + b) kW + e}, {@code R = C kD kH kW} rows, {@code P} output positions), and
 * {@code w_g}, {@code col_n,g}, {@code dy_n,g} the rows of group {@code g},
 * <pre>
 *   forward          y_n,g  = w_g col_n,g  (+ bias)          one batched GEMM per group, w shared by the batch
 *   input gradient   dcol_n,g = w_g^T dy_n,g, then dx = col2im(dcol), a gather per input element
 *   weight gradient  dw_g = sum_n dy_n,g col_n,g^T            per-image products batched, then added in image order
 * </pre>
 * The GEMMs are {@link ClGemm}'s (so a GPU runs its local-memory tiles, and tuning applies). The column
 * matrix lives in a workspace held by this launcher, grown on demand; batches whose columns would pass
 * {@link #WORKSPACE_FLOATS} run in chunks of images. Every result is overwritten, in a fixed order, so the
 * results are deterministic.
 */
final class ClConvGemm {
    /** Most floats of the column workspace; larger batches are split into chunks of images. */
    static final long WORKSPACE_FLOATS = 1L << 24;

    private final ClContext context;
    private final ClGemm gemm;
    private final KernelRef im2col;
    private final KernelRef col2im;
    private final KernelRef addBias;
    private final KernelRef sumImages;
    private ClBuffer workspace;
    private long workspaceFloats;
    private ClBuffer partials;
    private long partialsFloats;

    ClConvGemm(ClContext context, ClGemm gemm) {
        this.context = context;
        this.gemm = gemm;
        this.im2col = new KernelRef(context, ClConv.FILE, Map.of(), "conv_im2col");
        this.col2im = new KernelRef(context, ClConv.FILE, Map.of(), "conv_col2im");
        this.addBias = new KernelRef(context, ClConv.FILE, Map.of(), "conv_add_bias");
        this.sumImages = new KernelRef(context, ClConv.FILE, Map.of(), "conv_sum_chunks");
    }

    /** {@code y = conv(x, w) + bias}; bias may be null; overwrites y. */
    synchronized void forward(ConvGeometry g, ClBuffer x, long xOff, ClBuffer w, long wOff, ClBuffer bias, long biasOff,
                              ClBuffer y, long yOff) {
        Dims d = new Dims(g);
        for (int n0 = 0; n0 < g.batch(); n0 += d.chunk) {
            int images = Math.min(d.chunk, g.batch() - n0);
            ClBuffer col = columns(g, d, n0, images, x, xOff);
            for (int grp = 0; grp < g.groups(); grp++) {
                gemm.gemm(false, false, d.kg, d.p, d.rg, 1f, w, wOff + (long) grp * d.kg * d.rg, d.rg, 0,
                        col, (long) grp * d.rg * d.p, d.p, (long) d.r * d.p,
                        0f, y, yOff + ((long) n0 * g.outChannels() + (long) grp * d.kg) * d.p, d.p, (long) g.outChannels() * d.p,
                        images);
            }
        }
        if (bias != null) {
            ClKernel kernel = addBias.get();
            try (ClLaunch l = kernel.begin()) {
                l.arg(g.outChannels()).arg(d.p).arg(y).arg(yOff).arg(bias).arg(biasOff)
                        .enqueue(ClConv.range(context, kernel, d.p, g.outChannels(), g.batch()));
            }
        }
    }

    /** {@code dx = dL/dx} from {@code dy}; overwrites dx. */
    synchronized void backwardInput(ConvGeometry g, ClBuffer dy, long dyOff, ClBuffer w, long wOff, ClBuffer dx, long dxOff) {
        Dims d = new Dims(g);
        for (int n0 = 0; n0 < g.batch(); n0 += d.chunk) {
            int images = Math.min(d.chunk, g.batch() - n0);
            ClBuffer col = workspace((long) images * d.r * d.p);
            for (int grp = 0; grp < g.groups(); grp++) {
                gemm.gemm(true, false, d.rg, d.p, d.kg, 1f, w, wOff + (long) grp * d.kg * d.rg, d.rg, 0,
                        dy, dyOff + ((long) n0 * g.outChannels() + (long) grp * d.kg) * d.p, d.p, (long) g.outChannels() * d.p,
                        0f, col, (long) grp * d.rg * d.p, d.p, (long) d.r * d.p, images);
            }
            ClKernel kernel = col2im.get();
            try (ClLaunch l = kernel.begin()) {
                ClConv.geometry(l, g).arg(n0).arg(col).arg(0L).arg(dx).arg(dxOff)
                        .enqueue(ClConv.range(context, kernel, (long) g.inDepth() * g.inHeight() * g.inWidth(), g.inChannels(), images));
            }
        }
    }

    /**
     * {@code dw = sum_{n, o} dy[n, k, o] x[n, c, tap(o)]}; overwrites dw. When the per-image products fit in
     * {@link #WORKSPACE_FLOATS}, one GEMM batched over the images of a chunk writes each image's product, and
     * {@code conv_sum_chunks} adds them in image order (a GPU then runs a few large launches instead of one small GEMM
     * per image); otherwise the images' products are accumulated into dw one GEMM at a time, in image order.
     */
    synchronized void backwardWeight(ConvGeometry g, ClBuffer x, long xOff, ClBuffer dy, long dyOff, ClBuffer dw, long dwOff) {
        if (g.batch() == 0) {
            context.fill(dw, dwOff, g.weightSize(), 0f);
            return;
        }
        Dims d = new Dims(g);
        long perImage = g.weightSize();
        boolean batched = g.batch() > 1 && (long) g.batch() * perImage <= WORKSPACE_FLOATS;
        ClBuffer partial = batched ? partials((long) g.batch() * perImage) : null;
        for (int n0 = 0; n0 < g.batch(); n0 += d.chunk) {
            int images = Math.min(d.chunk, g.batch() - n0);
            ClBuffer col = columns(g, d, n0, images, x, xOff);
            if (batched) {
                for (int grp = 0; grp < g.groups(); grp++) {
                    gemm.gemm(false, true, d.kg, d.rg, d.p, 1f,
                            dy, dyOff + ((long) n0 * g.outChannels() + (long) grp * d.kg) * d.p, d.p, (long) g.outChannels() * d.p,
                            col, (long) grp * d.rg * d.p, d.p, (long) d.r * d.p,
                            0f, partial, (long) n0 * perImage + (long) grp * d.kg * d.rg, d.rg, perImage, images);
                }
                continue;
            }
            for (int j = 0; j < images; j++) {
                float beta = n0 + j == 0 ? 0f : 1f;
                for (int grp = 0; grp < g.groups(); grp++) {
                    gemm.gemm(false, true, d.kg, d.rg, d.p, 1f,
                            dy, dyOff + ((long) (n0 + j) * g.outChannels() + (long) grp * d.kg) * d.p, d.p, 0,
                            col, ((long) j * d.r + (long) grp * d.rg) * d.p, d.p, 0,
                            beta, dw, dwOff + (long) grp * d.kg * d.rg, d.rg, 0, 1);
                }
            }
        }
        if (batched) {
            ClKernel sum = sumImages.get();
            try (ClLaunch l = sum.begin()) {
                l.arg(g.batch()).arg((int) perImage).arg(partial).arg(dw).arg(dwOff)
                        .enqueue(ClConv.range(context, sum, perImage, 1, 1));
            }
        }
    }

    /** The per-image weight products' workspace, at least {@code floats} long. */
    private ClBuffer partials(long floats) {
        if (partials == null || partialsFloats < floats) {
            ClBuffer old = partials;
            partials = context.allocate(Math.max(1, floats));
            partialsFloats = floats;
            if (old != null) {
                context.release(old);
            }
        }
        return partials;
    }

    /** The column matrices of images {@code [n0, n0 + images)} in the workspace. */
    private ClBuffer columns(ConvGeometry g, Dims d, int n0, int images, ClBuffer x, long xOff) {
        ClBuffer col = workspace((long) images * d.r * d.p);
        ClKernel kernel = im2col.get();
        try (ClLaunch l = kernel.begin()) {
            ClConv.geometry(l, g).arg(n0).arg(x).arg(xOff).arg(col).arg(0L).enqueue(ClConv.range(context, kernel, d.p, d.r, images));
        }
        return col;
    }

    /** The workspace, at least {@code floats} long. */
    private ClBuffer workspace(long floats) {
        if (workspace == null || workspaceFloats < floats) {
            if (workspace != null) {
                context.release(workspace);
            }
            workspace = context.allocate(Math.max(1, floats));
            workspaceFloats = floats;
        }
        return workspace;
    }

    /** Releases the workspace. */
    synchronized void close() {
        if (workspace != null) {
            context.release(workspace);
            workspace = null;
            workspaceFloats = 0;
        }
        if (partials != null) {
            context.release(partials);
            partials = null;
            partialsFloats = 0;
        }
    }

    /** The matrix sizes of a geometry and the images per chunk. */
    private static final class Dims {
        final int kg;
        final int rg;
        final int r;
        final int p;
        final int chunk;

        Dims(ConvGeometry g) {
            int taps = g.kernelD() * g.kernelH() * g.kernelW();
            kg = g.outChannels() / g.groups();
            rg = g.inChannels() / g.groups() * taps;
            r = g.inChannels() * taps;
            p = g.outDepth() * g.outHeight() * g.outWidth();
            long perImage = Math.max(1L, (long) r * p);
            chunk = (int) Math.max(1, Math.min(Math.max(1, g.batch()), WORKSPACE_FLOATS / perImage));
        }
    }
}
