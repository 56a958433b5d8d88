package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv.cl against {@link NaiveCnn}: forward, input gradient and weight gradient for both variants (direct,
 * and blocked where a block divides the channels), with stride 2 and 3, dilation 2, groups 2, depthwise,
 * asymmetric padding, 3-D, with and without bias, at buffer offsets.
 */
class ClConvTest {
    static final ConvGeometry[] SHAPES = {
        // n, c, d, h, w, k, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, groups
        NaiveCnn.conv(2, 3, 1, 7, 9, 5, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1),         // K odd: direct forward
        NaiveCnn.conv(3, 4, 1, 11, 10, 8, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 1, 1, 1),       // stride 2, KB 8, CB 4
        NaiveCnn.conv(2, 6, 1, 13, 12, 4, 1, 3, 2, 1, 3, 3, 0, 2, 1, 1, 2, 2, 2),       // stride 3, dilation 2, groups 2
        NaiveCnn.conv(2, 6, 1, 9, 9, 6, 1, 3, 3, 1, 1, 2, 0, 1, 1, 1, 1, 1, 6),         // depthwise
        NaiveCnn.conv(2, 4, 1, 8, 7, 4, 1, 3, 3, 1, 1, 1, 0, 2, 0, 0, 0, 1, 1, 1, 1, 1),  // asymmetric padding
        NaiveCnn.conv(2, 4, 5, 6, 7, 6, 3, 2, 3, 2, 1, 2, 1, 0, 1, 1, 2, 1, 2),         // 3-D, groups 2, Kg 3
        NaiveCnn.conv(1, 2, 4, 5, 5, 8, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1),         // 3-D, dilation 2 in depth
        NaiveCnn.conv(2, 16, 1, 14, 14, 32, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1),     // many work-groups, KB 8, CB 8
        NaiveCnn.conv(3, 1, 1, 10, 9, 2, 1, 5, 5, 1, 1, 1, 0, 2, 2, 1, 1, 1, 1),        // C 1, 5x5
        NaiveCnn.conv(1, 3, 1, 4, 4, 2, 1, 3, 3, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1),         // 2x2 output, no padding
        // stride 1, 2-D: the row kernels' branches (ROWS; the other variants run them too)
        NaiveCnn.conv(2, 4, 1, 5, 37, 8, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1),        // 3 row vectors, odd rows: partial blocks
        NaiveCnn.conv(1, 4, 1, 6, 16, 4, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1),        // rows of exactly one vector
        NaiveCnn.conv(2, 4, 1, 9, 11, 6, 1, 3, 3, 1, 1, 1, 0, 2, 2, 1, 2, 2, 2),        // dilation 2, groups 2, Kg 3, Cg 2
        NaiveCnn.conv(2, 3, 1, 5, 6, 4, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1),         // 1x1 padded: dy cropped for dx
        NaiveCnn.conv(1, 2, 1, 9, 9, 2, 1, 7, 7, 1, 1, 1, 0, 3, 3, 1, 1, 1, 1),         // 49 taps: weight gradient not ROWS
        NaiveCnn.conv(20, 2, 1, 6, 6, 4, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1),        // 20 images: weight chunks of 10
        NaiveCnn.conv(2, 3, 1, 7, 8, 6, 1, 1, 5, 1, 1, 1, 0, 0, 2, 0, 0, 1, 1, 1, 1, 1),  // 1x5, asymmetric padding
        NaiveCnn.conv(2, 16, 1, 7, 9, 6, 1, 3, 3, 1, 1, 1, 0, 2, 2, 1, 2, 2, 2),        // Cg 8: channel lanes, dilation 2
        NaiveCnn.conv(3, 32, 1, 5, 6, 6, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 2),        // Cg 16, Kg 3: channel lanes, WKB 1
    };

    static Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyVariantMatchesReference(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (ClConv.Variant variant : ClConv.Variant.values()) {
            ClConv conv = new ClConv(b.context(), variant);
            for (ConvGeometry g : SHAPES) {
                check(b, conv, g, variant + " " + g + " on " + tb);
            }
            conv.close();
        }
    }

    /**
     * The row kernels at the narrower vector widths (the device's preferred width, 16 here, runs in
     * {@link #everyVariantMatchesReference}); shapes that reach several row vectors, dilation with groups and the
     * channel-lane weight kernel (every width is a program per kernel extent, so few shapes).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void rowsAtNarrowerVectorWidths(TestBackend tb) {
        OpenClBackend b = tb.backend();
        int[][] shapesByWidth = {{4, 12, 17}, {8, 10, 17}};
        for (int[] w : shapesByWidth) {
            ClConv conv = new ClConv(b.context(), ClConv.Variant.ROWS, w[0]);
            for (int i = 1; i < w.length; i++) {
                ConvGeometry g = SHAPES[w[i]];
                check(b, conv, g, "ROWS VW=" + w[0] + " " + g + " on " + tb);
            }
            conv.close();
        }
    }

    @Test
    void rowsApplyToTwoDimensionalStrideOneConvolutions() {
        assertTrue(ClConvRows.supports(SHAPES[10]));
        assertTrue(ClConvRows.supports(SHAPES[0]));
        assertFalse(ClConvRows.supports(SHAPES[1]), "stride 2");
        assertFalse(ClConvRows.supports(SHAPES[5]), "3-D");
        assertTrue(ClConvRows.supports(SHAPES[14]));
        assertFalse(ClConvRows.supportsWeight(SHAPES[14]), "49 taps");
        assertEquals(2, ClConvRows.weightBlock(SHAPES[10]));
        assertEquals(1, ClConvRows.weightBlock(SHAPES[12]), "Kg 3");
        assertEquals(8, ClConvRows.block(ClConvRows.FORWARD_BLOCKS, 64));
        assertEquals(1, ClConvRows.block(ClConvRows.FORWARD_BLOCKS, 5));
        assertTrue(ClConvRows.channelsInLanes(SHAPES[7], 16), "Cg 16");
        assertFalse(ClConvRows.channelsInLanes(SHAPES[17], 16), "Cg 8 at 16 lanes");
        assertTrue(ClConvRows.channelsInLanes(SHAPES[17], 8), "Cg 8 at 8 lanes");
        assertEquals(1, ClConvRows.channelBlock(SHAPES[18]), "Kg 3");
        assertEquals(1 << 16, ClConvRows.workspaceSize(10));
        assertEquals(1 << 21, ClConvRows.workspaceSize((1 << 20) + 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tunedPassesAreCorrectTimedOnceAndStored(TestBackend tb, @TempDir Path dir) {
        OpenClBackend b = tb.backend();
        Path file = dir.resolve("conv-tuning.properties");
        ConvGeometry[] shapes = {SHAPES[0], SHAPES[SHAPES.length - 1]};
        ClConv conv = new ClConv(b.context(), ClConv.Variant.BLOCKED, new ClGemm(b.context()), new TuningStore(file));
        for (ConvGeometry g : shapes) {
            check(b, conv, g, "tuned " + g + " on " + tb);
        }
        assertEquals(3 * shapes.length * ClConv.TUNED.size(), conv.tuner().timings(),
                "each pass of each geometry timed once per candidate");
        TuningStore stored = new TuningStore(file);
        for (String pass : new String[] {"forward", "input", "weight"}) {
            String choice = stored.get(pass + "_" + ClConv.key(shapes[0]));
            assertTrue(choice != null && ClConv.TUNED.stream().anyMatch(v -> v.name().equals(choice)), pass + ": " + choice);
        }
        conv.close();
        ClConv reloaded = new ClConv(b.context(), ClConv.Variant.BLOCKED, new ClGemm(b.context()), new TuningStore(file));
        for (ConvGeometry g : shapes) {
            check(b, reloaded, g, "reloaded " + g + " on " + tb);
        }
        assertEquals(0, reloaded.tuner().timings(), "stored choices are used without timing");
        reloaded.close();
    }

    private static void check(OpenClBackend b, ClConv conv, ConvGeometry g, String what) {
        int nx = (int) g.inputSize();
        int nw = (int) g.weightSize();
        int ny = (int) g.outputSize();
        float[] x = random(nx, nx, -1f, 1f);
        float[] w = random(nw, nw, -1f, 1f);
        float[] bias = random(7, g.outChannels(), -1f, 1f);
        float[] dy = random(ny, ny, -1f, 1f);
        float[][] mag = NaiveCnn.convMagnitudes(g, x, w, dy);
        ClBuffer xd = (ClBuffer) upload(b, pad(x, 3));
        ClBuffer wd = (ClBuffer) upload(b, pad(w, 1));
        ClBuffer bd = (ClBuffer) upload(b, pad(bias, 2));
        ClBuffer dyd = (ClBuffer) upload(b, pad(dy, 5));
        ClBuffer yd = (ClBuffer) upload(b, random(1, ny + 4, 9f, 10f));     // garbage: must be overwritten
        ClBuffer dxd = (ClBuffer) upload(b, random(2, nx + 1, 9f, 10f));
        ClBuffer dwd = (ClBuffer) upload(b, random(3, nw + 2, 9f, 10f));

        conv.forward(g, xd, 3, wd, 1, bd, 2, yd, 4);
        assertClose("forward+bias " + what, NaiveCnn.convForward(g, x, w, bias), download(b, yd, 4, ny), atol(mag[0]), 1e-5);
        conv.forward(g, xd, 3, wd, 1, null, 0, yd, 4);
        assertClose("forward " + what, NaiveCnn.convForward(g, x, w, null), download(b, yd, 4, ny), atol(mag[0]), 1e-5);
        conv.backwardInput(g, dyd, 5, wd, 1, dxd, 1);
        assertClose("backwardInput " + what, NaiveCnn.convBackwardInput(g, dy, w), download(b, dxd, 1, nx), atol(mag[1]), 1e-5);
        conv.backwardWeight(g, xd, 3, dyd, 5, dwd, 2);
        assertClose("backwardWeight " + what, NaiveCnn.convBackwardWeight(g, x, dy), download(b, dwd, 2, nw), atol(mag[2]), 1e-5);
        for (DeviceMemory d : new DeviceMemory[] {xd, wd, bd, dyd, yd, dxd, dwd}) {
            b.release(d);
        }
    }

    /** A float sum of terms with magnitudes summing to S is within a few eps * S of the exact sum; 1e-6 * S plus a floor. */
    private static double atol(float[] magnitudes) {
        double max = 0;
        for (float m : magnitudes) {
            max = Math.max(max, m);
        }
        return 1e-6 * max + 1e-6;
    }

    private static float[] pad(float[] x, int front) {
        float[] out = new float[x.length + front];
        System.arraycopy(x, 0, out, front, x.length);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void throughTheBackendAndRangeChecks(TestBackend tb) {
        OpenClBackend b = tb.backend();
        ConvGeometry g = SHAPES[1];
        float[] x = random(1, (int) g.inputSize(), -1f, 1f);
        float[] w = random(2, (int) g.weightSize(), -1f, 1f);
        DeviceMemory xd = upload(b, x);
        DeviceMemory wd = upload(b, w);
        DeviceMemory yd = b.allocate(g.outputSize());
        b.convForward(g, xd, 0, wd, 0, null, 0, yd, 0);
        assertClose("convForward via backend on " + tb, NaiveCnn.convForward(g, x, w, null), download(b, yd, 0, (int) g.outputSize()),
                1e-5, 1e-5);
        assertThrows(IllegalArgumentException.class, () -> b.convForward(g, xd, 1, wd, 0, null, 0, yd, 0));
        b.release(xd);
        b.release(wd);
        b.release(yd);
    }
}
