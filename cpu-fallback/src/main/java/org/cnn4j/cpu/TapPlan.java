package org.cnn4j.cpu;

import java.util.Arrays;
import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * The layout {@link CpuConvShifted}'s weight gradient reads each input image in: planes indexed by the real output
 * position {@code o = (od OH + oh) OW + ow}, so that every tap of the kernel reads a run of a plane that starts at a
 * fixed offset and advances with {@code o}:
 * <pre>
 *   value(tap, o) = copy[offset(tap) + o] = x[c', tap(o)]           (0 where the tap reads padding)
 * </pre>
 * The loops over {@code o} then index both the copy and the output gradient by the loop counter, which lets C2
 * take the array bounds checks out of the loop (with a table of positions, C2 kept a compare and a branch on every
 * load of the depth loop).
 *
 * <p>Two layouts, by geometry:
 * <ul>
 *   <li><b>columns</b> (2-D): for each input channel {@code c'}, kernel column {@code e} and row phase
 *       {@code u < sH}, a plane of {@code Hq x OW} taken from the {@link ShiftedPlan} copy, whose rows are
 *       {@code Wq} wide: {@code X[c', e, u][i, ow] = shifted[c', phase (u, e dW mod sW)][i, ow + e dW div sW]}.
 *       Tap {@code (c', b, e)} has offset {@code plane(c', e, b dH mod sH) + (b dH div sH) OW}, because
 *       {@code (oh + b dH div sH) OW + ow = o + (b dH div sH) OW}. {@code kW sH} planes per channel; built by
 *       {@link ConvTiles#copyRows}, whole vectors per row.</li>
 *   <li><b>taps</b> (3-D): one plane of {@code OD OH OW} per tap, the tap's column of the im2col matrix.</li>
 * </ul>
 *
 * @param g          the convolution
 * @param shifted    the shifted-rows layout the column planes are cut from (null for the tap layout)
 * @param planeSize  floats of one plane
 * @param copySize   floats of one image's copy for one group
 * @param offsets    {@code offset(tap)} by depth index {@code p = c' T + (a kH + b) kW + e}
 */
record TapPlan(ConvGeometry g, ShiftedPlan shifted, int planeSize, int copySize, int[] offsets) {

    /** The layout of {@code g} (sizes already validated by the caller). */
    static TapPlan of(ConvGeometry g) {
        int cg = g.inChannels() / g.groups();
        int taps = g.kernelD() * g.kernelH() * g.kernelW();
        int outSize = g.outDepth() * g.outHeight() * g.outWidth();
        int[] offsets = new int[cg * taps];
        if (columnsApply(g)) {
            ShiftedPlan shifted = ShiftedPlan.of(g);
            int planeSize = shifted.hq() * g.outWidth();
            int sH = g.strideH();
            for (int c = 0; c < cg; c++) {
                for (int b = 0; b < g.kernelH(); b++) {
                    int rowShift = b * g.dilationH();
                    for (int e = 0; e < g.kernelW(); e++) {
                        int plane = (c * g.kernelW() + e) * sH + rowShift % sH;
                        offsets[c * taps + b * g.kernelW() + e] = plane * planeSize + rowShift / sH * g.outWidth();
                    }
                }
            }
            return new TapPlan(g, shifted, planeSize, cg * g.kernelW() * sH * planeSize, offsets);
        }
        for (int p = 0; p < offsets.length; p++) {
            offsets[p] = p * outSize;
        }
        return new TapPlan(g, null, outSize, cg * taps * outSize, offsets);
    }

    /** Whether the column layout applies: a 2-D convolution. */
    static boolean columnsApply(ConvGeometry g) {
        return g.inDepth() == 1 && g.kernelD() == 1 && g.outDepth() == 1;
    }

    /** Floats of one image's copy for one group, in {@code long}, for size checks before {@link #of}. */
    static long copySize(ConvGeometry g) {
        long cg = g.inChannels() / g.groups();
        long outSize = (long) g.outDepth() * g.outHeight() * g.outWidth();
        if (columnsApply(g)) {
            long hq = g.outHeight() + (long) g.dilationH() * (g.kernelH() - 1) / g.strideH();
            return cg * g.kernelW() * g.strideH() * hq * g.outWidth();
        }
        return cg * g.kernelD() * g.kernelH() * g.kernelW() * outSize;
    }

    /** Floats of scratch {@link #copyImage} needs beside its output (the shifted copy the columns come from). */
    int scratchSize(int slack) {
        return shifted == null ? 0 : shifted.copySize() + slack;
    }

    /**
     * Writes the copy of one image's group of input channels: {@code src[srcBase]} is element {@code (c' = 0, 0, 0, 0)}
     * of the group, channel planes {@code D H W} apart; the copy goes to {@code dst[dstBase ...]}. The column layout
     * first makes the {@link ShiftedPlan} copy in {@code scratch} (of at least {@link #scratchSize} floats, with a
     * vector of slack), then cuts the planes from it with {@code tiles}.
     */
    void copyImage(float[] src, int srcBase, float[] scratch, ConvTiles tiles, float[] dst, int dstBase) {
        if (shifted != null) {
            shifted.copyImage(src, srcBase, scratch, 0);
            int cg = g.inChannels() / g.groups();
            int sH = g.strideH();
            int sW = g.strideW();
            int ow = g.outWidth();
            for (int c = 0; c < cg; c++) {
                for (int e = 0; e < g.kernelW(); e++) {
                    int columnShift = e * g.dilationW();
                    for (int u = 0; u < sH; u++) {
                        int phase = (c * shifted.phases() + u * sW + columnShift % sW);
                        tiles.copyRows(scratch, phase * shifted.planeSize() + columnShift / sW, shifted.wq(), dst,
                                dstBase + ((c * g.kernelW() + e) * sH + u) * planeSize, ow, shifted.hq(), -0f);
                    }
                }
            }
            return;
        }
        copyTaps(src, srcBase, dst, dstBase);
    }

    /** The tap layout: each tap's im2col column, row by row. */
    private void copyTaps(float[] src, int srcBase, float[] dst, int dstBase) {
        int inH = g.inHeight();
        int inW = g.inWidth();
        int ow = g.outWidth();
        int cg = g.inChannels() / g.groups();
        int taps = g.kernelD() * g.kernelH() * g.kernelW();
        for (int c = 0; c < cg; c++) {
            int channel = srcBase + c * g.inDepth() * inH * inW;
            for (int a = 0; a < g.kernelD(); a++) {
                for (int b = 0; b < g.kernelH(); b++) {
                    for (int e = 0; e < g.kernelW(); e++) {
                        int plane = dstBase + offsets[c * taps + (a * g.kernelH() + b) * g.kernelW() + e];
                        int firstW = e * g.dilationW() - g.padLeft();
                        for (int od = 0; od < g.outDepth(); od++) {
                            int id = od * g.strideD() + a * g.dilationD() - g.padFront();
                            boolean depthInside = id >= 0 && id < g.inDepth();
                            for (int oh = 0; oh < g.outHeight(); oh++) {
                                int row = plane + (od * g.outHeight() + oh) * ow;
                                if (!depthInside) {
                                    Arrays.fill(dst, row, row + ow, 0f);
                                    continue;
                                }
                                copyRow(src, channel + id * inH * inW, oh * g.strideH() + b * g.dilationH() - g.padTop(),
                                        firstW, dst, row);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code dst[row + ow] = plane[ih, ow sW + firstW]} for {@code ow < OW}, 0 where the row {@code ih} or the column
     * falls outside the input plane at {@code src[plane]}.
     */
    private void copyRow(float[] src, int plane, int ih, int firstW, float[] dst, int row) {
        if (ih < 0 || ih >= g.inHeight()) {
            Arrays.fill(dst, row, row + g.outWidth(), 0f);
        } else {
            ShiftedPlan.paddedRow(src, plane + ih * g.inWidth(), g.inWidth(), firstW, g.strideW(), dst, row, g.outWidth());
        }
    }
}
