package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case recorded from PyTorch by {@code src/test/python/make_cnn_vectors.py}
 * ({@code reference/cnn.txt}), on every device, through the backend SPI. The expected values are
 * PyTorch's, so this checks the SPI conventions (weight layout, padding and output sizes, ceil mode, the
 * avg-pool divisor, adaptive cell bounds, max-pool indices, biased batch variance, label smoothing, the
 * activation gradients at 0) against the framework users compare with, independently of the {@code Naive*}
 * references. The mapping of PyTorch's conventions: asymmetric conv padding is the SPI's leading padding
 * plus the output size; a transposed convolution is {@code convBackwardInput} with the roles of input and
 * output swapped; the conv bias gradient is the sum of {@code dy} over batch and space (a reduction, run on
 * the device); the cross-entropy gradient of the mean is {@code crossEntropyBackward} with
 * {@code scale = 1 / rows}. Tolerances: {@link CnnTolerances}, the same as the contract tests.
 */
class PyTorchCnnReferenceTest {
    static final String RESOURCE = "/reference/cnn.txt";
    private static final List<ReferenceVectors.Case> CASES = ReferenceVectors.load(RESOURCE, "make_cnn_vectors.py");

    static Stream<Arguments> devicesAndCases() {
        return TestDevices.all().flatMap(d -> CASES.stream().map(c -> Arguments.of(d, Named.of(c.id(), c))));
    }

    @Test
    void theVectorsCoverEveryOp() {
        String[] ops = {"conv2d", "conv3d", "conv_transpose2d", "max_pool2d", "max_pool3d", "avg_pool2d", "avg_pool3d",
            "adaptive_avg_pool2d", "batch_norm", "softmax", "log_softmax", "cross_entropy", "relu", "leaky_relu", "elu", "gelu",
            "sigmoid", "tanh"};
        for (String op : ops) {
            assertTrue(CASES.stream().anyMatch(c -> c.op().equals(op)), "no reference case for op " + op);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("devicesAndCases")
    void matchesPyTorch(Device device, ReferenceVectors.Case c) {
        SpiCalls spi = new SpiCalls(device);
        String what = c.id() + " (" + c.op() + " " + c.keys() + ") on " + device.spec();
        switch (c.op()) {
            case "conv2d", "conv3d" -> conv(device, spi, c, what);
            case "conv_transpose2d" -> convTranspose(spi, c, what);
            case "max_pool2d", "max_pool3d" -> maxPool(spi, c, what);
            case "avg_pool2d", "avg_pool3d" -> avgPool(spi, c, what);
            case "adaptive_avg_pool2d" -> adaptive(spi, c, what);
            case "batch_norm" -> batchNorm(spi, c, what);
            case "softmax", "log_softmax" -> softmax(spi, c, what);
            case "cross_entropy" -> crossEntropy(spi, c, what);
            case "relu", "leaky_relu", "elu", "gelu", "sigmoid", "tanh" -> activation(spi, c, what);
            default -> throw new IllegalStateException("reference case " + c.id() + " has an unknown op " + c.op());
        }
    }

    private static float[] v(ReferenceVectors.Case c, String role) {
        return c.tensor(role).values();
    }

    private static int[] shape(ReferenceVectors.Case c, String role) {
        return c.tensor(role).shape();
    }

    private static int[] ints(ReferenceVectors.Case c, String key) {
        return ReferenceVectors.parseShape(c.key(key));
    }

    /** {@code {1, a, b}} for a 2-D list, the list itself for a 3-D one. */
    private static int[] three(int[] list, int fill) {
        return list.length == 3 ? list : new int[] {fill, list[0], list[1]};
    }

    private static double[] ref(ReferenceVectors.Case c, String role) {
        return NaiveOps.toDouble(v(c, role));
    }

    private static void conv(Device device, SpiCalls spi, ReferenceVectors.Case c, String what) {
        int[] xs = shape(c, "x");
        int[] ws = shape(c, "w");
        boolean is3d = c.op().equals("conv3d");
        int[] in = is3d ? new int[] {xs[2], xs[3], xs[4]} : new int[] {1, xs[2], xs[3]};
        int[] kernel = is3d ? new int[] {ws[2], ws[3], ws[4]} : new int[] {1, ws[2], ws[3]};
        int[] before;
        int[] after;
        if (is3d) {
            before = ints(c, "pad");
            after = before;
        } else {
            int[] p = ints(c, "pad"); // top, bottom, left, right
            before = new int[] {0, p[0], p[2]};
            after = new int[] {0, p[1], p[3]};
        }
        ConvGeometry g = NaiveConv.geometry(xs[0], xs[1], in, ws[0], kernel, three(ints(c, "stride"), 1), before, after,
                three(ints(c, "dilation"), 1), Integer.parseInt(c.key("groups")));
        assertEquals(NaiveOps.numel(shape(c, "y")), g.outputSize(), what + ": output size of the geometry " + g);
        float[] x = v(c, "x");
        float[] w = v(c, "w");
        float[] bias = c.tensors().containsKey("bias") ? v(c, "bias") : null;
        float[] dy = v(c, "dy");
        CnnTolerances.convForward(g, x, w, bias).assertClose(what + ": y", ref(c, "y"), spi.convForward(g, x, w, bias));
        CnnTolerances.convBackwardInput(g, dy, w).assertClose(what + ": dx", ref(c, "dx"), spi.convBackwardInput(g, dy, w));
        CnnTolerances.convBackwardWeight(g, x, dy).assertClose(what + ": dw", ref(c, "dw"), spi.convBackwardWeight(g, x, dy));
        if (bias != null) {
            int spatial = g.outDepth() * g.outHeight() * g.outWidth();
            try (Scope scope = Scope.open()) {
                float[] db = device.fromArray(dy, g.batch(), g.outChannels(), spatial).sum(2, false).sum(0, false).toArray();
                Tolerances.sum(Tolerances.absSum(dy)).assertClose(what + ": db (sum of dy over batch and space)", ref(c, "db"), db);
            }
        }
    }

    private static void assertEquals(long expected, long actual, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual, what);
    }

    private static void convTranspose(SpiCalls spi, ReferenceVectors.Case c, String what) {
        int[] xs = shape(c, "x"); // [N, Cin, H, W]
        int[] ws = shape(c, "w"); // [Cin, Cout / G, kh, kw]
        int[] ys = shape(c, "y"); // [N, Cout, Ho, Wo]
        int groups = Integer.parseInt(c.key("groups"));
        int[] pad = ints(c, "padding");
        // the conv whose input gradient this is: input [N, Cout, Ho, Wo], output [N, Cin, H, W], weight [Cin, Cout / G, kh, kw]
        ConvGeometry g = NaiveConv.geometry(xs[0], ys[1], new int[] {1, ys[2], ys[3]}, xs[1], new int[] {1, ws[2], ws[3]},
                three(ints(c, "stride"), 1), new int[] {0, pad[0], pad[1]}, new int[] {0, pad[0], pad[1]},
                three(ints(c, "dilation"), 1), groups);
        assertArrayEquals(new int[] {xs[2], xs[3]}, new int[] {g.outHeight(), g.outWidth()}, what + ": conv geometry " + g);
        float[] x = v(c, "x");
        float[] w = v(c, "w");
        CnnTolerances.convBackwardInput(g, x, w).assertClose(what + ": y = convBackwardInput", ref(c, "y"), spi.convBackwardInput(g, x, w));
    }

    private static PoolGeometry window(ReferenceVectors.Case c) {
        int[] xs = shape(c, "x");
        boolean is3d = xs.length == 5;
        int[] in = is3d ? new int[] {xs[2], xs[3], xs[4]} : new int[] {1, xs[2], xs[3]};
        PoolGeometry g = NaivePool.geometry(xs[0] * xs[1], in, three(ints(c, "kernel"), 1), three(ints(c, "stride"), 1),
                three(ints(c, "padding"), 0), Boolean.parseBoolean(c.key("ceil_mode")));
        assertEquals(NaiveOps.numel(shape(c, "y")), g.outputSize(), c.id() + ": output size of the geometry " + g);
        return g;
    }

    private static void maxPool(SpiCalls spi, ReferenceVectors.Case c, String what) {
        PoolGeometry g = window(c);
        float[][] got = spi.maxPool(g, v(c, "x"));
        CnnTolerances.MAX_POOL.assertClose(what + ": y", ref(c, "y"), got[0]);
        CnnTolerances.MAX_POOL.assertClose(what + ": indices", ref(c, "indices"), got[1]);
        float[] dy = v(c, "dy");
        CnnTolerances.poolBackward(g, false, dy).assertClose(what + ": dx", ref(c, "dx"), spi.maxPoolBackward(g, dy, v(c, "indices")));
    }

    private static void avgPool(SpiCalls spi, ReferenceVectors.Case c, String what) {
        PoolGeometry g = window(c);
        boolean cip = Boolean.parseBoolean(c.key("count_include_pad"));
        CnnTolerances.avgPool(v(c, "x")).assertClose(what + ": y", ref(c, "y"), spi.avgPool(g, cip, v(c, "x")));
        float[] dy = v(c, "dy");
        CnnTolerances.poolBackward(g, false, dy).assertClose(what + ": dx", ref(c, "dx"), spi.avgPoolBackward(g, cip, dy));
    }

    private static void adaptive(SpiCalls spi, ReferenceVectors.Case c, String what) {
        int[] xs = shape(c, "x");
        int[] out = ints(c, "output");
        PoolGeometry g = NaivePool.adaptive(xs[0] * xs[1], new int[] {1, xs[2], xs[3]}, new int[] {1, out[0], out[1]});
        CnnTolerances.avgPool(v(c, "x")).assertClose(what + ": y", ref(c, "y"), spi.adaptiveAvgPool(g, v(c, "x")));
        float[] dy = v(c, "dy");
        CnnTolerances.poolBackward(g, true, dy).assertClose(what + ": dx", ref(c, "dx"), spi.adaptiveAvgPoolBackward(g, dy));
    }

    private static void batchNorm(SpiCalls spi, ReferenceVectors.Case c, String what) {
        int[] xs = shape(c, "x");
        int n = xs[0];
        int ch = xs[1];
        int spatial = NaiveOps.numel(xs) / (n * ch);
        float eps = Float.parseFloat(c.key("eps"));
        float[] x = v(c, "x");
        float[] dy = v(c, "dy");
        float[] mean = v(c, "mean");
        float[] var = v(c, "var");
        float[] gamma = v(c, "gamma");
        float[] beta = v(c, "beta");
        float[][] st = spi.batchNormStatistics(n, ch, spatial, x);
        CnnTolerances.bnMean(n, ch, spatial, x).assertClose(what + ": mean", ref(c, "mean"), st[0]);
        CnnTolerances.bnVar(n, ch, spatial, x).assertClose(what + ": var", ref(c, "var"), st[1]);
        CnnTolerances.bnForward(eps, x, mean, var, gamma, beta).assertClose(what + ": y", ref(c, "y"),
                spi.batchNormForward(n, ch, spatial, eps, x, mean, var, gamma, beta));
        float[][] g = spi.batchNormBackward(n, ch, spatial, eps, x, dy, mean, var, gamma, true);
        int m = n * spatial;
        CnnTolerances.bnDx(eps, x, dy, mean, var, gamma).assertClose(what + ": dx", ref(c, "dx"), g[0]);
        CnnTolerances.bnDgamma(m, eps, x, dy, mean, var).assertClose(what + ": dgamma", ref(c, "dgamma"), g[1]);
        CnnTolerances.bnDbeta(m, dy).assertClose(what + ": dbeta", ref(c, "dbeta"), g[2]);
    }

    private static void softmax(SpiCalls spi, ReferenceVectors.Case c, String what) {
        boolean log = c.op().equals("log_softmax");
        int[] xs = shape(c, "x");
        int rows = xs[0];
        int classes = xs[1];
        float[] x = v(c, "x");
        float[] dy = v(c, "dy");
        (log ? CnnTolerances.logSoftmax(classes, x) : CnnTolerances.SOFTMAX).assertClose(what + ": y", ref(c, "y"),
                spi.softmax(log, rows, classes, x));
        (log ? CnnTolerances.logSoftmaxBackward(rows, classes, dy) : CnnTolerances.softmaxBackward(dy)).assertClose(what + ": dx",
                ref(c, "dx"), spi.softmaxBackward(log, rows, classes, v(c, "y"), dy));
    }

    private static void crossEntropy(SpiCalls spi, ReferenceVectors.Case c, String what) {
        int[] xs = shape(c, "x");
        int rows = xs[0];
        int classes = xs[1];
        float s = Float.parseFloat(c.key("smoothing"));
        float[] x = v(c, "x");
        float[] t = v(c, "target");
        CnnTolerances.crossEntropy(classes, x).assertClose(what + ": loss", ref(c, "loss"), spi.crossEntropy(rows, classes, s, x, t));
        float scale = 1f / rows;
        CnnTolerances.crossEntropyBackward(scale).assertClose(what + ": dx (mean)", ref(c, "dx"),
                spi.crossEntropyBackward(rows, classes, s, x, t, scale));
    }

    private static void activation(SpiCalls spi, ReferenceVectors.Case c, String what) {
        Activation f = Activation.valueOf(c.op().toUpperCase(java.util.Locale.ROOT));
        float a = Float.parseFloat(c.key("a"));
        float[] x = v(c, "x");
        float[] dy = v(c, "dy");
        CnnTolerances.activation(f, a, x, null).assertClose(what + ": y", ref(c, "y"), spi.activation(f, a, x));
        Tolerance t = CnnTolerances.activation(f, a, x, dy);
        t.assertClose(what + ": dx", ref(c, "dx"), spi.activationBackward(f, a, x, v(c, "y"), dy, false));
    }

    @Test
    void theCaseIdsAreUnique() {
        assertTrue(CASES.stream().map(ReferenceVectors.Case::id).distinct().count() == CASES.size(),
                "duplicate case ids in " + RESOURCE + ": " + Arrays.toString(CASES.stream().map(ReferenceVectors.Case::id).toArray()));
    }
}
