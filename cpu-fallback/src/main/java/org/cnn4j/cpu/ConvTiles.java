package org.cnn4j.cpu;

/**
 * The register-tiled inner kernels of {@link CpuConvShifted}. Each computes one tile of a matrix product whose
 * operands are read in place from the {@link ShiftedPlan} copy of an image; the tile shapes are fixed by the
 * implementation (they depend on the vector width and register count) and reported by the accessors.
 */
interface ConvTiles {
    /** Rows of a {@link #shifted} tile. */
    int shiftedRows();

    /** Columns of a {@link #shifted} tile (consecutive virtual positions). */
    int shiftedCols();

    /** Rows (depth indices) of a {@link #gathered} tile. */
    int gatheredRows();

    /** Columns (output channels) of a {@link #gathered} tile. */
    int gatheredCols();

    /** Output-gradient channels of a {@link #rowDot} tile. */
    int rowDotChannels();

    /** Depth indices (input channel and tap) of a {@link #rowDot} tile. */
    int rowDotTaps();

    /** Floats per vector: the lanes of each {@link #rowDot} sum. */
    int lanes();

    /**
     * The forward tile: for {@code r < shiftedRows()}, {@code j < shiftedCols()},
     * <pre>
     *   c[ci + r ldc + j] (+)= sum_{p < depth} a[ai + p R + r] * b[bBase + off[offStart + p] + j]     R = shiftedRows()
     * </pre>
     * {@code a} is a packed weight panel (depth-major, {@code R} rows per depth step), {@code b} the copy of an
     * image and {@code off} the plan's tap offsets. C is overwritten (never read) when {@code add} is false, else
     * accumulated.
     */
    @SuppressWarnings("java:S107")
    void shifted(int depth, float[] a, int ai, float[] b, int bBase, int[] off, int offStart, float[] c, int ci, int ldc,
                 boolean add);

    /**
     * The weight-gradient tile over a transposed output gradient: for {@code r < gatheredRows()},
     * {@code j < gatheredCols()},
     * <pre>
     *   c[ci + r ldc + j] (+)= sum_{o < count} x[xBase + rows[r0 + r] + o] * dyT[dyBase + o ldg + j]
     * </pre>
     * where {@code x} is a {@link TapPlan} copy ({@code rows} holds the offsets of the tile's taps), {@code o} the real
     * output position and {@code dyT} the output gradient transposed to {@code [position][channel]} with row pitch
     * {@code ldg}. C is overwritten (never read) when {@code add} is false, else accumulated. The sum runs in
     * increasing {@code o}.
     */
    @SuppressWarnings("java:S107")
    void gathered(float[] x, int xBase, int[] rows, int r0, int count, float[] dyT, int dyBase, int ldg, float[] c,
                  int ci, int ldc, boolean add);

    /**
     * The weight-gradient tile, as lane-wise partial sums over a run of output positions: with
     * {@code K = rowDotChannels()}, {@code P = rowDotTaps()}, {@code L = lanes()}, for {@code k < K}, {@code p < P},
     * {@code l < L},
     * <pre>
     *   sums[si + (k P + p) L + l] (+)= sum_{o = l mod L, o < count} dy[dyBase + chans[k0 + k] + o] * x[xBase + taps[p0 + p] + o]
     * </pre>
     * where {@code x} is a {@link TapPlan} copy and {@code chans} the offsets of the output-gradient channels. The last
     * vector of the run, when {@code count} is not a multiple of {@code L}, still reads whole vectors from both arrays
     * (a vector must fit in each past its start), but its lanes past {@code count} are replaced by 0 before they are
     * multiplied (an input value read there could be infinite). The sums are overwritten (never read) when
     * {@code add} is false, else accumulated; the caller adds the lanes of each in a fixed order.
     */
    @SuppressWarnings("java:S107")
    void rowDot(float[] x, int xBase, int[] taps, int p0, float[] dy, int dyBase, int[] chans, int k0, int count,
                float[] sums, int si, boolean add);

    /**
     * Copies {@code rows} runs of {@code width} floats, adding {@code bias}: for {@code r < rows}, {@code w < width},
     * {@code dst[dstPos + r width + w] = src[srcPos + r srcPitch + w] + bias} (so the destination rows are
     * contiguous). The ranges must not overlap; nothing outside the destination range is written, but reads may
     * run to a vector past the start of the last source row.
     */
    @SuppressWarnings("java:S107")
    void copyRows(float[] src, int srcPos, int srcPitch, float[] dst, int dstPos, int width, int rows, float bias);
}
