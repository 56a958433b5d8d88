package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both engines of {@link CpuConv} (the shifted-rows engine with Vector API tiles, and im2col with the plain GEMM
 * kernel) against {@link NaiveConv} over many geometries (2-D and 3-D, odd sizes, strides 2
 * and 3, dilation 2, asymmetric padding, groups 2 and depthwise, 1x1 / 3x3 / 5x5 / rectangular kernels,
 * output size 1, one geometry large enough for several im2col chunks), with and without bias, at
 * nonzero offsets, into outputs pre-filled with NaN (so an op that accumulates instead of overwriting
 * fails). Each op runs twice, reusing its workspace. The naive backward passes are first checked by
 * central differences of the naive forward.
 */
class CpuConvTest {
    private static final Backend BACKEND = TestData.backend();
    /** The engine of a JVM with the Vector API, and the one without it. */
    private static final List<CpuConv> ENGINES = List.of(
            new CpuConv(new CpuGemm(), CpuVectorSupport.load("org.cnn4j.cpu.ConvTilesVector", ConvTiles.class)),
            new CpuConv(new CpuGemm(new CpuGemmPlain()), null));
    private static final List<String> ENGINE_NAMES = List.of("shifted", "im2col");

    /** A named geometry; {@code out = floor((in + before + after - dilation (kernel - 1) - 1) / stride) + 1}. */
    private static Arguments geometry(String name, int n, int c, int[] in, int k, int[] kernel, int[] stride,
                                      int[] before, int[] after, int[] dilation, int groups, boolean bias) {
        int[] out = new int[3];
        for (int i = 0; i < 3; i++) {
            out[i] = Math.floorDiv(in[i] + before[i] + after[i] - dilation[i] * (kernel[i] - 1) - 1, stride[i]) + 1;
            assertTrue(out[i] >= 1, name + ": output size must be >= 1");
        }
        ConvGeometry g = new ConvGeometry(n, c, in[0], in[1], in[2], k, kernel[0], kernel[1], kernel[2],
                stride[0], stride[1], stride[2], before[0], before[1], before[2], dilation[0], dilation[1], dilation[2],
                groups, out[0], out[1], out[2]);
        return Arguments.of(name, g, bias, 0);
    }

    private static int[] v(int... values) {
        return values;
    }

    /** The 2-D shape {@code (1, h, w)}. */
    private static int[] hw(int h, int w) {
        return v(1, h, w);
    }

    static Stream<Arguments> geometries() {
        return List.of(
                geometry("3x3 s1 p1", 2, 3, hw(7, 9), 4, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 1, true),
                geometry("3x3 s1 p0 no bias", 3, 2, hw(6, 5), 3, hw(3, 3), hw(1, 1), hw(0, 0), hw(0, 0), hw(1, 1), 1, false),
                geometry("1x1 pointwise", 3, 5, hw(6, 7), 4, hw(1, 1), hw(1, 1), hw(0, 0), hw(0, 0), hw(1, 1), 1, true),
                geometry("1x1 pointwise groups 2", 2, 4, hw(5, 3), 6, hw(1, 1), hw(1, 1), hw(0, 0), hw(0, 0), hw(1, 1), 2, false),
                geometry("1x1 stride 2", 2, 3, hw(7, 7), 5, hw(1, 1), hw(2, 2), hw(0, 0), hw(0, 0), hw(1, 1), 1, true),
                geometry("1x1 pad 1", 2, 3, hw(4, 5), 2, hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 1, true),
                geometry("5x5 s2 p2", 2, 2, hw(11, 10), 3, hw(5, 5), hw(2, 2), hw(2, 2), hw(2, 2), hw(1, 1), 1, true),
                geometry("3x2 stride 3x2 asymmetric", 2, 3, hw(9, 8), 4, hw(3, 2), hw(3, 2), hw(1, 0), hw(2, 1), hw(1, 1), 1, true),
                geometry("stride 3", 2, 2, hw(10, 11), 3, hw(3, 3), hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), 1, false),
                geometry("dilation 2", 2, 3, hw(9, 9), 2, hw(3, 3), hw(1, 1), hw(2, 2), hw(2, 2), hw(2, 2), 1, true),
                geometry("dilation 2 stride 2 pad 1", 1, 2, hw(10, 9), 3, hw(3, 3), hw(2, 2), hw(1, 1), hw(1, 1), hw(2, 2), 1, true),
                geometry("groups 2", 2, 4, hw(6, 6), 6, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 2, true),
                geometry("depthwise s2", 2, 5, hw(7, 6), 5, hw(3, 3), hw(2, 2), hw(1, 1), hw(1, 1), hw(1, 1), 5, true),
                geometry("depthwise multiplier 2", 2, 3, hw(5, 6), 6, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 3, false),
                geometry("asymmetric padding", 1, 2, hw(5, 6), 3, hw(3, 3), hw(1, 1), hw(2, 0), hw(0, 1), hw(1, 1), 1, true),
                geometry("padding only after", 2, 2, hw(4, 4), 2, hw(2, 2), hw(2, 2), hw(0, 0), hw(1, 1), hw(1, 1), 1, true),
                geometry("output 1x1", 2, 3, hw(3, 3), 2, hw(3, 3), hw(1, 1), hw(0, 0), hw(0, 0), hw(1, 1), 1, true),
                geometry("kernel wider than input", 2, 2, hw(2, 2), 3, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 1, true),
                geometry("input 1x1", 3, 4, hw(1, 1), 2, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 2, true),
                geometry("3-D 3x3x3 p1", 2, 3, v(5, 6, 4), 4, v(3, 3, 3), v(1, 1, 1), v(1, 1, 1), v(1, 1, 1), v(1, 1, 1), 1, true),
                geometry("3-D strided dilated groups 3", 1, 3, v(7, 5, 5), 3, v(2, 3, 2), v(2, 1, 2), v(0, 1, 1),
                        v(1, 1, 0), v(2, 1, 1), 3, true),
                geometry("3-D 1x1x1", 2, 4, v(3, 4, 5), 3, v(1, 1, 1), v(1, 1, 1), v(0, 0, 0), v(0, 0, 0), v(1, 1, 1), 1, false),
                geometry("3-D depthwise stride 2", 2, 3, v(5, 5, 6), 3, v(3, 3, 3), v(2, 2, 2), v(1, 1, 1), v(1, 1, 1),
                        v(1, 1, 1), 3, true),
                geometry("medium (parallel GEMM)", 4, 16, hw(16, 16), 32, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 1, true),
                geometry("large (im2col chunks)", 7, 64, hw(64, 64), 4, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 1, true),
                geometry("one image, bands of rows", 1, 5, hw(23, 21), 13, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 1, true),
                geometry("deep (several depth blocks)", 3, 300, hw(5, 4), 180, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 1, true),
                geometry("pad larger than kernel (cropping)", 2, 3, hw(5, 6), 4, hw(3, 3), hw(1, 1), hw(3, 3), hw(2, 3), hw(1, 1), 1, true),
                geometry("dilation 3 stride 2 3-D", 2, 2, v(6, 9, 8), 3, v(2, 2, 3), v(2, 2, 1), v(1, 2, 0), v(0, 1, 2), v(3, 3, 2), 1, true),
                geometry("reference conv1 shape", 3, 1, hw(28, 28), 32, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 1, true),
                geometry("reference conv2 shape", 5, 32, hw(14, 14), 64, hw(3, 3), hw(1, 1), hw(1, 1), hw(1, 1), hw(1, 1), 1, true))
                .stream();
    }

    /** Every geometry with every engine. */
    static Stream<Arguments> cases() {
        return geometries().flatMap(a -> Stream.of(0, 1).map(e -> Arguments.of(ENGINE_NAMES.get(e) + ": " + a.get()[0],
                a.get()[1], a.get()[2], e)));
    }

    /** Tolerance for sums of {@code terms} float products of values in [-1, 1]. */
    private static double atol(long terms) {
        return 2e-6 * Math.sqrt(terms) + 1e-6;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("geometries")
    void naiveBackwardMatchesFiniteDifferences(String name, ConvGeometry g, boolean withBias, int unused) {
        if (g.macs() > 300_000) {
            return; // the naive passes are checked on the smaller geometries
        }
        double[] x = TestData.toDouble(TestData.random(1, (int) g.inputSize()));
        double[] w = TestData.toDouble(TestData.random(2, (int) g.weightSize()));
        double[] b = withBias ? TestData.toDouble(TestData.random(3, g.outChannels())) : null;
        double[] r = TestData.toDouble(TestData.random(4, (int) g.outputSize()));
        // L = <r, conv(x, w) + b>, so dL/dy = r
        FiniteDifference.check(name + " dx", xx -> FiniteDifference.dot(r, NaiveConv.forward(g, xx, w, b)),
                x, NaiveConv.backwardInput(g, r, w), 40, 1e-3, 1e-8);
        FiniteDifference.check(name + " dw", ww -> FiniteDifference.dot(r, NaiveConv.forward(g, x, ww, b)),
                w, NaiveConv.backwardWeight(g, x, r), 40, 1e-3, 1e-8);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesNaive(String name, ConvGeometry g, boolean withBias, int engine) {
        float[] x = TestData.random(11, (int) g.inputSize());
        float[] w = TestData.random(12, (int) g.weightSize());
        float[] b = withBias ? TestData.random(13, g.outChannels()) : null;
        double[] expected = NaiveConv.forward(g, TestData.toDouble(x), TestData.toDouble(w), b == null ? null : TestData.toDouble(b));
        DeviceMemory xm = TestData.uploadAt(BACKEND, x, 3);
        DeviceMemory wm = TestData.uploadAt(BACKEND, w, 1);
        DeviceMemory bm = b == null ? null : TestData.uploadAt(BACKEND, b, 2);
        int outSize = (int) g.outputSize();
        long terms = g.weightSize() / g.outChannels();
        for (int round = 0; round < 2; round++) {
            DeviceMemory ym = TestData.garbage(BACKEND, outSize, 5);
            ENGINES.get(engine).convForward(g, xm, 3, wm, 1, bm, 2, ym, 5);
            Tolerance.assertClose(name + " forward (round " + round + ")", expected,
                    TestData.downloadAt(BACKEND, ym, 5, outSize), atol(terms), 1e-5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardInputMatchesNaive(String name, ConvGeometry g, boolean withBias, int engine) {
        float[] dy = TestData.random(21, (int) g.outputSize());
        float[] w = TestData.random(22, (int) g.weightSize());
        double[] expected = NaiveConv.backwardInput(g, TestData.toDouble(dy), TestData.toDouble(w));
        DeviceMemory dym = TestData.uploadAt(BACKEND, dy, 2);
        DeviceMemory wm = TestData.uploadAt(BACKEND, w, 7);
        int inSize = (int) g.inputSize();
        long terms = g.weightSize() / g.inChannels() * g.groups();
        for (int round = 0; round < 2; round++) {
            DeviceMemory dxm = TestData.garbage(BACKEND, inSize, 1);
            ENGINES.get(engine).convBackwardInput(g, dym, 2, wm, 7, dxm, 1);
            Tolerance.assertClose(name + " backwardInput (round " + round + ")", expected,
                    TestData.downloadAt(BACKEND, dxm, 1, inSize), atol(terms), 1e-5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardWeightMatchesNaive(String name, ConvGeometry g, boolean withBias, int engine) {
        float[] x = TestData.random(31, (int) g.inputSize());
        float[] dy = TestData.random(32, (int) g.outputSize());
        double[] expected = NaiveConv.backwardWeight(g, TestData.toDouble(x), TestData.toDouble(dy));
        DeviceMemory xm = TestData.uploadAt(BACKEND, x, 4);
        DeviceMemory dym = TestData.uploadAt(BACKEND, dy, 0);
        int wSize = (int) g.weightSize();
        long terms = g.outputSize() / g.outChannels();
        DeviceMemory dwm = TestData.garbage(BACKEND, wSize, 6);
        for (int round = 0; round < 2; round++) { // the same dw twice: overwritten, not accumulated
            ENGINES.get(engine).convBackwardWeight(g, xm, 4, dym, 0, dwm, 6);
            Tolerance.assertClose(name + " backwardWeight (round " + round + ")", expected,
                    TestData.downloadAt(BACKEND, dwm, 6, wSize), atol(terms), 1e-5);
        }
    }
}
