package org.cnn4j.layers;

/**
 * Convolution padding per side. {@link #same} pads so that a stride-1 convolution keeps the spatial
 * size: total {@code dilation * (kernel - 1)}, the extra one (when odd) after, as PyTorch's
 * {@code padding='same'}.
 */
public final class Padding {
    private Padding() {
    }

    /** {@code {top, bottom, left, right}} all equal to {@code p}. */
    public static int[] of(int p) {
        return new int[] {p, p, p, p};
    }

    /** {@code {ph, ph, pw, pw}}. */
    public static int[] of(int ph, int pw) {
        return new int[] {ph, ph, pw, pw};
    }

    /** Explicit per side. */
    public static int[] of(int top, int bottom, int left, int right) {
        return new int[] {top, bottom, left, right};
    }

    /** {@code same} padding for a 2-D kernel {@code {kh, kw}} and dilation {@code {dh, dw}}. */
    public static int[] same(int[] kernel, int[] dilation) {
        int th = dilation[0] * (kernel[0] - 1);
        int tw = dilation[1] * (kernel[1] - 1);
        return new int[] {th / 2, th - th / 2, tw / 2, tw - tw / 2};
    }
}
