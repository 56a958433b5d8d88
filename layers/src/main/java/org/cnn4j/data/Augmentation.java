package org.cnn4j.data;

import java.util.SplittableRandom;

/**
 * Random image augmentation applied on the host, per example, before normalization: a random crop
 * with zero padding and an optional horizontal flip.
 *
 * <p>Random crop: pad each side of the image with {@code padding} zeros, then cut a window of the
 * original size at a uniform offset; equivalently, shift the image by {@code (ox, oy)} with
 * {@code ox, oy ~ U{-padding..padding}} and fill the uncovered pixels with 0. Horizontal flip: with
 * probability 1/2, {@code out[c, y, x] = in[c, y, W - 1 - x]}. Shapes and labels never change.
 *
 * @param padding        zero padding of the random crop, {@code >= 0} (0 disables the crop)
 * @param horizontalFlip whether to flip horizontally with probability 1/2
 */
public record Augmentation(int padding, boolean horizontalFlip) {
    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(0, false);

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException if {@code padding < 0}
     */
    public Augmentation {
        if (padding < 0) {
            throw new IllegalArgumentException("Augmentation: padding must be >= 0, but got " + padding);
        }
    }

    /** Whether this augmentation changes anything. */
    public boolean isIdentity() {
        return padding == 0 && !horizontalFlip;
    }

    /**
     * Writes the augmented copy of {@code src[srcOff ..]} (shape {@code [c, h, w]}) to {@code dst[dstOff ..]}.
     */
    void apply(float[] src, int srcOff, float[] dst, int dstOff, int c, int h, int w, SplittableRandom rng) {
        int ox = padding == 0 ? 0 : rng.nextInt(-padding, padding + 1);
        int oy = padding == 0 ? 0 : rng.nextInt(-padding, padding + 1);
        boolean flip = horizontalFlip && rng.nextBoolean();
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y + oy;
                for (int x = 0; x < w; x++) {
                    int fx = flip ? w - 1 - x : x;
                    int sx = fx + ox;
                    float v = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[srcOff + plane + sy * w + sx] : 0f;
                    dst[dstOff + plane + y * w + x] = v;
                }
            }
        }
    }
}
