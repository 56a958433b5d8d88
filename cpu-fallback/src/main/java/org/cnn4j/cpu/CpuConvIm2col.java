package org.cnn4j.cpu;

import java.util.Arrays;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.ConvOps;
import org.cnn4j.runtime.spi.DeviceMemory;

/**
 * Convolution on the CPU by im2col and {@link CpuGemm}, for every {@link ConvGeometry} (2-D and 3-D,
 * stride, asymmetric zero padding, dilation, groups). With {@code C = inChannels}, {@code K = outChannels},
 * {@code G = groups}, {@code T = kernelD * kernelH * kernelW} taps, {@code P = outDepth * outHeight * outWidth}
 * output positions and {@code S = inDepth * inHeight * inWidth} input positions:
 * <pre>
 *   im2col:   col_n[c, t, o] = x[n, c, pos(o) + tap(t)]           (0 where that falls in the padding)
 *             a [C*T, P] matrix per image; group g owns rows [g*C/G*T, (g+1)*C/G*T)
 *   forward:  y_{n,g}  [K/G, P]     = w_g [K/G, C/G*T] x col_{n,g} [C/G*T, P]  (+ bias[k] on each row)
 *   backward input:  dcol_{n,g} = w_g^T x dy_{n,g};   dx[n, c, i] = sum over (t, o) reading i of dcol_n[c, t, o]  (col2im)
 *   backward weight: dw_g = sum_n dy_{n,g} [K/G, P] x col_{n,g}^T [P, C/G*T]
 * </pre>
 * A 1x1 convolution with stride 1 and no padding has {@code col_n = x_n}, so it is one GEMM per group
 * with no im2col (the launcher-style note: this specialised path is taken whenever
 * {@code kernel = stride = 1} and {@code pad = 0} in every dimension; dilation is then irrelevant).
 *
 * <p>Images are processed in chunks whose im2col matrices fit a budget of {@value #COL_BUDGET} floats;
 * each GEMM call is batched over the chunk's images (so {@link CpuGemm} splits the work over images, or
 * within one image when the chunk is smaller than the thread count). im2col is parallel over
 * {@code (image, channel)} rows; col2im is parallel over {@code (image, channel)} planes of {@code dx}, so
 * no two threads ever write the same element and the sums are deterministic. The weight gradient of each
 * image of a chunk goes to its own slice of a scratch buffer, which is then summed over the images in
 * parallel over weight elements (the GEMM computes {@code col dy^T}, the transpose, when {@code C/G*T < K/G},
 * so that the longer dimension runs along the vectorised columns); {@code dw} is overwritten by the first chunk and accumulated by later
 * ones. The im2col and scratch arrays belong to the calling thread and are reused across calls
 * (they only grow), because fresh large arrays cost page faults.
 */
final class CpuConvIm2col implements ConvOps {
    /** Floats of the im2col (and weight-gradient scratch) buffer one call may use, unless one image needs more. */
    static final long COL_BUDGET = 1L << 23;
    /** Elements of work below which a parallel loop runs on the calling thread. */
    private static final long GRAIN_WORK = 1L << 15;

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final CpuGemm gemm;

    /** @param gemm the SGEMM every convolution reduces to */
    CpuConvIm2col(CpuGemm gemm) {
        this.gemm = gemm;
    }

    /** Growable scratch arrays of one calling thread. */
    private static final class Workspace {
        private CpuBuffer col = new CpuBuffer(new float[0]);
        private CpuBuffer partial = new CpuBuffer(new float[0]);

        CpuBuffer col(long elements) {
            if (col.data().length < elements) {
                col = new CpuBuffer(new float[Math.toIntExact(elements)]);
            }
            return col;
        }

        CpuBuffer partial(long elements) {
            if (partial.data().length < elements) {
                partial = new CpuBuffer(new float[Math.toIntExact(elements)]);
            }
            return partial;
        }
    }

    /** The sizes every pass derives from the geometry. */
    private record Dims(int n, int c, int k, int groups, int cg, int kg, int taps, int cgt, int s, int p,
                        long colPerImage, long weightSize, boolean pointwise) {
        static Dims of(ConvGeometry g) {
            int cg = g.inChannels() / g.groups();
            int taps = g.kernelD() * g.kernelH() * g.kernelW();
            boolean pointwise = taps == 1 && g.strideD() == 1 && g.strideH() == 1 && g.strideW() == 1
                    && g.padFront() == 0 && g.padTop() == 0 && g.padLeft() == 0
                    && g.outDepth() == g.inDepth() && g.outHeight() == g.inHeight() && g.outWidth() == g.inWidth();
            int s = g.inDepth() * g.inHeight() * g.inWidth();
            int p = g.outDepth() * g.outHeight() * g.outWidth();
            return new Dims(g.batch(), g.inChannels(), g.outChannels(), g.groups(), cg, g.outChannels() / g.groups(),
                    taps, cg * taps, s, p, (long) g.inChannels() * taps * p, g.weightSize(), pointwise);
        }

        /** Images per chunk: as many as fit the budget with {@code perImage} floats each, at least one. */
        int chunk(long perImage, String method) {
            if (perImage > CpuMemory.MAX_ELEMENTS) {
                throw new IllegalArgumentException("CpuConvIm2col." + method + ": im2col matrix of one image must have at most "
                        + CpuMemory.MAX_ELEMENTS + " elements, but got " + perImage + " (C*T*P = " + c + "*" + taps + "*" + p + ")");
            }
            return (int) Math.max(1, Math.min(n, COL_BUDGET / Math.max(1, perImage)));
        }
    }

    /** {@code y = conv(x, w) + bias}, see the type's javadoc. */
    @Override
    public void convForward(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory w, long wOff,
                            DeviceMemory bias, long biasOff, DeviceMemory y, long yOff) {
        Dims d = Dims.of(g);
        if (d.n == 0 || d.k == 0 || d.p == 0) {
            return;
        }
        if (d.pointwise) {
            for (int grp = 0; grp < d.groups; grp++) {
                gemm.gemm(false, false, d.kg, d.p, d.cg, 1f,
                        w, wOff + (long) grp * d.kg * d.cg, d.cg, 0,
                        x, xOff + (long) grp * d.cg * d.s, d.s, (long) d.c * d.s,
                        0f, y, yOff + (long) grp * d.kg * d.p, d.p, (long) d.k * d.p, d.n);
            }
        } else {
            int nb = d.chunk(d.colPerImage, "convForward");
            CpuBuffer col = WORKSPACE.get().col(nb * d.colPerImage);
            float[] xs = CpuMemory.array(x);
            for (int n0 = 0; n0 < d.n; n0 += nb) {
                int count = Math.min(nb, d.n - n0);
                im2col(g, d, xs, xOff + (long) n0 * d.c * d.s, col.data(), count);
                for (int grp = 0; grp < d.groups; grp++) {
                    gemm.gemm(false, false, d.kg, d.p, d.cgt, 1f,
                            w, wOff + (long) grp * d.kg * d.cgt, d.cgt, 0,
                            col, (long) grp * d.cgt * d.p, d.p, d.colPerImage,
                            0f, y, yOff + ((long) n0 * d.k + (long) grp * d.kg) * d.p, d.p, (long) d.k * d.p, count);
                }
            }
        }
        if (bias != null) {
            addBias(d, CpuMemory.array(bias), (int) biasOff, CpuMemory.array(y), yOff);
        }
    }

    /** {@code dx = w^T dy} per group, then col2im; overwrites {@code dx}. */
    @Override
    public void convBackwardInput(ConvGeometry g, DeviceMemory dy, long dyOff, DeviceMemory w, long wOff,
                                  DeviceMemory dx, long dxOff) {
        Dims d = Dims.of(g);
        if (d.n == 0 || d.c == 0 || d.s == 0) {
            return;
        }
        if (d.pointwise) {
            for (int grp = 0; grp < d.groups; grp++) {
                gemm.gemm(true, false, d.cg, d.s, d.kg, 1f,
                        w, wOff + (long) grp * d.kg * d.cg, d.cg, 0,
                        dy, dyOff + (long) grp * d.kg * d.p, d.p, (long) d.k * d.p,
                        0f, dx, dxOff + (long) grp * d.cg * d.s, d.s, (long) d.c * d.s, d.n);
            }
            return;
        }
        int nb = d.chunk(d.colPerImage, "convBackwardInput");
        CpuBuffer col = WORKSPACE.get().col(nb * d.colPerImage);
        float[] dxs = CpuMemory.array(dx);
        for (int n0 = 0; n0 < d.n; n0 += nb) {
            int count = Math.min(nb, d.n - n0);
            for (int grp = 0; grp < d.groups; grp++) {
                gemm.gemm(true, false, d.cgt, d.p, d.kg, 1f,
                        w, wOff + (long) grp * d.kg * d.cgt, d.cgt, 0,
                        dy, dyOff + ((long) n0 * d.k + (long) grp * d.kg) * d.p, d.p, (long) d.k * d.p,
                        0f, col, (long) grp * d.cgt * d.p, d.p, d.colPerImage, count);
            }
            col2im(g, d, col.data(), dxs, dxOff + (long) n0 * d.c * d.s, count);
        }
    }

    /** {@code dw = sum_n dy_n col_n^T} per group; overwrites {@code dw}. */
    @Override
    public void convBackwardWeight(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory dy, long dyOff,
                                   DeviceMemory dw, long dwOff) {
        Dims d = Dims.of(g);
        float[] dws = CpuMemory.array(dw);
        if (d.n == 0 || d.p == 0) {
            Arrays.fill(dws, (int) dwOff, (int) (dwOff + d.weightSize), 0f);
            return;
        }
        long colPerImage = d.pointwise ? 0 : d.colPerImage;
        int nb = d.chunk(colPerImage + d.weightSize, "convBackwardWeight");
        Workspace ws = WORKSPACE.get();
        CpuBuffer col = ws.col(nb * colPerImage);
        CpuBuffer partial = ws.partial(nb * d.weightSize);
        float[] xs = CpuMemory.array(x);
        // the GEMM vectorises along its columns: give them the longer of K/G and C/G*T
        boolean transposed = d.cgt < d.kg;
        for (int n0 = 0; n0 < d.n; n0 += nb) {
            int count = Math.min(nb, d.n - n0);
            if (!d.pointwise) {
                im2col(g, d, xs, xOff + (long) n0 * d.c * d.s, col.data(), count);
            }
            for (int grp = 0; grp < d.groups; grp++) {
                long dyAt = dyOff + ((long) n0 * d.k + (long) grp * d.kg) * d.p;
                long cOff = (long) grp * d.kg * d.cgt;
                // col_{n,g}: x itself for a pointwise convolution, else the group's rows of the im2col matrix
                DeviceMemory colMem = d.pointwise ? x : col;
                long colAt = d.pointwise ? xOff + ((long) n0 * d.c + (long) grp * d.cg) * d.s : (long) grp * d.cgt * d.p;
                long colStride = d.pointwise ? (long) d.c * d.s : d.colPerImage;
                if (transposed) {
                    gemm.gemm(false, true, d.cgt, d.kg, d.p, 1f, colMem, colAt, d.p, colStride,
                            dy, dyAt, d.p, (long) d.k * d.p, 0f, partial, cOff, d.kg, d.weightSize, count);
                } else {
                    gemm.gemm(false, true, d.kg, d.cgt, d.p, 1f, dy, dyAt, d.p, (long) d.k * d.p,
                            colMem, colAt, d.p, colStride, 0f, partial, cOff, d.cgt, d.weightSize, count);
                }
            }
            sumImages(d, transposed, partial.data(), count, dws, dwOff, n0 == 0);
        }
    }

    /**
     * {@code dw[k, r] (=|+=) sum_{j < count} partial_j[k, r]}, in parallel over weight elements, where
     * {@code partial_j} is image j's slice of the scratch buffer: per group a {@code [K/G, C/G*T]} block, or
     * its transpose {@code [C/G*T, K/G]} when {@code transposed}.
     */
    private static void sumImages(Dims d, boolean transposed, float[] partial, int count, float[] dw, long dwOff,
                                  boolean overwrite) {
        long size = d.weightSize;
        CpuParallel.parallelFor(0, size, Math.max(1, GRAIN_WORK / count), (from, to) -> {
            for (int i = (int) from; i < to; i++) {
                int src = i;
                if (transposed) {
                    int k = i / d.cgt;
                    int r = i % d.cgt;
                    src = (k / d.kg) * d.kg * d.cgt + r * d.kg + k % d.kg;
                }
                float sum = overwrite ? 0f : dw[(int) dwOff + i];
                for (int j = 0; j < count; j++) {
                    sum += partial[(int) (j * size) + src];
                }
                dw[(int) dwOff + i] = sum;
            }
        });
    }

    /** {@code y[n, k, o] += bias[k]}, in parallel over {@code (n, k)} planes. */
    private static void addBias(Dims d, float[] bias, int biasOff, float[] y, long yOff) {
        CpuParallel.parallelFor(0, (long) d.n * d.k, Math.max(1, GRAIN_WORK / d.p), (from, to) -> {
            for (long plane = from; plane < to; plane++) {
                float b = bias[biasOff + (int) (plane % d.k)];
                int base = (int) (yOff + plane * d.p);
                for (int o = 0; o < d.p; o++) {
                    y[base + o] += b;
                }
            }
        });
    }

    /**
     * The im2col matrices of {@code count} consecutive images starting at {@code x[xBase]}:
     * {@code col[((j * C + c) * T + t) * P + o]} for image {@code j}, in parallel over {@code (j, c)}.
     */
    private static void im2col(ConvGeometry g, Dims d, float[] x, long xBase, float[] col, int count) {
        long rows = (long) count * d.c;
        CpuParallel.parallelFor(0, rows, Math.max(1, GRAIN_WORK / ((long) d.taps * d.p)), (from, to) -> {
            for (long r = from; r < to; r++) {
                im2colPlane(g, x, (int) (xBase + r * d.s), col, (int) (r * d.taps * d.p));
            }
        });
    }

    /** The T rows of one input channel plane at {@code x[src]}, written from {@code col[dst]}. */
    private static void im2colPlane(ConvGeometry g, float[] x, int src, float[] col, int dst) {
        int oD = g.outDepth();
        int oH = g.outHeight();
        int oW = g.outWidth();
        int sW = g.strideW();
        int p = oD * oH * oW;
        int row = dst;
        for (int a = 0; a < g.kernelD(); a++) {
            for (int b = 0; b < g.kernelH(); b++) {
                for (int e = 0; e < g.kernelW(); e++, row += p) {
                    int iw0 = e * g.dilationW() - g.padLeft();
                    int lo = firstInside(iw0, sW, oW);
                    int hi = endInside(iw0, sW, oW, g.inWidth(), lo);
                    for (int od = 0; od < oD; od++) {
                        int id = od * g.strideD() - g.padFront() + a * g.dilationD();
                        for (int oh = 0; oh < oH; oh++) {
                            int ih = oh * g.strideH() - g.padTop() + b * g.dilationH();
                            int out = row + (od * oH + oh) * oW;
                            if (id < 0 || id >= g.inDepth() || ih < 0 || ih >= g.inHeight()) {
                                Arrays.fill(col, out, out + oW, 0f);
                                continue;
                            }
                            int in = src + (id * g.inHeight() + ih) * g.inWidth() + iw0;
                            Arrays.fill(col, out, out + lo, 0f);
                            if (sW == 1) {
                                if (hi > lo) { // a zero-length copy still checks its (here negative) start
                                    System.arraycopy(x, in + lo, col, out + lo, hi - lo);
                                }
                            } else {
                                for (int ow = lo; ow < hi; ow++) {
                                    col[out + ow] = x[in + ow * sW];
                                }
                            }
                            Arrays.fill(col, out + hi, out + oW, 0f);
                        }
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: the {@code (j, c)} plane of {@code dx} (from {@code dx[dxBase]}) is
     * zeroed, then receives every column element that reads it; in parallel over planes.
     */
    private static void col2im(ConvGeometry g, Dims d, float[] col, float[] dx, long dxBase, int count) {
        long planes = (long) count * d.c;
        CpuParallel.parallelFor(0, planes, Math.max(1, GRAIN_WORK / ((long) d.taps * d.p)), (from, to) -> {
            for (long r = from; r < to; r++) {
                col2imPlane(g, col, (int) (r * d.taps * d.p), dx, (int) (dxBase + r * d.s), d.s);
            }
        });
    }

    private static void col2imPlane(ConvGeometry g, float[] col, int src, float[] dx, int dst, int planeSize) {
        Arrays.fill(dx, dst, dst + planeSize, 0f);
        int oD = g.outDepth();
        int oH = g.outHeight();
        int oW = g.outWidth();
        int sW = g.strideW();
        int p = oD * oH * oW;
        int row = src;
        for (int a = 0; a < g.kernelD(); a++) {
            for (int b = 0; b < g.kernelH(); b++) {
                for (int e = 0; e < g.kernelW(); e++, row += p) {
                    int iw0 = e * g.dilationW() - g.padLeft();
                    int lo = firstInside(iw0, sW, oW);
                    int hi = endInside(iw0, sW, oW, g.inWidth(), lo);
                    for (int od = 0; od < oD; od++) {
                        int id = od * g.strideD() - g.padFront() + a * g.dilationD();
                        if (id < 0 || id >= g.inDepth()) {
                            continue;
                        }
                        for (int oh = 0; oh < oH; oh++) {
                            int ih = oh * g.strideH() - g.padTop() + b * g.dilationH();
                            if (ih < 0 || ih >= g.inHeight()) {
                                continue;
                            }
                            int in = dst + (id * g.inHeight() + ih) * g.inWidth() + iw0;
                            int c = row + (od * oH + oh) * oW;
                            if (sW == 1) {
                                for (int ow = lo; ow < hi; ow++) {
                                    dx[in + ow] += col[c + ow];
                                }
                            } else {
                                for (int ow = lo; ow < hi; ow++) {
                                    dx[in + ow * sW] += col[c + ow];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** The first {@code ow} with {@code ow * stride + iw0 >= 0}, at most {@code outW}. */
    private static int firstInside(int iw0, int stride, int outW) {
        return iw0 >= 0 ? 0 : Math.min(outW, (-iw0 - 1) / stride + 1); // ceil(-iw0 / stride) without overflow
    }

    /** One past the last {@code ow < outW} with {@code ow * stride + iw0 < inW}, at least {@code lo}. */
    private static int endInside(int iw0, int stride, int outW, int inW, int lo) {
        int last = inW - 1 - iw0;
        int end = last < 0 ? 0 : last / stride + 1;
        return Math.max(lo, Math.min(outW, end));
    }
}
