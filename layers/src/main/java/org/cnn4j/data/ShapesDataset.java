package org.cnn4j.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A procedurally generated default data set that needs no download: 28x28 grayscale images of ten
 * kinds of simple shape, with random position, size, stroke width, contrast and pixel noise.
 *
 * <p>The classes are, in label order: {@link #CLASS_NAMES} = circle, square, triangle, cross (plus),
 * horizontal bar, vertical bar, ring, diagonal, X, hollow square. Several pairs share strokes (cross
 * vs. bars, ring vs. circle vs. hollow square, diagonal vs. X), so a small CNN learns it well, but not
 * from a single pixel.
 *
 * <p>Each image is {@code clamp(b + (f - b) * coverage + noise, 0, 1)}, where {@code coverage} is the
 * fraction of 3x3 sub-pixel samples inside the shape, {@code b ~ U[0, 0.2)} the background,
 * {@code f ~ U[0.6, 1)} the foreground and {@code noise ~ N(0, 0.08^2)} per pixel. Example {@code i} has
 * label {@code i % 10}, so classes are balanced to within one example. The result depends only on
 * {@code (n, seed)}.
 */
public final class ShapesDataset {
    /** Image height and width. */
    public static final int SIZE = 28;
    /** Number of classes. */
    public static final int NUM_CLASSES = 10;
    /** Class names, indexed by label. */
    public static final List<String> CLASS_NAMES = List.of("circle", "square", "triangle", "cross",
            "horizontal bar", "vertical bar", "ring", "diagonal", "x", "hollow square");

    private static final int SUBSAMPLES = 3;

    private ShapesDataset() {
    }

    /**
     * Generates {@code n} examples of shape {@code [1, 28, 28]} with pixel values in {@code [0, 1]}.
     *
     * @param n    number of examples, at least 1
     * @param seed seed of the generator; equal seeds give equal data sets
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static Dataset generate(int n, long seed) {
        if (n < 1) {
            throw new IllegalArgumentException("ShapesDataset.generate: n must be >= 1, but got " + n);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int pixels = SIZE * SIZE;
        float[] images = new float[n * pixels];
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            int label = i % NUM_CLASSES;
            labels[i] = label;
            render(label, rng, images, i * pixels);
        }
        return new Dataset(images, labels, 1, SIZE, SIZE, NUM_CLASSES);
    }

    private static void render(int label, SplittableRandom rng, float[] out, int offset) {
        double r = 5 + rng.nextDouble() * 6;          // half extent, 5..11 pixels
        double t = 1.0 + rng.nextDouble() * 1.5;      // half stroke width
        double margin = r + 1;
        double cx = margin + rng.nextDouble() * (SIZE - 2 * margin);
        double cy = margin + rng.nextDouble() * (SIZE - 2 * margin);
        double bg = rng.nextDouble() * 0.2;
        double fg = 0.6 + rng.nextDouble() * 0.4;
        double step = 1.0 / SUBSAMPLES;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                int inside = 0;
                for (int sy = 0; sy < SUBSAMPLES; sy++) {
                    for (int sx = 0; sx < SUBSAMPLES; sx++) {
                        double dx = x + (sx + 0.5) * step - cx;
                        double dy = y + (sy + 0.5) * step - cy;
                        if (contains(label, dx, dy, r, t)) {
                            inside++;
                        }
                    }
                }
                double coverage = inside / (double) (SUBSAMPLES * SUBSAMPLES);
                double v = bg + (fg - bg) * coverage + 0.08 * gaussian(rng);
                out[offset + y * SIZE + x] = (float) Math.min(1.0, Math.max(0.0, v));
            }
        }
    }

    /** Whether the point {@code (dx, dy)} relative to the shape centre lies in shape {@code label}. */
    private static boolean contains(int label, double dx, double dy, double r, double t) {
        double ax = Math.abs(dx);
        double ay = Math.abs(dy);
        double box = Math.max(ax, ay);
        double d = Math.hypot(dx, dy);
        double diag1 = Math.abs(dx - dy) / Math.sqrt(2);
        double diag2 = Math.abs(dx + dy) / Math.sqrt(2);
        switch (label) {
            case 0: return d <= r;                                                  // circle
            case 1: return box <= 0.8 * r;                                          // square
            case 2: return dy >= -r && dy <= 0.8 * r && ax <= 0.6 * (dy + r);       // triangle, apex up
            case 3: return (ax <= t && ay <= r) || (ay <= t && ax <= r);            // cross
            case 4: return ay <= t && ax <= r;                                      // horizontal bar
            case 5: return ax <= t && ay <= r;                                      // vertical bar
            case 6: return Math.abs(d - r + t) <= t;                                // ring
            case 7: return diag1 <= t && box <= 0.8 * r;                            // diagonal
            case 8: return (diag1 <= t || diag2 <= t) && box <= 0.8 * r;            // x
            case 9: return box <= 0.8 * r && box >= 0.8 * r - 2 * t;               // hollow square
            default: throw new IllegalStateException("ShapesDataset: unknown label " + label);
        }
    }

    /** A standard normal sample (Box-Muller). */
    private static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble();
        double u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
