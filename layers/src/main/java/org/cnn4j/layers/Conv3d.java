package org.cnn4j.layers;

import java.util.Arrays;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;

/**
 * 3-D convolution layer for volumes and video, {@code y = bias + weight (*) x} over depth, height and width.
 * <p><b>Shape</b>: input {@code [N, inChannels, D, H, W]}, weight {@code [outChannels, inChannels / groups, kd, kh, kw]},
 * output {@code [N, outChannels, Do, Ho, Wo]}, each {@code out = floor((in + before + after - d (k - 1) - 1) / s) + 1}.
 * <p><b>Defaults</b>: stride 1, dilation 1, 1 group, bias; PyTorch's initialization (see {@link Conv2d}).
 */
public class Conv3d extends Module {
    private final int inChannels;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    /** Cubic kernel {@code k}, stride 1, padding {@code pad} on every side, bias. */
    public Conv3d(int inChannels, int outChannels, int k, int pad) {
        this(inChannels, outChannels, new int[] {k, k, k}, new int[] {1, 1, 1}, new int[] {pad, pad, pad, pad, pad, pad},
                new int[] {1, 1, 1}, 1, true, Device.defaultDevice(), Generator.global());
    }

    /**
     * The general form.
     *
     * @param padding {@code {front, back, top, bottom, left, right}}
     */
    public Conv3d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, Device device, Generator gen) {
        Checks.positive("Conv3d", "inChannels", inChannels);
        Checks.positive("Conv3d", "outChannels", outChannels);
        Checks.positive("Conv3d", "groups", groups);
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("Conv3d: groups must divide inChannels and outChannels, but got groups="
                    + groups + ", inChannels=" + inChannels + ", outChannels=" + outChannels);
        }
        Checks.length("Conv3d", "kernel", kernel, 3);
        Checks.convArgs("Conv3d", kernel, stride, padding, dilation, 3);
        Checks.elements("Conv3d", "weight", outChannels, inChannels / groups, kernel[0], kernel[1], kernel[2]);
        this.inChannels = inChannels;
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        long fanIn = (long) inChannels / groups * kernel[0] * kernel[1] * kernel[2];
        this.weight = registerParameter("weight", Init.pytorchDefault(device, gen, fanIn,
                outChannels, inChannels / groups, kernel[0], kernel[1], kernel[2]));
        this.bias = bias ? registerParameter("bias", Init.pytorchDefault(device, gen, fanIn, outChannels)) : null;
    }

    /** The weight. */
    public Parameter weight() {
        return weight;
    }

    /** The bias, or null. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 5 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException("Conv3d.forward: input must have shape [N, " + inChannels + ", D, H, W] (inChannels="
                    + inChannels + "), but got " + x.shape());
        }
        return F.conv3d("Conv3d.forward", x, weight.tensor(), bias == null ? null : bias.tensor(), stride, padding, dilation, groups);
    }

    @Override
    public String toString() {
        return "Conv3d(" + inChannels + ", weight=" + weight.shape() + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", groups=" + groups + ", bias="
                + (bias != null) + ")";
    }
}
