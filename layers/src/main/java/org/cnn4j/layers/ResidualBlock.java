package org.cnn4j.layers;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Tensor;

/**
 * The basic residual block of He et al. 2016 ("Deep Residual Learning for Image Recognition"), as in
 * torchvision's {@code BasicBlock}:
 * <pre>
 *   y = relu( bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x) )
 *   shortcut(x) = x                        when stride = 1 and inChannels = outChannels
 *               = bn_s(conv_s(x))          otherwise (1x1 convolution with the block's stride)
 * </pre>
 * {@code conv1} is 3x3 with the block's stride, {@code conv2} 3x3 with stride 1, both padding 1 and no bias
 * (the batch norm that follows has one). The identity path lets gradients reach early layers undiminished,
 * which is what makes deep networks trainable (the vanishing-gradient problem).
 *
 * <p><b>Shape</b>: {@code [N, inChannels, H, W] -> [N, outChannels, floor((H - 1) / stride) + 1, floor((W - 1) / stride) + 1]}.
 * Children are named {@code conv1, bn1, conv2, bn2} and, with a projection, {@code shortcut_conv, shortcut_bn}.
 */
public class ResidualBlock extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int stride;
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Conv2d shortcutConv;
    private final BatchNorm2d shortcutBn;

    /**
     * A block from {@code inChannels} to {@code outChannels} with {@code stride} (1 or 2 in practice), its
     * weights on {@code device} drawn from {@code gen} (He initialisation, as {@link Conv2d}).
     *
     * @throws IllegalArgumentException if a channel count or the stride is below 1
     */
    public ResidualBlock(int inChannels, int outChannels, int stride, Device device, Generator gen) {
        if (inChannels < 1 || outChannels < 1 || stride < 1) {
            throw new IllegalArgumentException("ResidualBlock: inChannels, outChannels and stride must be >= 1, but got "
                    + inChannels + ", " + outChannels + ", " + stride);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.stride = stride;
        int[] k3 = {3, 3};
        int[] k1 = {1, 1};
        int[] one = {1, 1};
        int[] s = {stride, stride};
        conv1 = registerModule("conv1", new Conv2d(inChannels, outChannels, k3, s, Padding.of(1), one, 1, false, device, gen));
        bn1 = registerModule("bn1", new BatchNorm2d(outChannels, 1e-5f, 0.1f, true, device));
        conv2 = registerModule("conv2", new Conv2d(outChannels, outChannels, k3, one, Padding.of(1), one, 1, false, device, gen));
        bn2 = registerModule("bn2", new BatchNorm2d(outChannels, 1e-5f, 0.1f, true, device));
        if (stride != 1 || inChannels != outChannels) {
            shortcutConv = registerModule("shortcut_conv",
                    new Conv2d(inChannels, outChannels, k1, s, Padding.of(0), one, 1, false, device, gen));
            shortcutBn = registerModule("shortcut_bn", new BatchNorm2d(outChannels, 1e-5f, 0.1f, true, device));
        } else {
            shortcutConv = null;
            shortcutBn = null;
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = forwardChild(bn1, forwardChild(conv1, x)).relu();
        h = forwardChild(bn2, forwardChild(conv2, h));
        Tensor skip = shortcutConv == null ? x : forwardChild(shortcutBn, forwardChild(shortcutConv, x));
        return h.add(skip).relu();
    }

    @Override
    public String toString() {
        return "ResidualBlock(" + inChannels + ", " + outChannels + ", stride=" + stride
                + (shortcutConv == null ? ", identity shortcut)" : ", projection shortcut)");
    }
}
