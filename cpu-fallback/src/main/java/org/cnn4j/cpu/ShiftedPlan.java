package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * The layout {@link CpuConvShifted} computes a convolution in: each input image is copied, zero-padded and split
 * into stride phases, so that every tap of the kernel reads a contiguous run of that copy for a run of
 * consecutive output positions. The convolution then becomes a matrix product whose right-hand rows are
 * "shifted rows" of the copy, read in place (an implicit GEMM, no im2col matrix).
 *
 * <p>With strides {@code (sD, sH, sW)}, dilations {@code (dD, dH, dW)} and padding {@code (pD, pH, pW)} before
 * the input, the copy of one image holds, for each input channel {@code c'} of a group and each phase
 * {@code (u, v, z)} with {@code u < sD, v < sH, z < sW}, a plane
 * <pre>
 *   plane[c'][u, v, z][i, j, l] = x[c', i sD + u - pD, j sH + v - pH, l sW + z - pW]     (0 outside x)
 *   of extent Dq x Hq x Wq,  Dq = OD + floor(dD (kD - 1) / sD)  (likewise Hq, Wq)
 * </pre>
 * Output {@code (od, oh, ow)} has the <i>virtual position</i> {@code q = (od Hq + oh) Wq + ow}; positions with
 * {@code oh >= OH} or {@code ow >= OW} exist only in this numbering and their results are discarded. Tap
 * {@code (a, b, e)} of input channel {@code c'} reads, for every output, the element at {@code off + q} of the
 * copy, where
 * <pre>
 *   off(c', a, b, e) = (c' F + (u Sv + v) sW + z) Pq + (floor(a dD / sD) Hq + floor(b dH / sH)) Wq + floor(e dW / sW)
 *   u = a dD mod sD, v = b dH mod sH, z = e dW mod sW,   F = sD sH sW phases,   Pq = Dq Hq Wq
 * </pre>
 * because {@code floor(a dD / sD) sD + u = a dD}. The depth index of tap {@code (c', a, b, e)} is
 * {@code p = c' T + (a kH + b) kW + e} with {@code T = kD kH kW}, the order of the weight tensor.
 *
 * <p>The input "x" of a plan may also be an output gradient: {@link CpuConvShifted} computes the input gradient
 * as stride-1 forward convolutions of {@code dy} with reversed kernels, one per stride phase ({@link GradientPhase}).
 *
 * @param g            the convolution this layout is for
 * @param cg           input channels per group
 * @param kg           output channels per group
 * @param taps         {@code T = kD kH kW}
 * @param phases       {@code F = sD sH sW}
 * @param dq           phase-plane depth
 * @param hq           phase-plane height
 * @param wq           phase-plane width (the pitch of a virtual output row)
 * @param planeSize    {@code Pq = Dq Hq Wq}
 * @param copySize     floats of one image's copy for one group, {@code Cg F Pq}
 * @param virtualRows  {@code (OD - 1) Hq + OH}: virtual rows up to and including the last real one
 * @param span         {@code (virtualRows - 1) Wq + OW}: virtual positions up to and including the last real one
 * @param offsets      {@code off(c', a, b, e)} by depth index, length {@code Cg T}
 */
record ShiftedPlan(ConvGeometry g, int cg, int kg, int taps, int phases, int dq, int hq, int wq, int planeSize,
                   int copySize, int virtualRows, int span, int[] offsets) {

    /** The layout of {@code g} (whose sizes must already have been validated by the caller). */
    static ShiftedPlan of(ConvGeometry g) {
        int cg = g.inChannels() / g.groups();
        int kg = g.outChannels() / g.groups();
        int taps = g.kernelD() * g.kernelH() * g.kernelW();
        int phases = g.strideD() * g.strideH() * g.strideW();
        int dq = g.outDepth() + g.dilationD() * (g.kernelD() - 1) / g.strideD();
        int hq = g.outHeight() + g.dilationH() * (g.kernelH() - 1) / g.strideH();
        int wq = g.outWidth() + g.dilationW() * (g.kernelW() - 1) / g.strideW();
        int planeSize = Math.toIntExact((long) dq * hq * wq);
        int copySize = Math.toIntExact((long) cg * phases * planeSize);
        int virtualRows = (g.outDepth() - 1) * hq + g.outHeight();
        int span = (virtualRows - 1) * wq + g.outWidth();
        int[] offsets = new int[cg * taps];
        for (int c = 0; c < cg; c++) {
            for (int a = 0; a < g.kernelD(); a++) {
                int sa = a * g.dilationD();
                for (int b = 0; b < g.kernelH(); b++) {
                    int sb = b * g.dilationH();
                    for (int e = 0; e < g.kernelW(); e++) {
                        int se = e * g.dilationW();
                        int phase = ((sa % g.strideD()) * g.strideH() + sb % g.strideH()) * g.strideW() + se % g.strideW();
                        offsets[c * taps + (a * g.kernelH() + b) * g.kernelW() + e] = (c * phases + phase) * planeSize
                                + ((sa / g.strideD()) * hq + sb / g.strideH()) * wq + se / g.strideW();
                    }
                }
            }
        }
        return new ShiftedPlan(g, cg, kg, taps, phases, dq, hq, wq, planeSize, copySize, virtualRows, span, offsets);
    }

    /** Whether the layout fits int indexing with room for a tile of {@code slack} floats past every read. */
    static boolean fits(ConvGeometry g, int slack) {
        long cg = g.inChannels() / g.groups();
        long dq = g.outDepth() + (long) g.dilationD() * (g.kernelD() - 1) / g.strideD();
        long hq = g.outHeight() + (long) g.dilationH() * (g.kernelH() - 1) / g.strideH();
        long wq = g.outWidth() + (long) g.dilationW() * (g.kernelW() - 1) / g.strideW();
        long phases = (long) g.strideD() * g.strideH() * g.strideW();
        long copy = cg * phases * dq * hq * wq;
        return copy + 2L * slack + wq < Integer.MAX_VALUE / 2;
    }

    /**
     * Writes the zero-padded, phase-split copy of one image's group of input channels: {@code src[srcBase]} is
     * element {@code (c' = 0, 0, 0, 0)} of the group, channel planes {@code D H W} apart; the copy goes to
     * {@code dst[dstBase ...]} in the layout of the type's javadoc.
     */
    void copyImage(float[] src, int srcBase, float[] dst, int dstBase) {
        int inD = g.inDepth();
        int inH = g.inHeight();
        int inW = g.inWidth();
        int channelSize = inD * inH * inW;
        int sD = g.strideD();
        int sH = g.strideH();
        int sW = g.strideW();
        for (int c = 0; c < cg; c++) {
            int cSrc = srcBase + c * channelSize;
            for (int u = 0; u < sD; u++) {
                for (int v = 0; v < sH; v++) {
                    for (int z = 0; z < sW; z++) {
                        int plane = dstBase + (c * phases + (u * sH + v) * sW + z) * planeSize;
                        int firstW = z - g.padLeft(); // input column of plane column 0
                        for (int i = 0; i < dq; i++) {
                            int id = i * sD + u - g.padFront();
                            for (int j = 0; j < hq; j++) {
                                int ih = j * sH + v - g.padTop();
                                int row = plane + (i * hq + j) * wq;
                                if (id < 0 || id >= inD || ih < 0 || ih >= inH) {
                                    java.util.Arrays.fill(dst, row, row + wq, 0f);
                                } else {
                                    paddedRow(src, cSrc + (id * inH + ih) * inW, inW, firstW, sW, dst, row, wq);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code dst[row + l] = src[in + firstW + l stride]} for {@code l < width} where that column lies in
     * {@code [0, inW)} of the input row starting at {@code src[in]}, else 0.
     */
    @SuppressWarnings("java:S107")
    static void paddedRow(float[] src, int in, int inW, int firstW, int stride, float[] dst, int row, int width) {
        // columns [lo, hi) land inside the input: firstW + l stride in [0, inW)
        int lo = firstW >= 0 ? 0 : Math.min(width, (-firstW + stride - 1) / stride);
        int hi = firstW >= inW ? lo : Math.max(lo, Math.min(width, (inW - 1 - firstW) / stride + 1));
        int at = in + firstW;
        for (int l = 0; l < lo; l++) { // the padding is a few columns: no call
            dst[row + l] = 0f;
        }
        if (stride == 1) {
            if (hi > lo) {
                System.arraycopy(src, at + lo, dst, row + lo, hi - lo);
            }
        } else {
            for (int l = lo; l < hi; l++) {
                dst[row + l] = src[at + l * stride];
            }
        }
        for (int l = hi; l < width; l++) {
            dst[row + l] = 0f;
        }
    }
}
