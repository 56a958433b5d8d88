package org.cnn4j.runtime.spi;

/**
 * The sizes of one convolution, always three spatial dimensions (a 2-D convolution has
 * {@code inDepth = kernelD = outDepth = 1}, stride 1, padding 0 and dilation 1 in depth), so that one
 * set of kernels serves {@code Conv2d}, {@code Conv3d} and {@code ConvTranspose2d}.
 *
 * <pre>
 *   x: [batch, inChannels, inDepth, inHeight, inWidth]
 *   w: [outChannels, inChannels / groups, kernelD, kernelH, kernelW]
 *   y: [batch, outChannels, outDepth, outHeight, outWidth]
 *   y[n, k, od, oh, ow] = bias[k] + sum_{c in group(k), a, b, e} w[k, c', a, b, e]
 *                         * x[n, c, od*strideD - padFront + a*dilationD,
 *                                   oh*strideH - padTop   + b*dilationH,
 *                                   ow*strideW - padLeft  + e*dilationW]      (x outside = 0)
 *   out = floor((in + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1
 * </pre>
 * Group {@code g} maps input channels {@code [g*C/G, (g+1)*C/G)} to output channels
 * {@code [g*K/G, (g+1)*K/G)}; {@code c'} is the channel index within the group.
 *
 * @param batch N
 * @param inChannels C
 * @param inDepth D (1 for 2-D)
 * @param inHeight H
 * @param inWidth W
 * @param outChannels K
 * @param kernelD kernel depth (1 for 2-D)
 * @param kernelH kernel height
 * @param kernelW kernel width
 * @param strideD stride in depth
 * @param strideH stride in height
 * @param strideW stride in width
 * @param padFront zeros before the input in depth
 * @param padTop zeros above
 * @param padLeft zeros to the left
 * @param dilationD dilation in depth
 * @param dilationH dilation in height
 * @param dilationW dilation in width
 * @param groups G, dividing C and K
 * @param outDepth output depth
 * @param outHeight output height
 * @param outWidth output width
 */
public record ConvGeometry(int batch, int inChannels, int inDepth, int inHeight, int inWidth,
                           int outChannels, int kernelD, int kernelH, int kernelW,
                           int strideD, int strideH, int strideW,
                           int padFront, int padTop, int padLeft,
                           int dilationD, int dilationH, int dilationW,
                           int groups, int outDepth, int outHeight, int outWidth) {

    /** Elements of x. */
    public long inputSize() {
        return (long) batch * inChannels * inDepth * inHeight * inWidth;
    }

    /** Elements of w. */
    public long weightSize() {
        return (long) outChannels * (inChannels / groups) * kernelD * kernelH * kernelW;
    }

    /** Elements of y. */
    public long outputSize() {
        return (long) batch * outChannels * outDepth * outHeight * outWidth;
    }

    /** Multiply-adds of the forward pass. */
    public long macs() {
        return outputSize() * (inChannels / groups) * kernelD * kernelH * kernelW;
    }
}
