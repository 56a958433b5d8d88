package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.cnn4j.layers.Activations;
import org.cnn4j.layers.AdaptiveAvgPool2d;
import org.cnn4j.layers.AvgPool2d;
import org.cnn4j.layers.BatchNorm1d;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.Conv3d;
import org.cnn4j.layers.ConvTranspose2d;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.GlobalAvgPool2d;
import org.cnn4j.layers.GlobalMaxPool2d;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.MSELoss;
import org.cnn4j.layers.MaxPool2d;
import org.cnn4j.layers.Module;
import org.cnn4j.layers.Padding;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.testing.NaiveNorm;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case recorded from {@code torch.nn} by {@code src/test/python/make_layer_vectors.py}
 * ({@code reference/layers.txt}), run through the public layer classes ({@link Conv2d}, {@link BatchNorm2d}, ...,
 * never the SPI) on every device. The parameters are copied from the file into the layer's own parameters
 * (under {@link NoGrad}) by their PyTorch state-dict names, which must match; the test then compares the output,
 * the input gradient and every parameter gradient of {@code sum(y * r)} (of the loss itself for the losses) and,
 * for batch norm, the running statistics after each training step and the evaluation-mode output. So this checks
 * what the SPI-level {@link PyTorchCnnReferenceTest} cannot: the layers' argument conventions ({@code Padding.same},
 * the transposed convolution's weight layout and output size, ceil mode, {@code count_include_pad}), the parameter
 * names and shapes, the autograd wiring of bias and affine gradients, the momentum and unbiased running variance,
 * and the reductions of the losses.
 *
 * <p>Tolerances are those of {@link CnnTolerances} for the same computation, with the number of terms of each sum
 * taken from the case's geometry (an upper bound where the count varies per output); the few places where a layer
 * composes several ops say how their bounds add up.
 */
class PyTorchLayerReferenceTest {
    static final String RESOURCE = "/reference/layers.txt";
    private static final List<ReferenceVectors.Case> CASES = ReferenceVectors.load(RESOURCE, "make_layer_vectors.py");

    static Stream<Arguments> devicesAndCases() {
        return TestDevices.all().flatMap(d -> CASES.stream().map(c -> Arguments.of(d, Named.of(c.id(), c))));
    }

    @Test
    void theVectorsCoverEveryLayer() {
        String[] layers = {"conv2d", "conv3d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
            "global_avg_pool2d", "global_max_pool2d", "batch_norm2d", "batch_norm1d", "linear", "softmax", "log_softmax",
            "cross_entropy", "mse", "leaky_relu", "elu", "gelu", "relu", "sigmoid", "tanh", "sequential"};
        for (String layer : layers) {
            assertTrue(CASES.stream().anyMatch(c -> c.op().equals(layer)), "no reference case for layer " + layer);
        }
        assertTrue(CASES.stream().anyMatch(c -> c.op().equals("conv2d") && c.key("padding").equals("same")
                && ReferenceVectors.parseShape(c.key("kernel"))[0] % 2 == 0), "no conv2d case with padding 'same' and an even kernel");
    }

    @Test
    void theCaseIdsAreUnique() {
        assertEquals(CASES.size(), CASES.stream().map(ReferenceVectors.Case::id).distinct().count(),
                "duplicate case ids in " + RESOURCE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("devicesAndCases")
    void matchesPyTorch(Device device, ReferenceVectors.Case c) {
        String what = c.id() + " (" + c.op() + " " + c.keys() + ") on " + device.spec();
        long before = device.pool().bytesInUse();
        switch (c.op()) {
            case "batch_norm2d", "batch_norm1d" -> batchNorm(device, c, what);
            case "cross_entropy" -> crossEntropy(device, c, what);
            case "mse" -> mse(device, c, what);
            default -> {
                try (Module m = layer(device, c)) {
                    runLayer(device, c, m, what);
                }
            }
        }
        assertEquals(before, device.pool().bytesInUse(), what + ": closing the layer and the scope returns every buffer");
    }

    // ---- building the layers -----------------------------------------------------------------------

    private static int[] ints(ReferenceVectors.Case c, String key) {
        return ReferenceVectors.parseShape(c.key(key));
    }

    private static int integer(ReferenceVectors.Case c, String key) {
        return Integer.parseInt(c.key(key));
    }

    private static boolean bool(ReferenceVectors.Case c, String key) {
        return Boolean.parseBoolean(c.key(key));
    }

    private static float[] v(ReferenceVectors.Case c, String role) {
        return c.tensor(role).values();
    }

    private static int[] shape(ReferenceVectors.Case c, String role) {
        return c.tensor(role).shape();
    }

    private static double[] ref(ReferenceVectors.Case c, String role) {
        return NaiveOps.toDouble(v(c, role));
    }

    /** The cnn4j layer of a (non batch-norm, non loss) case, with PyTorch's hyperparameters. */
    static Module layer(Device device, ReferenceVectors.Case c) {
        Generator gen = new Generator(1);
        return switch (c.op()) {
            case "conv2d" -> {
                int[] kernel = ints(c, "kernel");
                int[] dilation = ints(c, "dilation");
                int[] padding = c.key("padding").equals("same") ? Padding.same(kernel, dilation) : ints(c, "padding");
                yield new Conv2d(integer(c, "in"), integer(c, "out"), kernel, ints(c, "stride"), padding, dilation,
                        integer(c, "groups"), bool(c, "bias"), device, gen);
            }
            case "conv3d" -> new Conv3d(integer(c, "in"), integer(c, "out"), ints(c, "kernel"), ints(c, "stride"),
                    ints(c, "padding"), ints(c, "dilation"), integer(c, "groups"), bool(c, "bias"), device, gen);
            case "conv_transpose2d" -> new ConvTranspose2d(integer(c, "in"), integer(c, "out"), ints(c, "kernel"),
                    ints(c, "stride"), ints(c, "padding"), ints(c, "output_padding"), ints(c, "dilation"), integer(c, "groups"),
                    bool(c, "bias"), device, gen);
            case "max_pool2d" -> new MaxPool2d(ints(c, "kernel"), ints(c, "stride"), ints(c, "padding"), bool(c, "ceil_mode"));
            case "avg_pool2d" -> new AvgPool2d(ints(c, "kernel"), ints(c, "stride"), ints(c, "padding"), bool(c, "ceil_mode"),
                    bool(c, "count_include_pad"));
            case "adaptive_avg_pool2d" -> new AdaptiveAvgPool2d(ints(c, "output")[0], ints(c, "output")[1]);
            case "global_avg_pool2d" -> new GlobalAvgPool2d();
            case "global_max_pool2d" -> new GlobalMaxPool2d();
            case "linear" -> new Linear(integer(c, "in"), integer(c, "out"), bool(c, "bias"), device, gen);
            case "softmax" -> Activations.softmax();
            case "log_softmax" -> Activations.logSoftmax();
            case "leaky_relu" -> Activations.leakyRelu(Float.parseFloat(c.key("a")));
            case "elu" -> Activations.elu(Float.parseFloat(c.key("a")));
            case "gelu" -> Activations.gelu();
            case "relu" -> Activations.relu();
            case "sigmoid" -> Activations.sigmoid();
            case "tanh" -> Activations.tanh();
            case "sequential" -> {
                assertEquals("conv2d+relu+max_pool2d+flatten+linear", c.key("layers"), c.id() + ": the layers this test builds");
                yield new Sequential(
                        new Conv2d(2, 3, new int[] {3, 3}, new int[] {1, 1}, Padding.of(1), new int[] {1, 1}, 1, true, device, gen),
                        Activations.relu(), new MaxPool2d(2), new Flatten(), new Linear(27, 4, true, device, gen));
            }
            default -> throw new IllegalStateException("reference case " + c.id() + " has an unknown layer " + c.op());
        };
    }

    /**
     * Copies every parameter of {@code m} from the case (role = its qualified name), checking that the names and
     * shapes are PyTorch's: every parameter has a tensor in the file, and every file tensor named like a parameter
     * ({@code weight}, {@code 0.bias}, ...; not the gradients {@code dweight}, {@code d0.bias}) is one of the layer's.
     */
    static void loadParameters(ReferenceVectors.Case c, Module m, String what) {
        Map<String, Parameter> params = m.namedParameters();
        TreeSet<String> fileParams = c.tensors().keySet().stream()
                .filter(r -> r.matches("(\\d+\\.)*(weight|bias)"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(fileParams, new TreeSet<>(params.keySet()), what + ": parameter names must be PyTorch's state-dict names");
        try (NoGrad off = NoGrad.enter()) {
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                assertArrayEquals(shape(c, e.getKey()), e.getValue().shape().toArray(),
                        what + ": shape of parameter " + e.getKey() + " must be PyTorch's " + Arrays.toString(shape(c, e.getKey()))
                                + ", but got " + e.getValue().shape());
                e.getValue().tensor().copyFrom(v(c, e.getKey()));
            }
        }
    }

    // ---- the generic run: y, dx and the parameter gradients of sum(y * r) ---------------------------

    private static void runLayer(Device device, ReferenceVectors.Case c, Module m, String what) {
        loadParameters(c, m, what);
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(v(c, "x"), shape(c, "x")).requiresGrad(true);
            Tensor y = m.forward(x);
            Contract.assertShape(what + ": y", shape(c, "y"), y);
            y.mul(device.fromArray(v(c, "r"), shape(c, "r"))).sum().backward();
            CaseTolerances t = tolerances(c);
            t.y.assertClose(what + ": y", ref(c, "y"), y.toArray());
            assertNotNull(x.grad(), what + ": the input gradient");
            t.dx.assertClose(what + ": dx", ref(c, "dx"), x.grad().toArray());
            for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
                Tensor g = e.getValue().grad();
                assertNotNull(g, what + ": gradient of parameter " + e.getKey());
                String role = "d" + e.getKey();
                Contract.assertShape(what + ": " + role, shape(c, role), g);
                Tolerance tol = e.getKey().endsWith("bias") ? t.dbias : t.dweight;
                if (c.op().equals("sequential")) {
                    tol = t.y;
                }
                tol.assertClose(what + ": " + role, ref(c, role), g.toArray());
            }
        }
    }

    /** The tolerances of one case: output, input gradient, weight gradient, bias gradient. */
    private record CaseTolerances(Tolerance y, Tolerance dx, Tolerance dweight, Tolerance dbias) {
    }

    private static int prod(int[] a, int from) {
        int p = 1;
        for (int i = from; i < a.length; i++) {
            p *= a[i];
        }
        return p;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static CaseTolerances tolerances(ReferenceVectors.Case c) {
        float[] x = v(c, "x");
        float[] r = v(c, "r");
        int[] xs = shape(c, "x");
        int[] ys = shape(c, "y");
        double maxR = Tolerances.maxAbs(r);
        switch (c.op()) {
            case "conv2d", "conv3d", "conv_transpose2d", "linear" -> {
                // Each output is one dot product (CnnTolerances.conv): forward over the weight's fan-in, dx over the fan-out,
                // dweight over the batch and the positions the weight visits, dbias a sum of r over batch and space.
                float[] w = v(c, "weight");
                float[] b = c.tensors().containsKey("bias") ? v(c, "bias") : null;
                int[] ws = shape(c, "weight");
                int kernel = prod(ws, 2);
                int yTerms;
                int dxTerms;
                int dwTerms;
                if (c.op().equals("conv_transpose2d")) {    // weight [Cin, Cout / G, kh, kw]
                    int groups = integer(c, "groups");
                    yTerms = ws[0] / groups * kernel;
                    dxTerms = ws[1] * kernel;
                    dwTerms = xs[0] * prod(xs, 2);
                } else if (c.op().equals("linear")) {        // weight [out, in]
                    yTerms = ws[1];
                    dxTerms = ws[0];
                    dwTerms = xs[0];
                } else {                                    // weight [K, C / G, k...]
                    int groups = integer(c, "groups");
                    yTerms = ws[1] * kernel;
                    dxTerms = ws[0] / groups * kernel;
                    dwTerms = ys[0] * prod(ys, 2);
                }
                int dbTerms = NaiveOps.numel(ys) / ys[1];
                return new CaseTolerances(CnnTolerances.conv(yTerms, x, w, b), CnnTolerances.conv(dxTerms, r, w, null),
                        CnnTolerances.conv(dwTerms, x, r, null), Tolerances.sum(dbTerms * maxR));
            }
            case "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "global_avg_pool2d", "global_max_pool2d" -> {
                // Max picks one input (exact); an average is CnnTolerances.avgPool. An input's gradient gathers at most
                // `cover` window gradients (CnnTolerances.poolBackward): ceil(k / s) windows per axis, and for adaptive
                // cells (whose size is ceil(H / out) or one more, at stride floor(H / out)) at most ceil(H / out) + 1.
                boolean max = c.op().contains("max");
                int cover;
                if (c.op().startsWith("global")) {
                    cover = 1;
                } else if (c.op().equals("adaptive_avg_pool2d")) {
                    int[] out = ints(c, "output");
                    cover = (ceilDiv(xs[2], out[0]) + 1) * (ceilDiv(xs[3], out[1]) + 1);
                } else {
                    int[] k = ints(c, "kernel");
                    int[] s = ints(c, "stride");
                    cover = ceilDiv(k[0], s[0]) * ceilDiv(k[1], s[1]);
                }
                Tolerance back = new Tolerance(1e-6 * cover * maxR, 1e-6);
                return new CaseTolerances(max ? CnnTolerances.MAX_POOL : CnnTolerances.avgPool(x), back, null, null);
            }
            case "softmax", "log_softmax" -> {
                boolean log = c.op().equals("log_softmax");
                int classes = xs[xs.length - 1];
                int rows = NaiveOps.numel(xs) / classes;
                return new CaseTolerances(log ? CnnTolerances.logSoftmax(classes, x) : CnnTolerances.SOFTMAX,
                        log ? CnnTolerances.logSoftmaxBackward(rows, classes, r) : CnnTolerances.softmaxBackward(r), null, null);
            }
            case "leaky_relu", "elu", "gelu", "relu", "sigmoid", "tanh" -> {
                Activation f = Activation.valueOf(c.op().toUpperCase(java.util.Locale.ROOT));
                float a = c.keys().containsKey("a") ? Float.parseFloat(c.key("a")) : 0f;
                return new CaseTolerances(CnnTolerances.activation(f, a, x, null), CnnTolerances.activation(f, a, x, r), null, null);
            }
            case "sequential" -> {
                // conv (27 terms) -> relu -> max pool -> linear (27 terms), and back: each stage's error (CnnTolerances.conv,
                // about 1e-5 sqrt(K) of its operands' product) is carried through the next dot product, whose terms it
                // scales by at most the other operand. Every value here is O(1), so the composition stays within
                // 1e-4 of the largest reference value plus 1e-4 relative (the selects of relu and max pool are exact
                // unless an argument is within that of a tie, which these inputs are not).
                return new CaseTolerances(new Tolerance(1e-4 * maxAbsAll(c), 1e-4), new Tolerance(1e-4 * maxAbsAll(c), 1e-4), null, null);
            }
            default -> throw new IllegalStateException("no tolerance for layer " + c.op());
        }
    }

    /** The largest {@code |value|} over the reference outputs and gradients of the case. */
    private static double maxAbsAll(ReferenceVectors.Case c) {
        return c.tensors().entrySet().stream().filter(e -> e.getKey().equals("y") || e.getKey().startsWith("d"))
                .mapToDouble(e -> Tolerances.maxAbs(e.getValue().values())).max().orElse(1);
    }

    // ---- batch norm: training steps with running statistics, then evaluation --------------------------

    private static void batchNorm(Device device, ReferenceVectors.Case c, String what) {
        int channels = integer(c, "channels");
        float eps = Float.parseFloat(c.key("eps"));
        float momentum = Float.parseFloat(c.key("momentum"));
        int steps = integer(c, "steps");
        try (BatchNormLayer bn = new BatchNormLayer(c.op().equals("batch_norm2d")
                ? new BatchNorm2d(channels, eps, momentum, true, device) : new BatchNorm1d(channels, eps, momentum, true, device))) {
            Module m = bn.module;
            loadParameters(c, m, what);
            float[] gamma = v(c, "weight");
            float[] beta = v(c, "bias");
            double runningMeanAtol = 0;
            double runningVarAtol = 0;
            m.train();
            for (int s = 1; s <= steps; s++) {
                String step = what + " training step " + s;
                float[] x = v(c, "x" + s);
                float[] r = v(c, "r" + s);
                int[] xs = shape(c, "x" + s);
                int n = xs[0];
                int spatial = NaiveOps.numel(xs) / (n * channels);
                int count = n * spatial;
                float[][] stats = batchStats(n, channels, spatial, x);
                try (Scope scope = Scope.open()) {
                    m.zeroGrad();
                    Tensor xt = device.fromArray(x, xs).requiresGrad(true);
                    Tensor y = m.forward(xt);
                    Contract.assertShape(step + ": y", xs, y);
                    y.mul(device.fromArray(r, xs)).sum().backward();
                    CnnTolerances.bnForward(eps, x, stats[0], stats[1], gamma, beta).assertClose(step + ": y", ref(c, "y" + s),
                            y.toArray());
                    CnnTolerances.bnDx(eps, x, r, stats[0], stats[1], gamma).assertClose(step + ": dx", ref(c, "dx" + s),
                            xt.grad().toArray());
                    CnnTolerances.bnDgamma(count, eps, x, r, stats[0], stats[1]).assertClose(step + ": dweight",
                            ref(c, "dweight" + s), m.namedParameters().get("weight").grad().toArray());
                    CnnTolerances.bnDbeta(count, r).assertClose(step + ": dbias", ref(c, "dbias" + s),
                            m.namedParameters().get("bias").grad().toArray());
                }
                // running = (1 - momentum) running + momentum stat: the batch mean's error (CnnTolerances.bnMean) and the
                // unbiased variance's (CnnTolerances.bnVar times M / (M - 1)), scaled by momentum, add up over the
                // steps (each earlier error shrinks by 1 - momentum); the update itself costs a few ulps (rtol).
                runningMeanAtol = (1 - momentum) * runningMeanAtol
                        + momentum * CnnTolerances.bnMean(n, channels, spatial, x).atol();
                runningVarAtol = (1 - momentum) * runningVarAtol
                        + momentum * (double) count / (count - 1) * CnnTolerances.bnVar(n, channels, spatial, x).atol();
                new Tolerance(runningMeanAtol, 1e-5).assertClose(step + ": running_mean", ref(c, "running_mean" + s),
                        bn.runningMean().toArray());
                new Tolerance(runningVarAtol, 1e-5).assertClose(step + ": running_var (unbiased)", ref(c, "running_var" + s),
                        bn.runningVar().toArray());
                assertArrayEquals(new int[] {channels}, bn.runningMean().shape().toArray(), step + ": running_mean shape");
            }
            m.eval();
            String eval = what + " evaluation";
            float[] x = v(c, "x_eval");
            float[] r = v(c, "r_eval");
            int[] xs = shape(c, "x_eval");
            int n = xs[0];
            int spatial = NaiveOps.numel(xs) / (n * channels);
            float[] rm = v(c, "running_mean" + steps);
            float[] rv = v(c, "running_var" + steps);
            try (Scope scope = Scope.open()) {
                m.zeroGrad();
                Tensor xt = device.fromArray(x, xs).requiresGrad(true);
                Tensor y = m.forward(xt);
                y.mul(device.fromArray(r, xs)).sum().backward();
                // y = (x - rm) (gamma / sqrt(rv + eps)) + beta: the form of CnnTolerances.bnForward with the running
                // statistics, plus their own error (the running tolerances above) scaled by gamma invStd and, for the
                // variance, by |xhat| / 2 / (rv + eps).
                double gi = CnnTolerances.maxGammaInvStd(eps, rv, gamma);
                double xhatMax = (Tolerances.maxAbs(x) + Tolerances.maxAbs(rm))
                        * CnnTolerances.maxInvStd(eps, rv);
                double statErr = gi * (runningMeanAtol + xhatMax * runningVarAtol * CnnTolerances.maxInvStd(eps, rv)
                        * CnnTolerances.maxInvStd(eps, rv));
                Tolerance fwd = CnnTolerances.bnForward(eps, x, rm, rv, gamma, beta);
                new Tolerance(fwd.atol() + statErr, fwd.rtol()).assertClose(eval + ": y", ref(c, "y_eval"), y.toArray());
                // dx = r gamma invStd: a few roundings of r gamma invStd, plus the running variance's error carried by
                // d invStd / d rv = -invStd^3 / 2.
                double invStd = CnnTolerances.maxInvStd(eps, rv);
                new Tolerance(gi * Tolerances.maxAbs(r) * (1e-6 + runningVarAtol * invStd * invStd), 1e-5)
                        .assertClose(eval + ": dx", ref(c, "dx_eval"), xt.grad().toArray());
                CnnTolerances.bnDgamma(n * spatial, eps, x, r, rm, rv).assertClose(eval + ": dweight", ref(c, "dweight_eval"),
                        m.namedParameters().get("weight").grad().toArray());
                CnnTolerances.bnDbeta(n * spatial, r).assertClose(eval + ": dbias", ref(c, "dbias_eval"),
                        m.namedParameters().get("bias").grad().toArray());
            }
            m.train();
        }
    }

    /** A batch-norm layer of either flavour with its running statistics (BatchNorm itself is package-private). */
    private static final class BatchNormLayer implements AutoCloseable {
        final Module module;

        BatchNormLayer(Module module) {
            this.module = module;
        }

        Tensor runningMean() {
            return module instanceof BatchNorm2d b ? b.runningMean() : ((BatchNorm1d) module).runningMean();
        }

        Tensor runningVar() {
            Tensor t = module.namedBuffers().get("running_var");
            assertNotNull(t, "batch norm must have a buffer running_var (PyTorch's name)");
            assertTrue(t == (module instanceof BatchNorm2d b ? b.runningVar() : ((BatchNorm1d) module).runningVar()),
                    "the buffer running_var is runningVar()");
            return t;
        }

        @Override
        public void close() {
            module.close();
        }
    }

    /** Per-channel mean and biased variance in double, rounded to float: for the tolerances only. */
    private static float[][] batchStats(int n, int channels, int spatial, float[] x) {
        float[] mean = new float[channels];
        float[] var = new float[channels];
        for (int ch = 0; ch < channels; ch++) {
            double s = 0;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < spatial; p++) {
                    double v = x[NaiveNorm.index(channels, spatial, i, ch, p)];
                    s += v;
                    ss += v * v;
                }
            }
            double m = s / (n * spatial);
            mean[ch] = (float) m;
            var[ch] = (float) Math.max(0, ss / (n * spatial) - m * m);
        }
        return new float[][] {mean, var};
    }

    // ---- losses -------------------------------------------------------------------------------------

    private static void crossEntropy(Device device, ReferenceVectors.Case c, String what) {
        int[] xs = shape(c, "x");
        int rows = xs[0];
        int classes = xs[1];
        float[] x = v(c, "x");
        boolean mean = switch (c.key("reduction")) {
            case "mean" -> true;
            case "sum" -> false;
            default -> throw new IllegalStateException(c.id() + ": reduction " + c.key("reduction"));
        };
        CrossEntropyLoss loss = new CrossEntropyLoss(Float.parseFloat(c.key("smoothing")), mean);
        try (Scope scope = Scope.open()) {
            Tensor logits = device.fromArray(x, xs).requiresGrad(true);
            Tensor l = loss.apply(logits, device.fromArray(v(c, "target"), rows));
            assertEquals(1, l.numel(), what + ": the loss is one value, but got shape " + l.shape());
            l.backward();
            // Each row's loss is within CnnTolerances.crossEntropy; the sum of `rows` positive losses adds their
            // errors (and its own rounding, a few ulps of the positive result: rtol); the mean divides both by rows.
            Tolerance row = CnnTolerances.crossEntropy(classes, x);
            new Tolerance(row.atol() * (mean ? 1 : rows), row.rtol()).assertClose(what + ": loss", ref(c, "loss"),
                    new float[] {l.item()});
            CnnTolerances.crossEntropyBackward(mean ? 1f / rows : 1f).assertClose(what + ": dx", ref(c, "dx"),
                    logits.grad().toArray());
        }
    }

    private static void mse(Device device, ReferenceVectors.Case c, String what) {
        int[] xs = shape(c, "x");
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(v(c, "x"), xs).requiresGrad(true);
            Tensor t = device.fromArray(v(c, "target"), xs).requiresGrad(true);
            Tensor l = new MSELoss().apply(x, t);
            assertEquals(1, l.numel(), what + ": the loss is one value, but got shape " + l.shape());
            l.backward();
            // A mean of positive squares of exact-ish differences (one rounding each for the difference and the square,
            // then a float sum): a few ulps of the positive result per doubling of the element count, within rtol 1e-5.
            new Tolerance(0, 1e-5).assertClose(what + ": loss", ref(c, "loss"), new float[] {l.item()});
            // dx = 2 (x - t) / n and dtarget = -dx: a few roundings of each value, plus ulps of the largest.
            double scale = Tolerances.maxAbs(v(c, "dx"));
            new Tolerance(1e-6 * scale, 1e-5).assertClose(what + ": dx", ref(c, "dx"), x.grad().toArray());
            new Tolerance(1e-6 * scale, 1e-5).assertClose(what + ": dtarget", ref(c, "dtarget"), t.grad().toArray());
        }
    }
}
