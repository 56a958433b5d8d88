package org.cnn4j.layers;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;

/**
 * Batch normalization (Ioffe and Szegedy, 2015) over the channel dimension 1, as PyTorch.
 * <pre>
 *   training:   y = gamma * (x - mean_B) / sqrt(var_B + eps) + beta     (batch statistics, biased variance)
 *               runningMean = (1 - momentum) runningMean + momentum mean_B
 *               runningVar  = (1 - momentum) runningVar  + momentum var_B * M / (M - 1)   (unbiased)
 *   evaluation: y = gamma * (x - runningMean) / sqrt(runningVar + eps) + beta
 * </pre>
 * The backward in training mode is one fused pass per channel (see {@code NormOps}).
 * <p><b>Defaults</b>: eps 1e-5, momentum 0.1, affine (gamma = 1, beta = 0), running statistics tracked
 * (mean 0, variance 1).
 */
abstract class BatchNorm extends Module {
    private final String layer;
    private final int channels;
    private final float eps;
    private final float momentum;
    private final Parameter gamma;
    private final Parameter beta;
    private final Tensor runningMean;
    private final Tensor runningVar;

    BatchNorm(String layer, int channels, float eps, float momentum, boolean affine, Device device) {
        Checks.positive(layer, "channels", channels);
        if (!(eps > 0 && Float.isFinite(eps)) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(layer + ": eps must be finite and > 0 and momentum in [0, 1], but got eps=" + eps
                    + ", momentum=" + momentum);
        }
        this.layer = layer;
        this.channels = channels;
        this.eps = eps;
        this.momentum = momentum;
        this.gamma = affine ? registerParameter("weight", device.ones(channels)) : null;
        this.beta = affine ? registerParameter("bias", device.zeros(channels)) : null;
        this.runningMean = registerBuffer("running_mean", device.zeros(channels));
        this.runningVar = registerBuffer("running_var", device.ones(channels));
    }

    /** Checks the rank this flavour accepts. */
    abstract void checkInput(Tensor x);

    private void checkChannels(Tensor x) {
        checkInput(x);
        if (x.dim(1) != channels) {
            throw new IllegalArgumentException(layer + ".forward: input must have " + channels + " channels (dimension 1), "
                    + "but got " + x.shape());
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        checkChannels(x);
        return F.batchNorm(layer + ".forward", x, runningMean, runningVar, gamma == null ? null : gamma.tensor(),
                beta == null ? null : beta.tensor(), isTraining(), momentum, eps);
    }

    /** {@code relu(forward(x))} as one op ({@link F#batchNormRelu}); {@link Sequential} calls it for this layer + ReLU. */
    Tensor forwardRelu(Tensor x) {
        checkChannels(x);
        return F.batchNormRelu(layer + ".forward", x, runningMean, runningVar, gamma == null ? null : gamma.tensor(),
                beta == null ? null : beta.tensor(), isTraining(), momentum, eps);
    }

    /** gamma, or null when not affine. */
    public Parameter weight() {
        return gamma;
    }

    /** beta, or null when not affine. */
    public Parameter bias() {
        return beta;
    }

    /** The running mean buffer. */
    public Tensor runningMean() {
        return runningMean;
    }

    /** The running (unbiased) variance buffer. */
    public Tensor runningVar() {
        return runningVar;
    }

    @Override
    public String toString() {
        return layer + "(" + channels + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + (gamma != null) + ")";
    }
}
