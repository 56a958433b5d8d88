package org.cnn4j.runtime.spi;

/**
 * The sizes of one pooling window sweep over {@code [batch * channels, depth, height, width]} planes
 * (depth 1 for 2-D). Window {@code (od, oh, ow)} covers input rows
 * {@code oh*strideH - padTop + [0, kernelH)} (and likewise in depth and width), clipped to the input.
 * {@code out = floor((in + 2 pad - kernel) / stride) + 1}, or with ceil mode the ceiling, as PyTorch.
 *
 * @param planes batch * channels
 * @param inDepth input depth (1 for 2-D)
 * @param inHeight input height
 * @param inWidth input width
 * @param kernelD window depth
 * @param kernelH window height
 * @param kernelW window width
 * @param strideD stride in depth
 * @param strideH stride in height
 * @param strideW stride in width
 * @param padD padding in depth (both sides)
 * @param padH padding in height (both sides)
 * @param padW padding in width (both sides)
 * @param outDepth output depth
 * @param outHeight output height
 * @param outWidth output width
 */
public record PoolGeometry(int planes, int inDepth, int inHeight, int inWidth,
                           int kernelD, int kernelH, int kernelW,
                           int strideD, int strideH, int strideW,
                           int padD, int padH, int padW,
                           int outDepth, int outHeight, int outWidth) {

    /** Elements of the input. */
    public long inputSize() {
        return (long) planes * inDepth * inHeight * inWidth;
    }

    /** Elements of the output. */
    public long outputSize() {
        return (long) planes * outDepth * outHeight * outWidth;
    }
}
