package org.cnn4j.it;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.cnn4j.it.PropertyCall.Expect;
import org.cnn4j.it.PropertyCall.Mod;
import org.cnn4j.layers.AdaptiveAvgPool2d;
import org.cnn4j.layers.AvgPool2d;
import org.cnn4j.layers.BatchNorm1d;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.Conv3d;
import org.cnn4j.layers.ConvTranspose2d;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Dropout;
import org.cnn4j.layers.Dropout2d;
import org.cnn4j.layers.F;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.GlobalAvgPool2d;
import org.cnn4j.layers.GlobalMaxPool2d;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.MSELoss;
import org.cnn4j.layers.MaxPool2d;
import org.cnn4j.layers.Module;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.NaiveNorm;
import org.cnn4j.runtime.testing.Tolerance;

/**
 * The generator of {@link LayerPropertyTest}: draws one call of a layer or an {@code F} function from a seeded
 * {@link SplittableRandom}, with arguments biased toward the edges (0, negative, 1, larger than the input, 2^16,
 * {@code Integer.MAX_VALUE}, NaN and infinite hyperparameters, wrong ranks, channel counts and array lengths, groups
 * that do not divide the channels, labels outside the class range), and computes in long arithmetic, independently
 * of the library, what the call must do by PyTorch's rules.
 *
 * <p>Beyond PyTorch, the oracle holds the library to its documented limits: a padded spatial extent (input plus
 * padding, or a transposed convolution's output plus padding) must fit an {@code int}, and an output or a weight
 * may hold at most {@link Shape#MAX_ELEMENTS} elements; otherwise the call is refused with an
 * {@link IllegalArgumentException}. A valid call whose output or weight would exceed {@link #CAP} elements is not
 * run (the draw is repeated), to keep the test fast and its memory small.
 *
 * <p>Every input and weight value is uniform in {@code [-1, 1)}, so {@code max|x| <= 1} and {@code max|w| <= 1} bound
 * the tolerances.
 */
final class PropertyDraws {
    /** The largest valid output or weight that is run, in elements. */
    static final long CAP = 1 << 20;

    private static final float[] UNIT = {1f};
    private static final int INT_MAX = Integer.MAX_VALUE;

    private final SplittableRandom r;
    private final boolean twoDevices;
    private Mod mod = Mod.NONE;
    private int modInput;

    PropertyDraws(SplittableRandom random, boolean twoDevices) {
        this.r = random;
        this.twoDevices = twoDevices;
    }

    /** The families, in the order {@link #draw} picks them. */
    static final String[] FAMILIES = {"Conv2d", "F.conv2d", "Conv3d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d",
        "F.maxPool2d", "F.avgPool2d", "AdaptiveAvgPool2d", "GlobalAvgPool2d", "GlobalMaxPool2d", "BatchNorm1d",
        "BatchNorm2d", "F.batchNorm", "Dropout", "Dropout2d", "F.dropout", "Linear", "F.linear", "CrossEntropyLoss",
        "F.crossEntropy", "MSELoss", "Flatten"};

    /** A drawn call, or null when the draw must be repeated (a valid call above {@link #CAP}). */
    PropertyCall draw() {
        mod = Mod.NONE;
        modInput = 0;
        String family = FAMILIES[r.nextInt(FAMILIES.length)];
        return switch (family) {
            case "Conv2d" -> conv(2);
            case "F.conv2d" -> fConv2d();
            case "Conv3d" -> conv(3);
            case "ConvTranspose2d" -> convTranspose2d();
            case "MaxPool2d", "AvgPool2d", "F.maxPool2d", "F.avgPool2d" -> pool(family);
            case "AdaptiveAvgPool2d" -> adaptive();
            case "GlobalAvgPool2d", "GlobalMaxPool2d" -> global(family);
            case "BatchNorm1d", "BatchNorm2d" -> batchNorm(family);
            case "F.batchNorm" -> fBatchNorm();
            case "Dropout", "Dropout2d", "F.dropout" -> dropout(family);
            case "Linear" -> linear();
            case "F.linear" -> fLinear();
            case "CrossEntropyLoss", "F.crossEntropy" -> crossEntropy(family);
            case "MSELoss" -> mse();
            default -> flatten();
        };
    }

    // ---- random values ---------------------------------------------------------------------------

    private boolean chance(int percent) {
        return r.nextInt(100) < percent;
    }

    private int pick(int... values) {
        return values[r.nextInt(values.length)];
    }

    private int between(int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    /** A hyperparameter: usually in {@code [lo, hi]}, sometimes an edge (0, negative, 1, beyond {@code extent}, huge). */
    private int hyper(int lo, int hi, int extent) {
        if (chance(88)) {
            return between(lo, hi);
        }
        return pick(0, -1, -3, 1, extent + 1, 3 * extent + 2, 1 << 16, INT_MAX, Integer.MIN_VALUE);
    }

    /** {@code n} hyperparameters, sometimes one too many or too few. */
    private int[] hypers(int n, int lo, int hi, int extent) {
        int len = chance(94) ? n : pick(Math.max(0, n - 1), n + 1);
        int[] v = new int[len];
        for (int i = 0; i < len; i++) {
            v[i] = hyper(lo, hi, extent);
        }
        return v;
    }

    /** A channel or feature count: usually 1 to 4, sometimes 0 or negative. */
    private int channels() {
        return chance(93) ? between(1, 4) : pick(0, -1, -4);
    }

    private int groups(int c, int k) {
        if (chance(70)) {
            return 1;
        }
        return pick(c, k, 2, 3, 0, -1, c + 1);
    }

    /** A float hyperparameter: usually one of {@code typical}, sometimes NaN, an infinity or one of {@code bad}. */
    private float real(float[] typical, float... bad) {
        if (chance(85)) {
            return typical[r.nextInt(typical.length)];
        }
        float[] edges = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        int i = r.nextInt(edges.length + bad.length);
        return i < edges.length ? edges[i] : bad[i - edges.length];
    }

    /** The input's channel count: usually {@code c}, sometimes another. */
    private int inputChannels(int c) {
        return chance(88) && c >= 1 ? c : between(1, 5);
    }

    /** Uniform data in {@code [-1, 1)} for {@code dims}. */
    private float[] data(int... dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return Inputs.uniform(r, (int) n, -1, 1);
    }

    /** Input dims: usually {@code rank} with spatial extents up to {@code max}, sometimes one rank more or less. */
    private int[] inputDims(int rank, int c, int max) {
        int actual = chance(92) ? rank : pick(rank - 1, rank + 1);
        int[] dims = new int[Math.max(1, actual)];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = i == 0 ? between(1, 3) : i == 1 ? c : between(1, max);
        }
        return dims;
    }

    /**
     * Draws the modifier. A layer with parameters (or buffers) may be closed; any call may get a closed input; a call
     * with more than one tensor may get one on the other device (input {@code 0}, which for a layer differs from the
     * device of its parameters).
     */
    private void modifier(boolean stateful, int tensors) {
        int roll = r.nextInt(100);
        if (roll < 5) {
            mod = Mod.CLOSED_INPUT;
            modInput = r.nextInt(tensors);
        } else if (roll < 8 && stateful) {
            mod = Mod.CLOSED_LAYER;
        } else if (roll < 13 && twoDevices && (stateful || tensors > 1)) {
            mod = Mod.OTHER_DEVICE;
            modInput = r.nextInt(tensors);
        }
    }

    private String withMod(String args) {
        return mod == Mod.NONE ? args : args + ", " + mod + (mod == Mod.CLOSED_LAYER ? "" : " of tensor " + modInput);
    }

    /** The call with the drawn modifier applied to its expectation. */
    private PropertyCall made(String family, String op, String args, Expect expect, Tolerance tolerance,
                              PropertyCall.Prepare prepare) {
        return new PropertyCall(family, op, args, mod, modInput, expect.with(mod), tolerance, prepare);
    }

    // ---- oracle ----------------------------------------------------------------------------------

    /** The expected output of shape {@code dims} (long), refused above {@link Shape#MAX_ELEMENTS}, null above {@link #CAP}. */
    private static Expect output(long... dims) {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyHigh(n, d) != 0 ? Long.MAX_VALUE : n * d;
            if (n > Shape.MAX_ELEMENTS) {
                return Expect.refused();
            }
        }
        if (n > CAP) {
            return null;
        }
        int[] s = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            s[i] = (int) dims[i];
        }
        return Expect.output(s);
    }

    private static long numel(long... dims) {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyHigh(n, d) != 0 || n * d > Long.MAX_VALUE / 2 ? Long.MAX_VALUE / 2 : n * d;
        }
        return n;
    }

    /** A weight of {@code dims} elements: refused (-1) above MAX_ELEMENTS, redrawn (0) above CAP, else 1. */
    private static int weightFits(long... dims) {
        long n = numel(dims);
        return n > Shape.MAX_ELEMENTS ? -1 : n > CAP ? 0 : 1;
    }

    /** {@code floor((in + pad - d (k - 1) - 1) / s) + 1}, or -1 when the kernel does not fit or the padded extent overflows an int. */
    static long convOut(long in, long pad, long k, long s, long d) {
        long padded = in + pad;
        long span = d * (k - 1) + 1;
        if (padded > INT_MAX || span > padded) {
            return -1;
        }
        return (padded - span) / s + 1;
    }

    private static boolean allAtLeast(int[] v, int min) {
        return Arrays.stream(v).allMatch(x -> x >= min);
    }

    private static String a(int[] v) {
        return Arrays.toString(v);
    }

    /** Twice the conv forward tolerance for {@code terms} products of values at most 1 (two backends, each within one). */
    private static Tolerance convTolerance(long terms, boolean bias) {
        return Tolerances.twice(CnnTolerances.conv((int) Math.min(terms, INT_MAX), UNIT, UNIT, bias ? UNIT : null));
    }

    // ---- convolution -----------------------------------------------------------------------------

    /** Conv2d ({@code n = 2}) or Conv3d ({@code n = 3}). */
    private PropertyCall conv(int n) {
        String layer = "Conv" + n + "d";
        int c = channels();
        int k = channels();
        int g = groups(c, k);
        int[] x = inputDims(n + 2, inputChannels(c), n == 2 ? 7 : 4);
        int ext = x.length > 2 ? x[2] : 4;
        int[] kernel = hypers(n, 1, 6 - n, ext); // typical ranges: 2-D kernel up to 4, 3-D up to 3
        int[] stride = hypers(n, 1, 5 - n, ext);
        int[] padding = hypers(2 * n, 0, 4 - n, ext);
        int[] dilation = hypers(n, 1, 5 - n, ext);
        boolean bias = r.nextBoolean();
        float[] xs = data(x);
        modifier(true, 1);
        String args = withMod(layer + "(" + c + ", " + k + ", kernel=" + a(kernel) + ", stride=" + a(stride) + ", padding="
                + a(padding) + ", dilation=" + a(dilation) + ", groups=" + g + ", bias=" + bias + ") on " + a(x));
        Expect e = Expect.refused();
        boolean ctorOk = c >= 1 && k >= 1 && g >= 1 && c % g == 0 && k % g == 0 && kernel.length == n && stride.length == n
                && padding.length == 2 * n && dilation.length == n && allAtLeast(kernel, 1) && allAtLeast(stride, 1)
                && allAtLeast(dilation, 1) && allAtLeast(padding, 0);
        long taps = 1;
        if (ctorOk) {
            long[] weight = new long[n + 2];
            weight[0] = k;
            weight[1] = c / g;
            for (int i = 0; i < n; i++) {
                weight[2 + i] = kernel[i];
                taps *= kernel[i];
            }
            int fits = weightFits(weight);
            if (fits == 0) {
                return null;
            }
            if (fits == 1 && x.length == n + 2 && x[1] == c) {
                long[] out = new long[n + 2];
                out[0] = x[0];
                out[1] = k;
                boolean ok = true;
                for (int i = 0; i < n; i++) {
                    out[2 + i] = convOut(x[2 + i], (long) padding[2 * i] + padding[2 * i + 1], kernel[i], stride[i], dilation[i]);
                    ok &= out[2 + i] >= 1;
                }
                if (ok) {
                    e = output(out);
                }
            }
        }
        if (e == null) {
            return null;
        }
        Tolerance tol = ctorOk ? convTolerance(c / g * taps, bias) : Tolerance.EXACT;
        return made(layer, layer, args, e, tol, env -> {
            Module m = env.filled(n == 2 ? new Conv2d(c, k, kernel, stride, padding, dilation, g, bias, env.device, new Generator(1))
                    : new Conv3d(c, k, kernel, stride, padding, dilation, g, bias, env.device, new Generator(1)));
            Tensor in = env.input(xs, x);
            return () -> m.forward(in);
        });
    }

    private PropertyCall fConv2d() {
        int g = chance(75) ? 1 : pick(2, 3, 0, -1);
        int c = between(1, 4) * Math.max(1, g);
        int k = between(1, 3) * Math.max(1, g);
        if (chance(10)) {
            k = between(1, 5);
        }
        int[] x = inputDims(4, c, 6);
        int cg = chance(88) && g >= 1 ? c / g : between(1, 4);
        int[] w = chance(93) ? new int[] {k, cg, between(1, 3), between(1, 3)} : new int[] {k, cg, between(1, 3)};
        int[] b = chance(40) ? null : chance(88) ? new int[] {k} : chance(50) ? new int[] {k + 1} : new int[] {1, k};
        int[] stride = hypers(2, 1, 3, 6);
        int[] padding = hypers(4, 0, 2, 6);
        int[] dilation = hypers(2, 1, 2, 6);
        float[] xs = data(x);
        float[] ws = data(w);
        float[] bs = b == null ? null : data(b);
        modifier(false, b == null ? 2 : 3);
        String args = withMod("F.conv2d(x " + a(x) + ", weight " + a(w) + ", bias " + (b == null ? "null" : a(b)) + ", stride="
                + a(stride) + ", padding=" + a(padding) + ", dilation=" + a(dilation) + ", groups=" + g + ")");
        Expect e = Expect.refused();
        if (x.length == 4 && w.length == 4 && g >= 1 && c % g == 0 && k % g == 0 && w[1] * g == c
                && (b == null || (b.length == 1 && b[0] == k)) && stride.length == 2 && padding.length == 4
                && dilation.length == 2 && allAtLeast(stride, 1) && allAtLeast(dilation, 1) && allAtLeast(padding, 0)) {
            long ho = convOut(x[2], (long) padding[0] + padding[1], w[2], stride[0], dilation[0]);
            long wo = convOut(x[3], (long) padding[2] + padding[3], w[3], stride[1], dilation[1]);
            if (ho >= 1 && wo >= 1) {
                e = output(x[0], k, ho, wo);
            }
        }
        if (e == null) {
            return null;
        }
        Tolerance tol = convTolerance((long) w[1] * w[2] * (w.length > 3 ? w[3] : 1), b != null);
        return made("F.conv2d", "F.conv2d", args, e, tol, env -> {
            Tensor xt = env.input(xs, x);
            Tensor wt = env.input(ws, w);
            Tensor bt = b == null ? null : env.input(bs, b);
            return () -> F.conv2d("F.conv2d", xt, wt, bt, stride, padding, dilation, g);
        });
    }

    private PropertyCall convTranspose2d() {
        int c = channels();
        int k = channels();
        int g = groups(c, k);
        int[] x = inputDims(4, inputChannels(c), 5);
        int ext = x.length > 2 ? x[2] : 3;
        int[] kernel = hypers(2, 1, 4, ext);
        int[] stride = hypers(2, 1, 3, ext);
        int[] padding = hypers(2, 0, 2, ext);
        int[] outputPadding = hypers(2, 0, 2, ext);
        int[] dilation = hypers(2, 1, 2, ext);
        boolean bias = r.nextBoolean();
        float[] xs = data(x);
        modifier(true, 1);
        String args = withMod("ConvTranspose2d(" + c + ", " + k + ", kernel=" + a(kernel) + ", stride=" + a(stride) + ", padding="
                + a(padding) + ", outputPadding=" + a(outputPadding) + ", dilation=" + a(dilation) + ", groups=" + g
                + ", bias=" + bias + ") on " + a(x));
        Expect e = Expect.refused();
        boolean ctorOk = c >= 1 && k >= 1 && g >= 1 && c % g == 0 && k % g == 0 && kernel.length == 2 && stride.length == 2
                && padding.length == 2 && outputPadding.length == 2 && dilation.length == 2 && allAtLeast(kernel, 1)
                && allAtLeast(stride, 1) && allAtLeast(dilation, 1) && allAtLeast(padding, 0) && allAtLeast(outputPadding, 0);
        for (int i = 0; ctorOk && i < 2; i++) {
            ctorOk = outputPadding[i] < Math.max(stride[i], dilation[i]);
        }
        if (ctorOk) {
            int fits = weightFits(c, k / g, kernel[0], kernel[1]);
            if (fits == 0) {
                return null;
            }
            if (fits == 1 && x.length == 4 && x[1] == c) {
                long[] out = new long[2];
                boolean ok = true;
                for (int i = 0; i < 2; i++) {
                    out[i] = (x[2 + i] - 1L) * stride[i] - 2L * padding[i] + (long) dilation[i] * (kernel[i] - 1)
                            + outputPadding[i] + 1;
                    // the output plus padding is the padded extent of the underlying convolution
                    ok &= out[i] >= 1 && out[i] + 2L * padding[i] <= INT_MAX;
                }
                if (ok) {
                    e = output(x[0], k, out[0], out[1]);
                }
            }
        }
        if (e == null) {
            return null;
        }
        Tolerance tol = ctorOk ? convTolerance((long) (c / g) * kernel[0] * kernel[1], bias) : Tolerance.EXACT;
        return made("ConvTranspose2d", "ConvTranspose2d", args, e, tol, env -> {
            ConvTranspose2d m = env.filled(new ConvTranspose2d(c, k, kernel, stride, padding, outputPadding, dilation, g, bias,
                    env.device, new Generator(1)));
            Tensor in = env.input(xs, x);
            return () -> m.forward(in);
        });
    }

    // ---- pooling ---------------------------------------------------------------------------------

    private PropertyCall pool(String family) {
        boolean functional = family.startsWith("F.");
        boolean max = family.contains("ax");
        int[] x = inputDims(4, between(1, 3), 7);
        int ext = x.length > 2 ? x[2] : 4;
        int arity = functional ? 2 : chance(30) ? 1 : 2;
        int[] kernel = hypers(arity, 1, 4, ext);
        int[] stride = hypers(arity, 1, 3, ext);
        int[] padding = hypers(arity, 0, 2, ext);
        boolean ceil = r.nextBoolean();
        boolean countIncludePad = r.nextBoolean();
        float[] xs = data(x);
        modifier(false, 1);
        String args = withMod(family + "(kernel=" + a(kernel) + ", stride=" + a(stride) + ", padding=" + a(padding) + ", ceil="
                + ceil + (max ? "" : ", countIncludePad=" + countIncludePad) + ") on " + a(x));
        int[] k = pair(kernel, functional);
        int[] s = pair(stride, functional);
        int[] p = pair(padding, functional);
        Expect e = Expect.refused();
        if (k != null && s != null && p != null && allAtLeast(k, 1) && allAtLeast(s, 1) && allAtLeast(p, 0)
                && 2L * p[0] <= k[0] && 2L * p[1] <= k[1] && x.length == 4) {
            long[] out = new long[2];
            for (int i = 0; i < 2; i++) {
                long in = x[2 + i];
                long span = in + 2L * p[i] - k[i];
                if (in + 2L * p[i] > INT_MAX || span < 0) {
                    out[i] = -1;
                    continue;
                }
                long o = (ceil ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
                if (ceil && (o - 1) * s[i] >= in + p[i]) {
                    o--; // PyTorch: the last window must start inside the input or the left padding
                }
                out[i] = o;
            }
            if (out[0] >= 1 && out[1] >= 1) {
                e = output(x[0], x[1], out[0], out[1]);
            }
        }
        if (e == null) {
            return null;
        }
        Tolerance tol = max ? CnnTolerances.MAX_POOL : Tolerances.twice(CnnTolerances.avgPool(UNIT));
        String op = functional ? family : max ? "MaxPool2d" : "AvgPool2d";
        return made(family, op, args, e, tol, env -> {
            Module m = functional ? null : max ? new MaxPool2d(kernel, stride, padding, ceil)
                    : new AvgPool2d(kernel, stride, padding, ceil, countIncludePad);
            Tensor in = env.input(xs, x);
            if (m != null) {
                return () -> m.forward(in);
            }
            return max ? () -> F.maxPool2d(op, in, kernel, stride, padding, ceil)
                    : () -> F.avgPool2d(op, in, kernel, stride, padding, ceil, countIncludePad);
        });
    }

    /** The layers take 1 (square) or 2 values, F exactly 2; null when the count is wrong. */
    private static int[] pair(int[] v, boolean functional) {
        if (v.length == 2) {
            return v;
        }
        return v.length == 1 && !functional ? new int[] {v[0], v[0]} : null;
    }

    private PropertyCall adaptive() {
        int[] x = inputDims(4, between(1, 3), 7);
        int oh = hyper(1, 5, 4);
        int ow = hyper(1, 5, 4);
        boolean functional = r.nextBoolean();
        float[] xs = data(x);
        modifier(false, 1);
        String op = functional ? "F.adaptiveAvgPool2d" : "AdaptiveAvgPool2d";
        String args = withMod(op + "(" + oh + ", " + ow + ") on " + a(x));
        Expect e = oh >= 1 && ow >= 1 && x.length == 4 ? output(x[0], x[1], oh, ow) : Expect.refused();
        if (e == null) {
            return null;
        }
        return made("AdaptiveAvgPool2d", op, args, e, Tolerances.twice(CnnTolerances.avgPool(UNIT)), env -> {
            Module m = functional ? null : new AdaptiveAvgPool2d(oh, ow);
            Tensor in = env.input(xs, x);
            return m == null ? () -> F.adaptiveAvgPool2d(op, in, oh, ow) : () -> m.forward(in);
        });
    }

    private PropertyCall global(String family) {
        boolean max = family.contains("Max");
        int[] x = inputDims(4, between(1, 3), 6);
        float[] xs = data(x);
        modifier(false, 1);
        Expect e = x.length == 4 ? Expect.output(x[0], x[1]) : Expect.refused();
        Tolerance tol = max ? CnnTolerances.MAX_POOL : Tolerances.twice(CnnTolerances.avgPool(UNIT));
        return made(family, family, withMod(family + " on " + a(x)), e, tol, env -> {
            Module m = max ? new GlobalMaxPool2d() : new GlobalAvgPool2d();
            Tensor in = env.input(xs, x);
            return () -> m.forward(in);
        });
    }

    // ---- normalization and regularization --------------------------------------------------------

    private float eps() {
        return real(new float[] {1e-5f, 1e-3f, 0.1f, Float.MIN_VALUE}, 0f, -1e-5f);
    }

    private float momentum() {
        return real(new float[] {0.1f, 0f, 1f, 0.5f}, -0.1f, 1.1f);
    }

    /**
     * Batch norm output tolerance: {@link CnnTolerances#bnForward} with the statistics the data give, widened by the
     * error of the batch statistics themselves ({@link CnnTolerances#bnMean}, {@link CnnTolerances#bnVar}) as they
     * pass through {@code gamma / sqrt(var + eps)}, and doubled for two backends.
     */
    private static Tolerance bnTolerance(int n, int c, int spatial, float[] x, float eps, boolean training) {
        double[][] st = NaiveNorm.statistics(n, c, spatial, NaiveOps.toDouble(x));
        float[] mean = PoolContractTest.toFloat(st[0]);
        float[] var = PoolContractTest.toFloat(st[1]);
        if (!training) {
            // running statistics as Env.filled draws them (layers) or fBatchNorm does: |mean| < 1.5, var >= 0.5
            return Tolerances.twice(CnnTolerances.bnForward(eps, x, new float[] {1.5f}, new float[] {0.5f}, UNIT, UNIT));
        }
        float[] gamma = new float[c];
        Arrays.fill(gamma, 1f); // |gamma| < 1
        Tolerance base = CnnTolerances.bnForward(eps, x, mean, var, gamma, UNIT);
        double inv = CnnTolerances.maxInvStd(eps, var);
        double xhat = (Tolerances.maxAbs(x) + Tolerances.maxAbs(mean)) * inv;
        double dMean = CnnTolerances.bnMean(n, c, spatial, x).atol();
        double dVar = CnnTolerances.bnVar(n, c, spatial, x).atol();
        double atol = base.atol() + inv * dMean + xhat * inv * inv * dVar;
        return Tolerances.twice(new Tolerance(atol, base.rtol()));
    }

    private PropertyCall batchNorm(String family) {
        boolean two = family.equals("BatchNorm2d");
        int c = channels();
        float eps = eps();
        float momentum = momentum();
        boolean affine = r.nextBoolean();
        boolean training = chance(70);
        int[] x = inputDims(two ? 4 : chance(70) ? 2 : 3, inputChannels(c), 3);
        float[] xs = data(x);
        modifier(true, 1);
        String args = withMod(family + "(" + c + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine + ") "
                + (training ? "training" : "eval") + " on " + a(x));
        boolean rankOk = two ? x.length == 4 : x.length == 2 || x.length == 3;
        int spatial = 1;
        for (int i = 2; i < x.length; i++) {
            spatial *= x[i];
        }
        boolean ok = c >= 1 && Float.isFinite(eps) && eps > 0 && momentum >= 0 && momentum <= 1 && rankOk && x[1] == c
                && (!training || (long) x[0] * spatial > 1);
        Expect e = ok ? Expect.output(x) : Expect.refused();
        Tolerance tol = ok ? bnTolerance(x[0], c, spatial, xs, eps, training) : Tolerance.EXACT;
        return made(family, family, args, e, tol, env -> {
            Module m = env.filled(two ? new BatchNorm2d(c, eps, momentum, affine, env.device)
                    : new BatchNorm1d(c, eps, momentum, affine, env.device));
            if (!training) {
                m.eval();
            }
            Tensor in = env.input(xs, x);
            return () -> m.forward(in);
        });
    }

    private PropertyCall fBatchNorm() {
        int[] x = inputDims(4, between(1, 3), 3);
        int c = x.length > 1 ? x[1] : 1;
        int runningMode = chance(70) ? 1 : chance(85) ? 0 : 2; // 0 none, 1 mean and var, 2 mean only
        boolean running = runningMode == 1;
        boolean affine = chance(60);
        int len = chance(90) ? c : c + 1;
        float eps = eps();
        float momentum = momentum();
        boolean training = chance(70);
        float[] xs = data(x);
        float[] mean = data(len);
        float[] var = Inputs.uniform(r, len, 0.5, 1.5);
        float[] gamma = data(len);
        float[] beta = data(len);
        int tensors = 1 + runningMode + (affine ? 2 : 0);
        modifier(false, tensors);
        String args = withMod("F.batchNorm(x " + a(x) + ", running=" + (runningMode == 2 ? "mean only" : running) + ", affine=" + affine + ", length " + len
                + ", " + (training ? "training" : "eval") + ", momentum=" + momentum + ", eps=" + eps + ")");
        long m = 1;
        for (int i = 0; i < x.length; i++) {
            m *= i == 1 ? 1 : x[i];
        }
        // without running statistics the batch statistics are used even in evaluation, which needs M > 1 as training does
        boolean ok = x.length >= 2 && Float.isFinite(eps) && eps > 0 && momentum >= 0 && momentum <= 1 && runningMode != 2
                && (len == c || (!running && !affine)) && ((running && !training) || m > 1);
        Expect e = ok ? Expect.output(x) : Expect.refused();
        int spatial = (int) (x.length >= 2 ? m / x[0] : 1);
        Tolerance tol = ok ? bnTolerance(x[0], c, spatial, xs, eps, training || !running) : Tolerance.EXACT;
        return made("F.batchNorm", "F.batchNorm", args, e, tol, env -> {
            Tensor in = env.input(xs, x);
            Tensor rm = runningMode > 0 ? env.state(mean, len) : null;
            Tensor rv = running ? env.state(var, len) : null;
            Tensor gm = affine ? env.input(gamma, len) : null;
            Tensor bt = affine ? env.input(beta, len) : null;
            return () -> F.batchNorm("F.batchNorm", in, rm, rv, gm, bt, training, momentum, eps);
        });
    }

    private PropertyCall dropout(String family) {
        boolean channelwise = family.equals("Dropout2d");
        boolean functional = family.startsWith("F.");
        float p = real(new float[] {0f, 0.2f, 0.5f, 0.9f, Math.nextDown(1f)}, 1f, -0.1f, 1.5f, -0f);
        boolean training = chance(75);
        int[] x = inputDims(channelwise ? 4 : between(1, 4), between(1, 3), 5);
        float[] xs = data(x);
        modifier(false, 1);
        String args = withMod(family + "(p=" + p + ") " + (training ? "training" : "eval") + " on " + a(x));
        boolean ok = p >= 0 && p < 1 && (!channelwise || x.length >= 3);
        Expect e = ok ? Expect.output(x) : Expect.refused();
        return made(family, family, args, e, Tolerance.EXACT, env -> {
            Generator gen = env.generator();
            Module m = functional ? null : channelwise ? new Dropout2d(p, gen) : new Dropout(p, gen);
            if (m != null && !training) {
                m.eval();
            }
            Tensor in = env.input(xs, x);
            return m != null ? () -> m.forward(in) : () -> F.dropout(family, in, p, training, gen);
        });
    }

    // ---- linear, losses, flatten -----------------------------------------------------------------

    private PropertyCall linear() {
        int in = channels();
        int out = channels();
        boolean bias = r.nextBoolean();
        int[] x = chance(90) ? new int[] {between(1, 4), inputChannels(in)} : chance(50) ? new int[] {Math.max(1, in)}
                : new int[] {2, 2, Math.max(1, in)};
        float[] xs = data(x);
        modifier(true, 1);
        String args = withMod("Linear(" + in + ", " + out + ", bias=" + bias + ") on " + a(x));
        Expect e = in >= 1 && out >= 1 && x.length == 2 && x[1] == in ? Expect.output(x[0], out) : Expect.refused();
        Tolerance tol = Tolerances.twice(CnnTolerances.conv(Math.max(1, in), UNIT, UNIT, bias ? UNIT : null));
        return made("Linear", "Linear", args, e, tol, env -> {
            Linear m = env.filled(new Linear(in, out, bias, env.device, new Generator(1)));
            Tensor t = env.input(xs, x);
            return () -> m.forward(t);
        });
    }

    private PropertyCall fLinear() {
        int in = between(1, 5);
        int out = between(1, 4);
        int[] x = chance(90) ? new int[] {between(1, 4), chance(88) ? in : between(1, 5)} : new int[] {in};
        int[] w = chance(90) ? new int[] {out, in} : chance(50) ? new int[] {in} : new int[] {1, out, in};
        int[] b = chance(40) ? null : chance(85) ? new int[] {out} : chance(50) ? new int[] {out + 1} : new int[] {1, out};
        float[] xs = data(x);
        float[] ws = data(w);
        float[] bs = b == null ? null : data(b);
        modifier(false, b == null ? 2 : 3);
        String args = withMod("F.linear(x " + a(x) + ", weight " + a(w) + ", bias " + (b == null ? "null" : a(b)) + ")");
        boolean ok = x.length == 2 && w.length == 2 && x[1] == w[1] && (b == null || (b.length == 1 && b[0] == w[0]));
        Expect e = ok ? Expect.output(x[0], w[0]) : Expect.refused();
        Tolerance tol = Tolerances.twice(CnnTolerances.conv(in, UNIT, UNIT, b == null ? null : UNIT));
        return made("F.linear", "F.linear", args, e, tol, env -> {
            Tensor xt = env.input(xs, x);
            Tensor wt = env.input(ws, w);
            Tensor bt = b == null ? null : env.input(bs, b);
            return () -> F.linear("F.linear", xt, wt, bt);
        });
    }

    private PropertyCall crossEntropy(String family) {
        boolean functional = family.startsWith("F.");
        int n = between(1, 5);
        int k = between(1, 6);
        int[] logits = chance(92) ? new int[] {n, k} : chance(50) ? new int[] {k} : new int[] {n, k, 2};
        int[] targets = chance(92) ? new int[] {n} : chance(50) ? new int[] {n + 1} : new int[] {n, 1};
        float[] ls = Inputs.uniform(r, (int) numel(Arrays.stream(logits).asLongStream().toArray()), -4, 4);
        float[] ts = Inputs.levels(r, (int) numel(Arrays.stream(targets).asLongStream().toArray()), k);
        boolean labelsOk = true;
        if (chance(20)) {
            float[] bad = {-1f, k, k + 0.5f, 0.5f, Float.NaN, Float.POSITIVE_INFINITY, -0.25f};
            ts[r.nextInt(ts.length)] = bad[r.nextInt(bad.length)];
            labelsOk = false;
        }
        float smoothing = real(new float[] {0f, 0.1f, 1f}, -0.1f, 1.1f);
        boolean mean = r.nextBoolean();
        modifier(false, 2);
        String op = functional ? "F.crossEntropy" : "CrossEntropyLoss";
        String args = withMod(op + "(smoothing=" + smoothing + ", mean=" + mean + ") logits " + a(logits) + ", targets "
                + a(targets) + " " + Arrays.toString(ts));
        boolean ok = logits.length == 2 && targets.length == 1 && targets[0] == n && labelsOk && smoothing >= 0 && smoothing <= 1;
        Expect e = ok ? Expect.output() : Expect.refused();
        Tolerance per = Tolerances.twice(CnnTolerances.crossEntropy(k, ls));
        Tolerance tol = new Tolerance(per.atol() * (mean ? 1 : n), per.rtol());
        return made(family, op, args, e, tol, env -> {
            CrossEntropyLoss loss = functional ? null : new CrossEntropyLoss(smoothing, mean);
            Tensor lt = env.input(ls, logits);
            Tensor tt = env.input(ts, targets);
            return loss != null ? () -> loss.apply(lt, tt) : () -> F.crossEntropy(op, lt, tt, smoothing, mean);
        });
    }

    private PropertyCall mse() {
        int[] a = inputDims(between(1, 4), between(1, 3), 4);
        int[] b = chance(85) ? a.clone() : inputDims(between(1, 4), between(1, 3), 4);
        float[] as = data(a);
        float[] bs = data(b);
        modifier(false, 2);
        boolean ok = Arrays.equals(a, b);
        double squares = 0;
        for (int i = 0; ok && i < as.length; i++) {
            squares += (as[i] - bs[i]) * (double) (as[i] - bs[i]);
        }
        Tolerance tol = Tolerances.twice(Tolerances.sum(squares / as.length));
        return made("MSELoss", "MSELoss", withMod("MSELoss " + a(a) + " vs " + a(b)),
                (ok ? Expect.output() : Expect.refused()), tol, env -> {
                    MSELoss loss = new MSELoss();
                    Tensor at = env.input(as, a);
                    Tensor bt = env.input(bs, b);
                    return () -> loss.apply(at, bt);
                });
    }

    private PropertyCall flatten() {
        int rank = between(0, 4);
        int[] x = new int[rank];
        for (int i = 0; i < rank; i++) {
            x[i] = between(1, 4);
        }
        float[] xs = data(x);
        modifier(false, 1);
        long rest = numel(Arrays.stream(x).asLongStream().toArray());
        Expect e = rank == 0 ? Expect.refused() : rank == 1 ? Expect.output(x) : Expect.output(x[0], (int) (rest / x[0]));
        return made("Flatten", "Flatten", withMod("Flatten on " + a(x)), e, Tolerance.EXACT, env -> {
            Flatten m = new Flatten();
            Tensor in = env.input(xs, x);
            return () -> m.forward(in);
        });
    }
}
