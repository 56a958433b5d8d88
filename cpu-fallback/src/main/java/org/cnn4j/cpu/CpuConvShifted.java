package org.cnn4j.cpu;

import java.util.Arrays;
import java.util.List;
import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * Convolution as an implicit matrix product over the "shifted rows" of a padded, phase-split copy of each
 * image ({@link ShiftedPlan}), with register-tiled {@link ConvTiles}. Per group {@code g} and image {@code n}:
 * <pre>
 *   forward          y[k, q] = bias[k] + sum_{p < Cg T} w[k, p] copy_n[off(p) + q]            (k < Kg, virtual q)
 *   backward input   stride-1 forward passes of dy with the reversed kernel, one per stride phase
 *                    ({@link GradientPhase}): no col2im scatter
 *   backward weight  dw[k, p] = sum_n sum_{real q} dy[n, k, o(q)] copy_n[off(p) + q]
 * </pre>
 * No im2col matrix is written: the forward tile reads each depth step's columns straight from the copy, which is
 * small enough to stay in cache while every row tile of the weights passes over it.
 *
 * <p><b>Forward.</b> The weights are packed once per call into panels of {@code R = shiftedRows()} output
 * channels, depth-major. Work is split into tasks of (image, group, band of virtual rows): one task per image
 * and group when there are enough images for every thread, else each image is cut into bands of output rows.
 * A task copies its image, then computes tiles of {@code R x shiftedCols()} over its band of virtual positions
 * into a scratch block (virtual columns past the output width are computed and dropped), then copies the real
 * positions to {@code y}, adding the bias. The depth is cut into blocks whose weight panels fit the second-level
 * cache; a tile accumulates over the blocks.
 *
 * <p><b>Backward weight.</b> Each image is copied in the {@link TapPlan} layout, where every tap reads a run of the
 * copy indexed by the real output position (virtual positions past the output width never enter: one could read an
 * infinite input value and turn a zero gradient into NaN), in one of two ways chosen by the depth {@code Cg T}
 * (measured: transposing the gradient costs about as much as {@code 25 / (Cg T)} of the products):
 * <ul>
 *   <li>deep: each image's output gradient is transposed to {@code [position][channel]} and
 *       {@link ConvTiles#gathered} tiles of {@code dw^T} broadcast the copy's values against channel vectors; the
 *       images are split into a fixed number of chunks (sizes only), each summing into its own slice of a scratch
 *       buffer, and the slices are added in chunk order;</li>
 *   <li>shallow: {@link ConvTiles#rowDot} tiles multiply runs of output positions of a few gradient channels, read in
 *       place, with the same runs of a few taps of the copies (made first for every image); a thread keeps the
 *       lane-wise sums of a batch of tiles while it passes over the images, then adds the lanes of each sum in a
 *       fixed order.</li>
 * </ul>
 *
 * <p>Tasks write disjoint outputs, and every output element is a per-lane sum in a fixed depth order, so the
 * results do not depend on how the work is split or on the number of threads. Scratch arrays belong to the thread that uses them and only
 * grow, because fresh large arrays cost page faults.
 */
final class CpuConvShifted {
    /** Floats of packed weights per depth block: the panels a tile row streams stay in the second-level cache. */
    private static final int PANEL_BUDGET = 48 * 1024;
    /** Depth ({@code Cg T}) from which the weight gradient transposes the output gradient for gathered tiles. */
    static final int GATHERED_MIN_DEPTH = 64;
    /** Floats of per-chunk weight-gradient sums one call may use. */
    private static final long PARTIAL_BUDGET = 1L << 22;
    /** The most image chunks a gathered weight gradient is split into. */
    private static final int MAX_CHUNKS = 16;
    /** Weight-gradient tiles whose lane sums one thread keeps while it passes over the images. */
    private static final int TILE_BATCH = 512;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final ConvTiles tiles;

    /** @param tiles the register tiles every pass runs */
    CpuConvShifted(ConvTiles tiles) {
        this.tiles = tiles;
    }

    /** Growable scratch arrays of one thread. */
    private static final class Scratch {
        float[] copy = new float[0];
        float[] out = new float[0];
        float[] dyT = new float[0];
        float[] partial = new float[0];
        float[] copies = new float[0];
        float[] dyLast = new float[0];
        float[] sums = new float[0];
        float[] packed = new float[0];
        float[] phase = new float[0];

        static float[] grow(float[] a, long size) {
            return a.length >= size ? a : new float[Math.toIntExact(size)];
        }
    }

    /** Where the weights of a forward pass come from: the index in {@code w} of the weight for row {@code row}, depth {@code p}. */
    @FunctionalInterface
    private interface WeightIndex {
        int of(int grp, int row, int p);
    }

    /** Whether {@link #forward} handles {@code g}. */
    boolean supportsForward(ConvGeometry g) {
        return ShiftedPlan.fits(g, tiles.shiftedCols());
    }

    /**
     * Whether {@link #backwardInput} handles {@code g}: at least a quarter of a tile of input channels per group (a
     * phase computes a tile row per input channel; with fewer, most of each tile is padding and im2col was measured
     * faster: 0.96 against 2.1 ms for one input channel and 32 output channels of 28 x 28).
     */
    boolean supportsBackwardInput(ConvGeometry g) {
        if (4 * (g.inChannels() / g.groups()) < tiles.shiftedRows()) {
            return false;
        }
        for (GradientPhase phase : GradientPhase.of(g)) {
            if (!ShiftedPlan.fits(phase.pass(), tiles.shiftedCols())) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@link #backwardWeight} handles {@code g}. */
    boolean supportsBackwardWeight(ConvGeometry g) {
        return (long) g.batch() * g.groups() * (TapPlan.copySize(g) + tiles.lanes()) < Integer.MAX_VALUE / 2;
    }

    /** {@code y = conv(x, w) + bias} ({@code bias} may be null); overwrites {@code y}. */
    @SuppressWarnings("java:S107")
    void forward(ConvGeometry g, float[] x, long xOff, float[] w, long wOff, float[] bias, long biasOff,
                 float[] y, long yOff) {
        ShiftedPlan plan = ShiftedPlan.of(g);
        int depth = plan.cg() * plan.taps();
        forwardPass(plan, (grp, k, p) -> (grp * plan.kg() + k) * depth + p, x, xOff, w, wOff, bias, biasOff, y, yOff);
    }

    /**
     * {@code dx}, as one stride-1 forward pass of {@code dy} per stride phase ({@link GradientPhase}); overwrites
     * {@code dx}. With stride 1 the single phase writes {@code dx} directly; otherwise each phase's result is
     * scattered to its positions, and positions no phase reaches are zeroed first.
     */
    void backwardInput(ConvGeometry g, float[] dy, long dyOff, float[] w, long wOff, float[] dx, long dxOff) {
        List<GradientPhase> phases = GradientPhase.of(g);
        if (phases.size() == 1 && phases.get(0).coversInput(g)) {
            GradientPhase phase = phases.get(0);
            forwardPass(ShiftedPlan.of(phase.pass()), (grp, c, p) -> phase.weightIndex(g, grp, c, p), dy, dyOff, w, wOff,
                    null, 0, dx, dxOff);
            return;
        }
        int inSize = g.inDepth() * g.inHeight() * g.inWidth();
        if (GradientPhase.leavesZeros(g)) {
            CpuParallel.parallelFor(0, g.inputSize(), 1 << 16, (from, to) ->
                    Arrays.fill(dx, (int) (dxOff + from), (int) (dxOff + to), 0f));
        }
        Scratch caller = SCRATCH.get();
        for (GradientPhase phase : phases) {
            ConvGeometry pass = phase.pass();
            caller.phase = Scratch.grow(caller.phase, pass.outputSize());
            float[] out = caller.phase;
            forwardPass(ShiftedPlan.of(pass), (grp, c, p) -> phase.weightIndex(g, grp, c, p), dy, dyOff, w, wOff, null, 0,
                    out, 0);
            GradientPhase.Axis ad = phase.axes()[0];
            GradientPhase.Axis ah = phase.axes()[1];
            GradientPhase.Axis aw = phase.axes()[2];
            int rows = ad.count() * ah.count();
            CpuParallel.parallelFor(0, (long) g.batch() * g.inChannels() * rows, Math.max(1, 4096 / aw.count()), (from, to) -> {
                for (long r = from; r < to; r++) {
                    long plane = r / rows;
                    int row = (int) (r - plane * rows);
                    int jd = row / ah.count();
                    int jh = row - jd * ah.count();
                    int src = (int) (r * aw.count());
                    int dst = (int) (dxOff + plane * inSize
                            + ((long) (ad.first() + jd * ad.stride()) * g.inHeight() + ah.first() + jh * ah.stride()) * g.inWidth()
                            + aw.first());
                    for (int jw = 0; jw < aw.count(); jw++) {
                        dx[dst + jw * aw.stride()] = out[src + jw];
                    }
                }
            });
        }
    }

    @SuppressWarnings("java:S107")
    private void forwardPass(ShiftedPlan plan, WeightIndex source, float[] x, long xOff, float[] w, long wOff,
                             float[] bias, long biasOff, float[] y, long yOff) {
        ConvGeometry g = plan.g();
        int rows = tiles.shiftedRows();
        int cols = tiles.shiftedCols();
        int depth = plan.cg() * plan.taps();
        int rowTiles = (plan.kg() + rows - 1) / rows;
        int block = Math.max(1, Math.min(depth, PANEL_BUDGET / (rowTiles * rows)));
        Scratch caller = SCRATCH.get();
        caller.packed = Scratch.grow(caller.packed, (long) g.groups() * rowTiles * rows * depth);
        float[] packed = caller.packed;
        packWeights(plan, source, w, (int) wOff, rowTiles, rows, packed);

        int threads = CpuParallel.threads();
        long images = (long) g.batch() * g.groups();
        int bands = images >= 2L * threads ? 1 : (int) Math.min(plan.virtualRows(), (2L * threads + images - 1) / images);
        int bandRows = (plan.virtualRows() + bands - 1) / bands;
        int inSize = g.inDepth() * g.inHeight() * g.inWidth();
        int outSize = g.outDepth() * g.outHeight() * g.outWidth();
        int bandCols = roundUp(Math.min(plan.span(), bandRows * plan.wq()), cols);
        CpuParallel.parallelFor(0, images * bands, 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            s.copy = Scratch.grow(s.copy, (long) plan.copySize() + cols);
            s.out = Scratch.grow(s.out, (long) rowTiles * rows * bandCols);
            long copied = -1;
            for (long task = from; task < to; task++) {
                long image = task / bands;
                int band = (int) (task % bands);
                int n = (int) (image / g.groups());
                int grp = (int) (image % g.groups());
                if (image != copied) {
                    plan.copyImage(x, (int) (xOff + ((long) n * g.inChannels() + (long) grp * plan.cg()) * inSize), s.copy, 0);
                    copied = image;
                }
                int rv0 = band * bandRows;
                int rv1 = Math.min(plan.virtualRows(), rv0 + bandRows);
                if (rv0 >= rv1) {
                    continue;
                }
                int q0 = rv0 * plan.wq();
                int width = (rv1 - 1) * plan.wq() + g.outWidth() - q0;
                int ldc = roundUp(width, cols);
                int panels = grp * rowTiles;
                for (int p0 = 0; p0 < depth; p0 += block) {
                    int kc = Math.min(block, depth - p0);
                    for (int j = 0; j < ldc; j += cols) {
                        for (int t = 0; t < rowTiles; t++) {
                            tiles.shifted(kc, packed, ((panels + t) * depth + p0) * rows, s.copy, q0 + j,
                                    plan.offsets(), p0, s.out, t * rows * ldc + j, ldc, p0 > 0);
                        }
                    }
                }
                int yBase = (int) (yOff + ((long) n * g.outChannels() + (long) grp * plan.kg()) * outSize);
                storeBand(plan, s.out, ldc, q0, rv0, rv1, bias, biasOff + (long) grp * plan.kg(), y, yBase);
            }
        });
    }

    /**
     * Packs the weights of every group into depth-major panels of {@code rows} output channels:
     * {@code packed[((grp rowTiles + t) depth + p) rows + r] = w[wOff + source(grp, t rows + r, p)]}, 0 past the
     * group's channels.
     */
    private static void packWeights(ShiftedPlan plan, WeightIndex source, float[] w, int wOff, int rowTiles, int rows,
                                    float[] packed) {
        int depth = plan.cg() * plan.taps();
        for (int grp = 0; grp < plan.g().groups(); grp++) {
            for (int t = 0; t < rowTiles; t++) {
                int base = (grp * rowTiles + t) * depth * rows;
                for (int r = 0; r < rows; r++) {
                    int k = t * rows + r;
                    for (int p = 0; p < depth; p++) {
                        packed[base + p * rows + r] = k < plan.kg() ? w[wOff + source.of(grp, k, p)] : 0f;
                    }
                }
            }
        }
    }

    /**
     * Copies the real positions of virtual rows {@code [rv0, rv1)} from the scratch block ({@code out[k ldc + q - q0]})
     * to {@code y} (channel {@code k} of the group at {@code y[yBase + k OD OH OW]}), adding {@code bias[k]}: each run
     * of real rows of one output depth slice is one {@link ConvTiles#copyRows} (an {@code arraycopy} per row cost
     * more than the tiles of a one-channel convolution).
     */
    @SuppressWarnings("java:S107")
    private void storeBand(ShiftedPlan plan, float[] out, int ldc, int q0, int rv0, int rv1, float[] bias,
                           long biasOff, float[] y, int yBase) {
        ConvGeometry g = plan.g();
        int oh = g.outHeight();
        int ow = g.outWidth();
        int outSize = g.outDepth() * oh * ow;
        for (int k = 0; k < plan.kg(); k++) {
            float b = bias == null ? -0f : bias[(int) biasOff + k]; // -0 is the exact identity of +
            int rv = rv0;
            while (rv < rv1) {
                int od = rv / plan.hq();
                int h = rv - od * plan.hq();
                int rows = Math.min(rv1 - rv, oh - h); // real rows left in this depth slice
                if (rows <= 0) {
                    rv += plan.hq() - h; // the slice's virtual rows past OH
                    continue;
                }
                tiles.copyRows(out, k * ldc + rv * plan.wq() - q0, plan.wq(), y, yBase + k * outSize + (od * oh + h) * ow,
                        ow, rows, b);
                rv += rows;
            }
        }
    }


    /**
     * {@code dw[k, p] = sum_n sum_o dy[n, k, o] x[n, tap_p(o)]} over the real output positions {@code o}, read from a
     * {@link TapPlan} copy of each image; overwrites {@code dw}. Deep convolutions ({@code Cg T >= }
     * {@value #GATHERED_MIN_DEPTH}) with at least a gathered tile's width of output channels transpose the output
     * gradient and run {@link ConvTiles#gathered} tiles; the others, where the transposition would cost more than the
     * products or most of a tile's columns would be padding, run {@link ConvTiles#rowDot} tiles on the gradient in
     * place.
     */
    void backwardWeight(ConvGeometry g, float[] x, long xOff, float[] dy, long dyOff, float[] dw, long dwOff) {
        TapPlan plan = TapPlan.of(g);
        int cg = g.inChannels() / g.groups();
        int kg = g.outChannels() / g.groups();
        int depth = cg * g.kernelD() * g.kernelH() * g.kernelW();
        if (depth >= GATHERED_MIN_DEPTH && kg >= tiles.gatheredCols()) {
            gatheredWeight(plan, x, xOff, dy, dyOff, dw, dwOff);
        } else {
            rowDotWeight(plan, x, xOff, dy, dyOff, dw, dwOff);
        }
    }

    /**
     * The weight gradient by {@link ConvTiles#gathered} tiles of {@code dw^T} ({@code Cg T} rows by {@code Kg}
     * columns): the images are split into a fixed number of chunks that depends on the sizes only; a task copies
     * each image of its chunk and transposes its output gradient to {@code [position][channel]}, then accumulates
     * its tiles over the chunk into the chunk's slice of a scratch buffer; the slices are added in chunk order.
     */
    private void gatheredWeight(TapPlan plan, float[] x, long xOff, float[] dy, long dyOff, float[] dw, long dwOff) {
        ConvGeometry g = plan.g();
        int rows = tiles.gatheredRows();
        int cols = tiles.gatheredCols();
        int cg = g.inChannels() / g.groups();
        int kg = g.outChannels() / g.groups();
        int depth = plan.offsets().length;
        int rowTiles = (depth + rows - 1) / rows;
        int ldc = roundUp(kg, cols);
        int sliceSize = g.groups() * rowTiles * rows * ldc;
        int chunks = (int) Math.max(1, Math.min(Math.min(g.batch(), MAX_CHUNKS), PARTIAL_BUDGET / sliceSize));
        // row-tile ranges per chunk, so that a few large chunks still make enough tasks (sizes only, not threads)
        long perChunk = (long) chunks * g.groups();
        int ranges = (int) Math.min(rowTiles, Math.max(1, (MAX_CHUNKS + perChunk - 1) / perChunk));
        int[] rowOffsets = Arrays.copyOf(plan.offsets(), rowTiles * rows); // padded rows read a real row, then dropped
        int outSize = g.outDepth() * g.outHeight() * g.outWidth();
        Scratch caller = SCRATCH.get();
        caller.partial = Scratch.grow(caller.partial, (long) chunks * sliceSize);
        float[] partial = caller.partial;
        int inSize = g.inDepth() * g.inHeight() * g.inWidth();
        CpuParallel.parallelFor(0, perChunk * ranges, 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            s.copy = Scratch.grow(s.copy, plan.copySize());
            s.out = Scratch.grow(s.out, plan.scratchSize(tiles.shiftedCols()));
            s.dyT = Scratch.grow(s.dyT, (long) outSize * ldc);
            for (long task = from; task < to; task++) {
                int chunk = (int) (task / ((long) g.groups() * ranges));
                int grp = (int) (task / ranges % g.groups());
                int range = (int) (task % ranges);
                int t0 = (int) ((long) rowTiles * range / ranges);
                int t1 = (int) ((long) rowTiles * (range + 1) / ranges);
                int n0 = (int) ((long) g.batch() * chunk / chunks);
                int n1 = (int) ((long) g.batch() * (chunk + 1) / chunks);
                int sliceBase = chunk * sliceSize + grp * rowTiles * rows * ldc;
                for (int n = n0; n < n1; n++) {
                    plan.copyImage(x, (int) (xOff + ((long) n * g.inChannels() + (long) grp * cg) * inSize), s.out, tiles,
                            s.copy, 0);
                    transpose(dy, (int) (dyOff + ((long) n * g.outChannels() + (long) grp * kg) * outSize), kg, outSize,
                            s.dyT, ldc);
                    for (int t = t0; t < t1; t++) {
                        for (int j = 0; j < ldc; j += cols) {
                            tiles.gathered(s.copy, 0, rowOffsets, t * rows, outSize, s.dyT, j, ldc, partial,
                                    sliceBase + t * rows * ldc + j, ldc, n > n0);
                        }
                    }
                }
            }
        });
        sumChunks(g, chunks, sliceSize, rowTiles * rows, ldc, partial, dw, (int) dwOff);
    }

    /**
     * {@code dst[o ldd + k] = src[srcBase + k size + o]} for {@code k < channels}, 0 for {@code channels <= k < ldd};
     * four positions per pass over the channels, so that each read of a channel row serves four output rows.
     */
    private static void transpose(float[] src, int srcBase, int channels, int size, float[] dst, int ldd) {
        int o = 0;
        for (; o + 4 <= size; o += 4) {
            for (int k = 0; k < channels; k++) {
                int from = srcBase + k * size + o;
                float a = src[from];
                float b = src[from + 1];
                float c = src[from + 2];
                float d = src[from + 3];
                dst[o * ldd + k] = a;
                dst[(o + 1) * ldd + k] = b;
                dst[(o + 2) * ldd + k] = c;
                dst[(o + 3) * ldd + k] = d;
            }
        }
        for (; o < size; o++) {
            for (int k = 0; k < channels; k++) {
                dst[o * ldd + k] = src[srcBase + k * size + o];
            }
        }
        if (channels < ldd) {
            for (int r = 0; r < size; r++) {
                Arrays.fill(dst, r * ldd + channels, (r + 1) * ldd, 0f);
            }
        }
    }

    /**
     * {@code dw[(grp Kg + k) Cg T + p] = sum_{chunk} partial[chunk][grp][p][k]}, added in chunk order, in parallel over
     * weight elements.
     */
    @SuppressWarnings("java:S107")
    private static void sumChunks(ConvGeometry g, int chunks, int sliceSize, int rowsPadded, int ldc, float[] partial,
                                  float[] dw, int dwOff) {
        int depth = g.inChannels() / g.groups() * g.kernelD() * g.kernelH() * g.kernelW();
        int kg = g.outChannels() / g.groups();
        long total = g.weightSize();
        CpuParallel.parallelFor(0, total, Math.max(1, 8192 / chunks), (from, to) -> {
            for (long i = from; i < to; i++) {
                int kAll = (int) (i / depth);
                int p = (int) (i - (long) kAll * depth);
                int grp = kAll / kg;
                int k = kAll - grp * kg;
                int src = (grp * rowsPadded + p) * ldc + k;
                float sum = partial[src];
                for (int c = 1; c < chunks; c++) {
                    sum += partial[c * sliceSize + src];
                }
                dw[dwOff + (int) i] = sum;
            }
        });
    }

    /**
     * The weight gradient by {@link ConvTiles#rowDot} tiles, which multiply runs of output positions of a few
     * output-gradient channels, read in place, with the same runs of a few taps of the image's copy. The copies of
     * every image are made first (in parallel over images). The tiles are split over the threads; a thread keeps the
     * lane-wise sums of a batch of tiles while it passes over the images in order, then adds the lanes of each sum
     * in a fixed order.
     */
    private void rowDotWeight(TapPlan plan, float[] x, long xOff, float[] dy, long dyOff, float[] dw, long dwOff) {
        ConvGeometry g = plan.g();
        int groups = g.groups();
        int lanes = tiles.lanes();
        int kt = tiles.rowDotChannels();
        int pt = tiles.rowDotTaps();
        int cg = g.inChannels() / groups;
        int kg = g.outChannels() / groups;
        int depth = plan.offsets().length;
        int kTiles = (kg + kt - 1) / kt;
        int pTiles = (depth + pt - 1) / pt;
        int tileFloats = kt * pt * lanes;
        int outSize = g.outDepth() * g.outHeight() * g.outWidth();
        int inSize = g.inDepth() * g.inHeight() * g.inWidth();
        int copyStride = plan.copySize() + lanes; // the last vector of a run reads up to a vector past the copy
        // rows past the group's taps or channels read a real one, and their sums are dropped
        int[] taps = Arrays.copyOf(plan.offsets(), pTiles * pt);
        int[] chans = new int[kTiles * kt];
        for (int k = 0; k < kg; k++) {
            chans[k] = k * outSize;
        }
        Scratch caller = SCRATCH.get();
        caller.copies = Scratch.grow(caller.copies, (long) g.batch() * groups * copyStride);
        float[] copies = caller.copies;
        CpuParallel.parallelFor(0, (long) g.batch() * groups, 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            s.out = Scratch.grow(s.out, plan.scratchSize(tiles.shiftedCols()));
            for (long image = from; image < to; image++) {
                int n = (int) (image / groups);
                int grp = (int) (image % groups);
                plan.copyImage(x, (int) (xOff + ((long) n * g.inChannels() + (long) grp * cg) * inSize), s.out, tiles,
                        copies, (int) image * copyStride);
            }
        });
        // the last vector of a run reads a whole vector: the last images' gradients (at least a vector's worth) are
        // read from a copy with room after its end, and every read of an earlier image ends inside dy
        int imageDy = g.outChannels() * outSize;
        int lastImages = Math.min(g.batch(), (lanes + imageDy - 1) / imageDy);
        int firstLast = g.batch() - lastImages;
        caller.dyLast = Scratch.grow(caller.dyLast, (long) lastImages * imageDy + lanes);
        float[] dyLast = caller.dyLast;
        System.arraycopy(dy, (int) (dyOff + (long) firstLast * imageDy), dyLast, 0, lastImages * imageDy);
        int tileCount = Math.toIntExact((long) groups * kTiles * pTiles);
        int[] tileGroup = new int[tileCount];
        int[] tileK0 = new int[tileCount]; // first output channel
        int[] tileP0 = new int[tileCount]; // first depth index
        for (int t = 0; t < tileCount; t++) {
            int rest = t % (kTiles * pTiles);
            tileGroup[t] = t / (kTiles * pTiles);
            tileK0[t] = rest / pTiles * kt;
            tileP0[t] = rest % pTiles * pt;
        }
        int ranges = (int) Math.min(tileCount, 2L * CpuParallel.threads());
        CpuParallel.parallelFor(0, ranges, 1, (from, to) -> {
            Scratch s = SCRATCH.get();
            for (long range = from; range < to; range++) {
                int t0 = (int) ((long) tileCount * range / ranges);
                int t1 = (int) ((long) tileCount * (range + 1) / ranges);
                for (int b0 = t0; b0 < t1; b0 += TILE_BATCH) {
                    int batch = Math.min(TILE_BATCH, t1 - b0);
                    s.sums = Scratch.grow(s.sums, (long) batch * tileFloats);
                    for (int n = 0; n < g.batch(); n++) {
                        boolean last = n >= firstLast;
                        float[] dySource = last ? dyLast : dy;
                        long dyImage = last ? (long) (n - firstLast) * imageDy : dyOff + (long) n * imageDy;
                        for (int i = 0; i < batch; i++) {
                            int grp = tileGroup[b0 + i];
                            tiles.rowDot(copies, (n * groups + grp) * copyStride, taps, tileP0[b0 + i], dySource,
                                    (int) (dyImage + (long) grp * kg * outSize), chans, tileK0[b0 + i], outSize, s.sums,
                                    i * tileFloats, n > 0);
                        }
                    }
                    for (int i = 0; i < batch; i++) {
                        storeSums(s.sums, i * tileFloats, kt, pt, lanes, tileGroup[b0 + i], tileK0[b0 + i], tileP0[b0 + i],
                                kg, depth, dw, (int) dwOff);
                    }
                }
            }
        });
    }

    /**
     * {@code dw[(grp Kg + k) Cg T + p] = sum_l sums[si + ((k - k0) pt + p - p0) L + l]} for the tile's real
     * {@code (k, p)}, lanes added in increasing order.
     */
    @SuppressWarnings("java:S107")
    private static void storeSums(float[] sums, int si, int kt, int pt, int lanes, int grp, int k0, int p0, int kg,
                                  int depth, float[] dw, int dwOff) {
        for (int k = k0; k < Math.min(kg, k0 + kt); k++) {
            for (int p = p0; p < Math.min(depth, p0 + pt); p++) {
                int at = si + ((k - k0) * pt + p - p0) * lanes;
                float sum = sums[at];
                for (int l = 1; l < lanes; l++) {
                    sum += sums[at + l];
                }
                dw[dwOff + (grp * kg + k) * depth + p] = sum;
            }
        }
    }

    private static int roundUp(int v, int multiple) {
        return (v + multiple - 1) / multiple * multiple;
    }
}
