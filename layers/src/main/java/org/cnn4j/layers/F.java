package org.cnn4j.layers;

import java.util.Arrays;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * The differentiable CNN operations, as functions (PyTorch's {@code torch.nn.functional}). Layers wrap
 * them with their parameters; research code can call them directly. Every function validates its
 * arguments before any kernel runs and names itself in the error.
 *
 * <p>Spatial arguments are given per dimension: {@code stride = {sh, sw}}; convolution padding per side,
 * {@code padding = {top, bottom, left, right}} (see {@link Padding} for {@code same}).
 */
public final class F {
    private F() {
    }

    // ---- convolution -------------------------------------------------------------------------

    /**
     * 2-D convolution. {@code x: [N, C, H, W]}, {@code weight: [K, C / groups, kh, kw]}, {@code bias: [K]}
     * or null; output {@code [N, K, Ho, Wo]} with
     * {@code Ho = floor((H + top + bottom - dh (kh - 1) - 1) / sh) + 1} (likewise {@code Wo}).
     *
     * @param padding {@code {top, bottom, left, right}}
     */
    public static Tensor conv2d(String op, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                int[] dilation, int groups) {
        Checks.openOnOneDevice(op, x, weight, bias);
        Checks.rank(op, "input", x, 4, "[N, C, H, W]");
        Checks.rank(op, "weight", weight, 4, "[K, C/groups, kh, kw]");
        return conv(op, x, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * 3-D convolution. {@code x: [N, C, D, H, W]}, {@code weight: [K, C / groups, kd, kh, kw]}.
     *
     * @param padding {@code {front, back, top, bottom, left, right}}
     */
    public static Tensor conv3d(String op, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                int[] dilation, int groups) {
        Checks.openOnOneDevice(op, x, weight, bias);
        Checks.rank(op, "input", x, 5, "[N, C, D, H, W]");
        Checks.rank(op, "weight", weight, 5, "[K, C/groups, kd, kh, kw]");
        return conv(op, x, weight, bias, stride, padding, dilation, groups);
    }

    /** Convolution over the {@code n = rank - 2} spatial dimensions of {@code x} (2 or 3); the backend sees 3. */
    private static Tensor conv(String op, Tensor x, Tensor w, Tensor bias, int[] s, int[] p, int[] d, int groups) {
        int n = x.rank() - 2;
        Checks.convArgs(op, w.shape().toArray(), s, p, d, n);
        int c = x.dim(1);
        int k = w.dim(0);
        Checks.positive(op, "groups", groups);
        if (c % groups != 0 || k % groups != 0) {
            throw new IllegalArgumentException(op + ": groups must divide in and out channels, but got groups=" + groups
                    + " for input " + x.shape() + " and weight " + w.shape());
        }
        if (w.dim(1) != c / groups) {
            throw new IllegalArgumentException(op + ": input must have " + w.dim(1) * groups + " channels (weight "
                    + w.shape() + ", groups=" + groups + "), but got " + x.shape());
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != k)) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + k + "], but got " + bias.shape());
        }
        int[] in3 = {1, 1, 1};
        int[] k3 = {1, 1, 1};
        int[] s3 = {1, 1, 1};
        int[] p3 = {0, 0, 0};
        int[] d3 = {1, 1, 1};
        int[] out3 = {1, 1, 1};
        int[] outDims = new int[n + 2];
        outDims[0] = x.dim(0);
        outDims[1] = k;
        for (int i = 0; i < n; i++) {
            long in = Checks.padded(op, x.dim(2 + i), p[2 * i], p[2 * i + 1]);
            long span = (long) d[i] * (w.dim(2 + i) - 1) + 1;
            if (span > in) {
                throw new IllegalArgumentException(op + ": kernel (with dilation) must fit the padded input, but got weight "
                        + w.shape() + " dilation " + Arrays.toString(d) + " over input " + x.shape() + " padded by "
                        + Arrays.toString(p));
            }
            int j = 3 - n + i;
            in3[j] = x.dim(2 + i);
            k3[j] = w.dim(2 + i);
            s3[j] = s[i];
            p3[j] = p[2 * i];
            d3[j] = d[i];
            out3[j] = (int) ((in - span) / s[i] + 1);
            outDims[2 + i] = out3[j];
        }
        Checks.elements(op, "output", Arrays.stream(outDims).asLongStream().toArray());
        ConvGeometry g = new ConvGeometry(x.dim(0), c, in3[0], in3[1], in3[2], k, k3[0], k3[1], k3[2],
                s3[0], s3[1], s3[2], p3[0], p3[1], p3[2], d3[0], d3[1], d3[2], groups, out3[0], out3[1], out3[2]);
        return new ConvFunction(g, outDims).apply(x, w, bias);
    }

    /**
     * Transposed 2-D convolution (the gradient of {@link #conv2d} with respect to its input, run forward).
     * {@code x: [N, Cin, H, W]}, {@code weight: [Cin, Cout / groups, kh, kw]} as in PyTorch; output
     * {@code Ho = (H - 1) sh - 2 ph + dh (kh - 1) + oph + 1}.
     *
     * @param padding {@code {ph, pw}} (symmetric, as PyTorch)
     * @param outputPadding {@code {oph, opw}}, each smaller than the stride or the dilation
     */
    public static Tensor convTranspose2d(String op, Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int[] dilation, int groups) {
        Checks.openOnOneDevice(op, x, weight, bias);
        Checks.rank(op, "input", x, 4, "[N, Cin, H, W]");
        Checks.length(op, "stride", stride, 2);
        Checks.length(op, "padding", padding, 2);
        Checks.length(op, "output padding", outputPadding, 2);
        Checks.length(op, "dilation", dilation, 2);
        Checks.rank(op, "weight", weight, 4, "[Cin, Cout/groups, kh, kw]");
        int cin = x.dim(1);
        Checks.positive(op, "groups", groups);
        if (weight.dim(0) != cin || cin % groups != 0) {
            throw new IllegalArgumentException(op + ": input must have " + weight.dim(0) + " channels (weight "
                    + weight.shape() + ", groups=" + groups + "), but got " + x.shape());
        }
        int cout = weight.dim(1) * groups;
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != cout)) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + cout + "], but got " + bias.shape());
        }
        int[] out = new int[2];
        for (int i = 0; i < 2; i++) {
            Checks.positive(op, "stride", stride[i]);
            Checks.positive(op, "dilation", dilation[i]);
            if (padding[i] < 0 || outputPadding[i] < 0 || (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i])) {
                throw new IllegalArgumentException(op + ": padding must be >= 0 and output padding in [0, max(stride, dilation)), "
                        + "but got padding " + Arrays.toString(padding) + ", output padding " + Arrays.toString(outputPadding));
            }
            long o = (x.dim(2 + i) - 1L) * stride[i] - 2L * padding[i] + (long) dilation[i] * (weight.dim(2 + i) - 1)
                    + outputPadding[i] + 1;
            if (o < 1) {
                throw new IllegalArgumentException(op + ": output size must be >= 1, but got " + o + " for input "
                        + x.shape() + " and weight " + weight.shape());
            }
            Checks.padded(op, o, padding[i], padding[i]); // the output plus padding is what the kernels index
            out[i] = (int) o;
        }
        Checks.elements(op, "output", x.dim(0), cout, out[0], out[1]);
        ConvGeometry g = new ConvGeometry(x.dim(0), cout, 1, out[0], out[1], cin, 1, weight.dim(2), weight.dim(3),
                1, stride[0], stride[1], 0, padding[0], padding[1], 1, dilation[0], dilation[1], groups, 1, x.dim(2), x.dim(3));
        return new ConvTransposeFunction(g, new int[] {x.dim(0), cout, out[0], out[1]}).apply(x, weight, bias);
    }

    // ---- pooling -----------------------------------------------------------------------------

    /**
     * 2-D max pooling of {@code [N, C, H, W]}: {@code y = max over each window}; the gradient goes to the
     * arg-max. {@code Ho = floor((H + 2p - k) / s) + 1} (ceil with {@code ceilMode}).
     */
    public static Tensor maxPool2d(String op, Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        return pool2d(op, PoolFunction.Kind.MAX, x, kernel, stride, padding, ceilMode);
    }

    /** 2-D average pooling; {@code countIncludePad} as PyTorch's {@code count_include_pad}. */
    public static Tensor avgPool2d(String op, Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode,
                                   boolean countIncludePad) {
        return pool2d(op, countIncludePad ? PoolFunction.Kind.AVG : PoolFunction.Kind.AVG_EXCLUDE_PAD, x, kernel, stride,
                padding, ceilMode);
    }

    private static Tensor pool2d(String op, PoolFunction.Kind kind, Tensor x, int[] k, int[] s, int[] p, boolean ceil) {
        Checks.rank(op, "input", x, 4, "[N, C, H, W]");
        Checks.poolArgs(op, k, s, p);
        int[] out = new int[2];
        for (int i = 0; i < 2; i++) {
            long in = x.dim(2 + i);
            long span = Checks.padded(op, in, p[i], p[i]) - k[i];
            if (span < 0) {
                throw new IllegalArgumentException(op + ": kernel must fit the padded input, but got kernel "
                        + Arrays.toString(k) + " over input " + x.shape() + " padded by " + Arrays.toString(p));
            }
            long o = (ceil ? (span + s[i] - 1) / s[i] : span / s[i]) + 1;
            if (ceil && (o - 1) * s[i] >= in + p[i]) {
                o--; // PyTorch: the last window must start inside the input or the left padding
            }
            out[i] = (int) o;
        }
        Checks.elements(op, "output", x.dim(0), x.dim(1), out[0], out[1]);
        PoolGeometry g = new PoolGeometry(x.dim(0) * x.dim(1), 1, x.dim(2), x.dim(3), 1, k[0], k[1], 1, s[0], s[1],
                0, p[0], p[1], 1, out[0], out[1]);
        return new PoolFunction(kind, g, new int[] {x.dim(0), x.dim(1), out[0], out[1]}).apply(x);
    }

    /** Adaptive average pooling of {@code [N, C, H, W]} to {@code [N, C, outH, outW]}, as PyTorch. */
    public static Tensor adaptiveAvgPool2d(String op, Tensor x, int outH, int outW) {
        Checks.rank(op, "input", x, 4, "[N, C, H, W]");
        Checks.positive(op, "output height", outH);
        Checks.positive(op, "output width", outW);
        Checks.elements(op, "output", x.dim(0), x.dim(1), outH, outW);
        PoolGeometry g = new PoolGeometry(x.dim(0) * x.dim(1), 1, x.dim(2), x.dim(3), 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, outH, outW);
        return new PoolFunction(PoolFunction.Kind.ADAPTIVE_AVG, g, new int[] {x.dim(0), x.dim(1), outH, outW}).apply(x);
    }

    /** Global average pooling: {@code [N, C, H, W] -> [N, C]} (mean over each plane). */
    public static Tensor globalAvgPool2d(String op, Tensor x) {
        Checks.rank(op, "input", x, 4, "[N, C, H, W]");
        return adaptiveAvgPool2d(op, x, 1, 1).reshape(x.dim(0), x.dim(1));
    }

    /** Global max pooling: {@code [N, C, H, W] -> [N, C]} (max over each plane; gradient to the arg-max). */
    public static Tensor globalMaxPool2d(String op, Tensor x) {
        Checks.rank(op, "input", x, 4, "[N, C, H, W]");
        return maxPool2d(op, x, new int[] {x.dim(2), x.dim(3)}, new int[] {1, 1}, new int[] {0, 0}, false)
                .reshape(x.dim(0), x.dim(1));
    }

    // ---- normalization and regularization ----------------------------------------------------

    /**
     * Batch normalization of {@code [N, C, ...]} per channel; see {@link BatchNorm2d} for the math. In
     * training mode it uses the batch statistics and updates {@code runningMean}/{@code runningVar} in place
     * (without recording): {@code r = (1 - momentum) r + momentum * stat}, the variance unbiased by
     * {@code M / (M - 1)}. In evaluation mode it uses the running statistics. {@code gamma}, {@code beta}
     * and the running tensors may be null.
     */
    public static Tensor batchNorm(String op, Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta,
                                   boolean training, float momentum, float eps) {
        return batchNorm(op, x, runningMean, runningVar, gamma, beta, training, momentum, eps, false);
    }

    /**
     * {@code relu(batchNorm(...))} (see {@link #batchNorm}) as one op: in training mode the backend normalizes and
     * applies ReLU in one pass, and the backward masks the gradient inside batch norm's backward, saving a read and a
     * write of the tensor each way. The values and gradients are those of the two ops; {@link Sequential} calls it for
     * a batch-norm layer followed by a ReLU layer.
     */
    public static Tensor batchNormRelu(String op, Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta,
                                       boolean training, float momentum, float eps) {
        return batchNorm(op, x, runningMean, runningVar, gamma, beta, training, momentum, eps, true);
    }

    @SuppressWarnings("java:S107")
    private static Tensor batchNorm(String op, Tensor x, Tensor runningMean, Tensor runningVar, Tensor gamma, Tensor beta,
                                    boolean training, float momentum, float eps, boolean relu) {
        Checks.openOnOneDevice(op, x, runningMean, runningVar, gamma, beta);
        if (!(Float.isFinite(eps) && eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(op + ": eps must be finite and > 0 and momentum in [0, 1], but got eps=" + eps
                    + ", momentum=" + momentum);
        }
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(op + ": running mean and running variance must both be given or both be null, "
                    + "but got " + (runningMean == null ? "only the variance" : "only the mean"));
        }
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": input must have shape [N, C, ...], but got " + x.shape());
        }
        int n = x.dim(0);
        int c = x.dim(1);
        int spatial = (int) (x.numel() / ((long) n * c));
        for (Tensor t : new Tensor[] {runningMean, runningVar, gamma, beta}) {
            if (t != null && (t.rank() != 1 || t.dim(0) != c)) {
                throw new IllegalArgumentException(op + ": input must have " + t.dim(0) + " channels (" + t.name()
                        + " " + t.shape() + "), but got " + x.shape());
            }
        }
        if (training || runningMean == null) {
            long m = (long) n * spatial;
            if (m < 2) {
                throw new IllegalArgumentException(op + ": " + (training ? "training" : "batch statistics (no running statistics)")
                        + " needs more than 1 value per channel, but got input " + x.shape());
            }
            BatchNormFunction f = new BatchNormFunction(n, c, spatial, eps, relu);
            Tensor y = f.apply(x, gamma, beta);
            if (training && runningMean != null) {
                try (NoGrad off = NoGrad.enter()) {
                    float unbias = (float) m / (m - 1);
                    runningMean.copyFrom(runningMean.mul(1 - momentum).add(f.mean().mul(momentum)));
                    runningVar.copyFrom(runningVar.mul(1 - momentum).add(f.var().mul(momentum * unbias)));
                }
            }
            return y;
        }
        int[] bshape = new int[x.rank()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        Tensor scale = runningVar.add(eps).sqrt().reciprocal();
        if (gamma != null) {
            scale = scale.mul(gamma);
        }
        Tensor y = x.sub(runningMean.reshape(bshape)).mul(scale.reshape(bshape));
        if (beta != null) {
            y = y.add(beta.reshape(bshape));
        }
        return relu ? y.relu() : y;
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability {@code p} and scales the rest by
     * {@code 1 / (1 - p)}; identity otherwise. The mask is drawn from {@code gen} and never stored.
     */
    public static Tensor dropout(String op, Tensor x, float p, boolean training, Generator gen) {
        return dropout(op, x, p, training, gen, 1);
    }

    /** Spatial dropout of {@code [N, C, H, W]} (or {@code [N, C, D, H, W]}): zeroes whole channels with probability {@code p}. */
    public static Tensor dropout2d(String op, Tensor x, float p, boolean training, Generator gen) {
        if (x.rank() < 3) {
            throw new IllegalArgumentException(op + ": input must have shape [N, C, H, W], but got " + x.shape());
        }
        return dropout(op, x, p, training, gen, x.numel() / ((long) x.dim(0) * x.dim(1)));
    }

    private static Tensor dropout(String op, Tensor x, float p, boolean training, Generator gen, long groupSize) {
        x.checkOpen(op);
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException(op + ": p must be in [0, 1), but got " + p);
        }
        if (!training || p == 0) {
            return x;
        }
        long groups = x.numel() / groupSize;
        long offset = gen.reserve(groups);
        return new DropoutFunction(p, groupSize, gen.seed(), offset).apply(x);
    }

    // ---- activations and losses --------------------------------------------------------------

    /** An activation with parameter {@code a}; see {@link Activation}. */
    public static Tensor activation(Tensor x, Activation f, float a) {
        return new ActivationFunction(f, a).apply(x);
    }

    /** Softmax over the last dimension. */
    public static Tensor softmax(Tensor x) {
        return new SoftmaxFunction(false).apply(x);
    }

    /** Log-softmax over the last dimension. */
    public static Tensor logSoftmax(Tensor x) {
        return new SoftmaxFunction(true).apply(x);
    }

    /** {@code y = x W^T + b}: {@code x: [N, in]}, {@code weight: [out, in]}, {@code bias: [out]} or null. */
    public static Tensor linear(String op, Tensor x, Tensor weight, Tensor bias) {
        Checks.openOnOneDevice(op, x, weight, bias);
        Checks.rank(op, "weight", weight, 2, "[outFeatures, inFeatures]");
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0))) {
            throw new IllegalArgumentException(op + ": bias must have shape [" + weight.dim(0) + "] (outFeatures), but got "
                    + bias.shape());
        }
        if (x.rank() != 2 || x.dim(1) != weight.dim(1)) {
            throw new IllegalArgumentException(op + ": input must have shape [N, " + weight.dim(1) + "] (inFeatures="
                    + weight.dim(1) + "), but got " + x.shape());
        }
        Tensor y = x.matmul(weight, false, true);
        return bias == null ? y : y.add(bias);
    }

    /**
     * Cross-entropy of logits {@code [N, K]} against class indices {@code [N]} (stored as floats), with label
     * smoothing {@code s}: {@code loss_n = -sum_j q_j log softmax(x_n)_j}, {@code q = (1 - s) onehot + s / K};
     * the mean over the batch when {@code mean}, else the sum.
     */
    public static Tensor crossEntropy(String op, Tensor logits, Tensor targets, float smoothing, boolean mean) {
        return crossEntropy(op, logits, targets, smoothing, mean, true);
    }

    /**
     * As {@link #crossEntropy(String, Tensor, Tensor, float, boolean)}; with {@code checkTargets} every target is
     * verified to be an integer in {@code [0, K)} first, which reads the targets back ({@code 4 N} bytes, one host
     * transfer). Without it nothing is read and a row whose target is not such an integer gives a NaN loss.
     */
    public static Tensor crossEntropy(String op, Tensor logits, Tensor targets, float smoothing, boolean mean,
                                      boolean checkTargets) {
        Checks.openOnOneDevice(op, logits, targets);
        if (logits.rank() != 2) {
            throw new IllegalArgumentException(op + ": logits must have shape [N, classes], but got " + logits.shape());
        }
        if (targets.rank() != 1 || targets.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException(op + ": targets must have shape [" + logits.dim(0) + "] (one class index "
                    + "per row of logits " + logits.shape() + "), but got " + targets.shape());
        }
        if (!(smoothing >= 0 && smoothing <= 1)) {
            throw new IllegalArgumentException(op + ": label smoothing must be in [0, 1], but got " + smoothing);
        }
        if (checkTargets) {
            float[] t = targets.toArray();
            for (int r = 0; r < t.length; r++) {
                if (!(t[r] >= 0 && t[r] < logits.dim(1) && t[r] == Math.rint(t[r]))) {
                    throw new IllegalArgumentException(op + ": targets must be class indices (integers in [0, " + logits.dim(1)
                            + ")), but got " + t[r] + " at row " + r + " (logits " + logits.shape() + ")");
                }
            }
        }
        return new CrossEntropyFunction(logits.dim(0), logits.dim(1), smoothing, mean).apply(logits, targets);
    }

    /** Mean squared error {@code mean((a - b)^2)} (same shapes). */
    public static Tensor mseLoss(String op, Tensor a, Tensor b) {
        Checks.openOnOneDevice(op, a, b);
        if (!a.shape().equals(b.shape())) {
            throw new IllegalArgumentException(op + ": input and target must have the same shape, but got " + a.shape()
                    + " and " + b.shape());
        }
        return a.sub(b).square().mean();
    }
}
