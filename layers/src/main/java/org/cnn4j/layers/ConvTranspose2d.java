package org.cnn4j.layers;

import java.util.Arrays;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;

/**
 * Transposed 2-D convolution ("deconvolution"): the input gradient of {@link Conv2d}, used to upsample.
 * <p><b>Shape</b>: input {@code [N, inChannels, H, W]}, weight {@code [inChannels, outChannels / groups, kh, kw]} (as
 * PyTorch), output {@code Ho = (H - 1) sh - 2 ph + dh (kh - 1) + outputPadding_h + 1}.
 * <p><b>Defaults</b>: PyTorch's initialization with {@code fanIn = outChannels / groups * kh * kw} (PyTorch
 * computes the fan from the weight's dimension 1).
 */
public class ConvTranspose2d extends Module {
    private final int inChannels;
    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    /** Square kernel {@code k}, stride {@code s}, padding {@code p}, no output padding, bias. */
    public ConvTranspose2d(int inChannels, int outChannels, int k, int s, int p) {
        this(inChannels, outChannels, new int[] {k, k}, new int[] {s, s}, new int[] {p, p}, new int[] {0, 0},
                new int[] {1, 1}, 1, true, Device.defaultDevice(), Generator.global());
    }

    /** The general form; {@code padding = {ph, pw}}. */
    public ConvTranspose2d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] outputPadding,
                           int[] dilation, int groups, boolean bias, Device device, Generator gen) {
        Checks.positive("ConvTranspose2d", "inChannels", inChannels);
        Checks.positive("ConvTranspose2d", "outChannels", outChannels);
        Checks.positive("ConvTranspose2d", "groups", groups);
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("ConvTranspose2d: groups must divide inChannels and outChannels, but got groups="
                    + groups + ", inChannels=" + inChannels + ", outChannels=" + outChannels);
        }
        if (padding.length != 2 || outputPadding.length != 2) {
            throw new IllegalArgumentException("ConvTranspose2d: padding and output padding must have 2 values, but got padding="
                    + Arrays.toString(padding) + ", outputPadding=" + Arrays.toString(outputPadding));
        }
        if (padding[0] < 0 || padding[1] < 0) {
            throw new IllegalArgumentException("ConvTranspose2d: padding must be >= 0, but got " + Arrays.toString(padding));
        }
        Checks.length("ConvTranspose2d", "kernel", kernel, 2);
        Checks.convArgs("ConvTranspose2d", kernel, stride, new int[] {padding[0], padding[0], padding[1], padding[1]},
                dilation, 2);
        for (int i = 0; i < 2; i++) {
            if (outputPadding[i] < 0 || (outputPadding[i] >= stride[i] && outputPadding[i] >= dilation[i])) {
                throw new IllegalArgumentException("ConvTranspose2d: output padding must be in [0, max(stride, dilation)), "
                        + "but got " + Arrays.toString(outputPadding) + " (stride " + Arrays.toString(stride) + ", dilation "
                        + Arrays.toString(dilation) + ")");
            }
        }
        Checks.elements("ConvTranspose2d", "weight", inChannels, outChannels / groups, kernel[0], kernel[1]);
        this.inChannels = inChannels;
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.outputPadding = outputPadding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        long fanIn = (long) outChannels / groups * kernel[0] * kernel[1];
        this.weight = registerParameter("weight", Init.pytorchDefault(device, gen, fanIn,
                inChannels, outChannels / groups, kernel[0], kernel[1]));
        this.bias = bias ? registerParameter("bias", Init.pytorchDefault(device, gen, fanIn, outChannels)) : null;
    }

    /** The weight {@code [inChannels, outChannels / groups, kh, kw]}. */
    public Parameter weight() {
        return weight;
    }

    /** The bias, or null. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException("ConvTranspose2d.forward: input must have shape [N, " + inChannels
                    + ", H, W] (inChannels=" + inChannels + "), but got " + x.shape());
        }
        return F.convTranspose2d("ConvTranspose2d.forward", x, weight.tensor(), bias == null ? null : bias.tensor(), stride,
                padding, outputPadding, dilation, groups);
    }

    @Override
    public String toString() {
        return "ConvTranspose2d(weight=" + weight.shape() + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding) + ", outputPadding=" + Arrays.toString(outputPadding) + ", dilation="
                + Arrays.toString(dilation) + ", groups=" + groups + ", bias=" + (bias != null) + ")";
    }
}
