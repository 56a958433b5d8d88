package org.cnn4j.layers;

import java.util.Arrays;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;

/**
 * 2-D convolution layer.
 * <pre>
 *   y[n, k] = bias[k] + sum_{c in group(k)} weight[k, c'] (*) x[n, c]      (cross-correlation, as PyTorch)
 * </pre>
 * <b>Shape</b>: input {@code [N, inChannels, H, W]}, weight {@code [outChannels, inChannels / groups, kh, kw]},
 * output {@code [N, outChannels, Ho, Wo]}, {@code Ho = floor((H + top + bottom - dh (kh - 1) - 1) / sh) + 1}.
 * <p><b>Defaults</b>: stride 1, no padding, dilation 1, 1 group, with bias. Initialization as PyTorch:
 * weight and bias {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}, {@code fanIn = inChannels / groups * kh * kw};
 * use {@link Init#kaimingNormal} for He initialization before ReLUs in deep nets.
 * Depthwise convolution is {@code groups = inChannels}.
 */
public class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    /** A square 3x3-style convolution: kernel {@code k}, stride 1, padding {@code pad} on every side, bias. */
    public Conv2d(int inChannels, int outChannels, int k, int pad) {
        this(inChannels, outChannels, new int[] {k, k}, new int[] {1, 1}, Padding.of(pad), new int[] {1, 1}, 1, true,
                Device.defaultDevice(), Generator.global());
    }

    /**
     * The general form.
     *
     * @param kernel {@code {kh, kw}}
     * @param stride {@code {sh, sw}}
     * @param padding {@code {top, bottom, left, right}} (see {@link Padding})
     * @param dilation {@code {dh, dw}}
     */
    public Conv2d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, Device device, Generator gen) {
        String op = "Conv2d";
        Checks.positive(op, "inChannels", inChannels);
        Checks.positive(op, "outChannels", outChannels);
        Checks.positive(op, "groups", groups);
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv2d: groups must divide inChannels and outChannels, but got groups="
                    + groups + ", inChannels=" + inChannels + ", outChannels=" + outChannels);
        }
        Checks.length(op, "kernel", kernel, 2);
        Checks.convArgs(op, kernel, stride, padding, dilation, 2);
        Checks.elements(op, "weight", outChannels, inChannels / groups, kernel[0], kernel[1]);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        long fanIn = (long) inChannels / groups * kernel[0] * kernel[1];
        this.weight = registerParameter("weight", Init.pytorchDefault(device, gen, fanIn,
                outChannels, inChannels / groups, kernel[0], kernel[1]));
        this.bias = bias ? registerParameter("bias", Init.pytorchDefault(device, gen, fanIn, outChannels)) : null;
    }

    /** The weight {@code [outChannels, inChannels / groups, kh, kw]}. */
    public Parameter weight() {
        return weight;
    }

    /** The bias {@code [outChannels]}, or null. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException("Conv2d.forward: input must have shape [N, " + inChannels + ", H, W] (inChannels="
                    + inChannels + "), but got " + x.shape());
        }
        return F.conv2d("Conv2d.forward", x, weight.tensor(), bias == null ? null : bias.tensor(), stride, padding, dilation, groups);
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel=" + Arrays.toString(kernel) + ", stride="
                + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation)
                + ", groups=" + groups + ", bias=" + (bias != null) + ")";
    }
}
