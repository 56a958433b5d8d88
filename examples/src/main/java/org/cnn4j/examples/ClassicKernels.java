package org.cnn4j.examples;

import java.util.Arrays;

/**
 * Classic image-processing convolution weights, row-major, for use as the {@code weight} of a
 * single-channel convolution ({@code [1, 1, k, k]} or {@code [1, 1, k, k, k]}).
 *
 * <p>The library's convolution is a cross-correlation,
 * {@code y[i, j] = sum_{u, v} weight[u, v] x[i + u - k/2, j + v - k/2]}, so the matrices below are applied
 * as written (not flipped). Each method returns a fresh array, so a caller may change it.
 */
public final class ClassicKernels {
    private ClassicKernels() {
    }

    /**
     * Sobel x: the horizontal derivative (positive where the image brightens to the right), smoothed
     * vertically.
     * <pre>
     * -1  0  1
     * -2  0  2
     * -1  0  1
     * </pre>
     */
    public static float[] sobelX() {
        return new float[] {
            -1, 0, 1,
            -2, 0, 2,
            -1, 0, 1,
        };
    }

    /**
     * Sobel y: the vertical derivative (positive where the image brightens downwards), smoothed
     * horizontally; the transpose of {@link #sobelX()}.
     * <pre>
     * -1 -2 -1
     *  0  0  0
     *  1  2  1
     * </pre>
     */
    public static float[] sobelY() {
        return new float[] {
            -1, -2, -1,
             0,  0,  0,
             1,  2,  1,
        };
    }

    /**
     * Laplacian, 4-neighbour: {@code x[i-1,j] + x[i+1,j] + x[i,j-1] + x[i,j+1] - 4 x[i,j]}, the discrete
     * {@code d2/di2 + d2/dj2}; zero on constant and linear regions.
     * <pre>
     *  0  1  0
     *  1 -4  1
     *  0  1  0
     * </pre>
     */
    public static float[] laplacian() {
        return new float[] {
            0,  1, 0,
            1, -4, 1,
            0,  1, 0,
        };
    }

    /**
     * Box blur, 5x5: the mean of the 25 neighbours, every weight {@code 1/25}.
     * <pre>
     * 1 1 1 1 1
     * 1 1 1 1 1
     * 1 1 1 1 1   x 1/25
     * 1 1 1 1 1
     * 1 1 1 1 1
     * </pre>
     */
    public static float[] boxBlur5() {
        float[] w = new float[25];
        Arrays.fill(w, 1f / 25f);
        return w;
    }

    /**
     * Gaussian blur, 5x5, {@code sigma = 1}: {@code w[u, v] = exp(-(u^2 + v^2) / (2 sigma^2)) / Z} for
     * {@code u, v in -2..2}, with {@code Z} making the weights sum to 1. Separable: the outer product of
     * {@code g = [0.0545, 0.2442, 0.4026, 0.2442, 0.0545]} with itself. To four decimals:
     * <pre>
     * 0.0030 0.0133 0.0219 0.0133 0.0030
     * 0.0133 0.0596 0.0983 0.0596 0.0133
     * 0.0219 0.0983 0.1621 0.0983 0.0219
     * 0.0133 0.0596 0.0983 0.0596 0.0133
     * 0.0030 0.0133 0.0219 0.0133 0.0030
     * </pre>
     */
    public static float[] gaussianBlur5() {
        return gaussian(2, 5, 1.0);
    }

    /**
     * Sharpen: the image plus its negated 4-neighbour Laplacian, {@code 5 x[i,j] - (4 neighbours)}; the
     * weights sum to 1, so constant regions are unchanged.
     * <pre>
     *  0 -1  0
     * -1  5 -1
     *  0 -1  0
     * </pre>
     */
    public static float[] sharpen() {
        return new float[] {
             0, -1,  0,
            -1,  5, -1,
             0, -1,  0,
        };
    }

    /**
     * Gaussian, 3x3x3, {@code sigma = 1}, for smoothing volumes: the outer product of
     * {@code g = [0.2741, 0.4519, 0.2741]} with itself three times, summing to 1 (index order
     * {@code [depth][row][column]}). The outer slices are
     * <pre>
     * 0.0206 0.0339 0.0206
     * 0.0339 0.0560 0.0339
     * 0.0206 0.0339 0.0206
     * </pre>
     * and the middle slice is
     * <pre>
     * 0.0339 0.0560 0.0339
     * 0.0560 0.0923 0.0560
     * 0.0339 0.0560 0.0339
     * </pre>
     * It scales the standard deviation of independent noise by {@code sqrt(sum w^2) = 0.211}.
     */
    public static float[] gaussian3d3() {
        return gaussian(3, 3, 1.0);
    }

    /**
     * A normalized isotropic Gaussian of {@code dims} dimensions and odd {@code size} per dimension:
     * {@code w[p] = exp(-|p - c|^2 / (2 sigma^2)) / Z}, {@code c} the centre, {@code Z} the sum.
     *
     * @throws IllegalArgumentException if {@code size} is not odd and positive, {@code dims} not in 1..3, or
     *     {@code sigma} not positive
     */
    public static float[] gaussian(int dims, int size, double sigma) {
        if (size <= 0 || size % 2 == 0) {
            throw new IllegalArgumentException("ClassicKernels.gaussian: size must be odd and positive, but got " + size);
        }
        if (dims < 1 || dims > 3) {
            throw new IllegalArgumentException("ClassicKernels.gaussian: dims must be in 1..3, but got " + dims);
        }
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("ClassicKernels.gaussian: sigma must be > 0, but got " + sigma);
        }
        int r = size / 2;
        int n = 1;
        for (int i = 0; i < dims; i++) {
            n *= size;
        }
        double[] w = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int rest = i, d = 0; d < dims; d++, rest /= size) {
                int offset = rest % size - r;
                sq += offset * offset;
            }
            w[i] = Math.exp(-sq / (2 * sigma * sigma));
            total += w[i];
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (w[i] / total);
        }
        return out;
    }
}
