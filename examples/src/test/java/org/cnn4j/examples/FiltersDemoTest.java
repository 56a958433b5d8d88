package org.cnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filters demo on the CPU fallback, against plain-loop references and known properties of each filter. */
class FiltersDemoTest {
    private static final Device CPU = Device.cpu();

    /**
     * Reference: {@code y[i, j] = sum_{u, v} w[u, v] x[i + u - k/2, j + v - k/2]}, {@code x} zero outside
     * the picture (cross-correlation with zero padding, output the input's size).
     */
    private static float[] naiveFilter(float[] x, int h, int w, float[] weight, int k) {
        float[] y = new float[h * w];
        int r = k / 2;
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                double acc = 0;
                for (int u = 0; u < k; u++) {
                    for (int v = 0; v < k; v++) {
                        int yi = i + u - r;
                        int xj = j + v - r;
                        if (yi >= 0 && yi < h && xj >= 0 && xj < w) {
                            acc += (double) weight[u * k + v] * x[yi * w + xj];
                        }
                    }
                }
                y[i * w + j] = (float) acc;
            }
        }
        return y;
    }

    /** The 3-D analogue of {@link #naiveFilter}, {@code [z][y][x]}. */
    private static float[] naiveFilter3d(float[] x, int d, int h, int w, float[] weight, int k) {
        float[] y = new float[d * h * w];
        int r = k / 2;
        for (int z = 0; z < d; z++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    double acc = 0;
                    for (int s = 0; s < k; s++) {
                        for (int u = 0; u < k; u++) {
                            for (int v = 0; v < k; v++) {
                                int zz = z + s - r;
                                int yi = i + u - r;
                                int xj = j + v - r;
                                if (zz >= 0 && zz < d && yi >= 0 && yi < h && xj >= 0 && xj < w) {
                                    acc += (double) weight[(s * k + u) * k + v] * x[(zz * h + yi) * w + xj];
                                }
                            }
                        }
                    }
                    y[(z * h + i) * w + j] = (float) acc;
                }
            }
        }
        return y;
    }

    private static float[] random(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextFloat();
        }
        return x;
    }

    /** {@link FiltersDemo#filter} on the CPU device, downloaded. */
    private static float[] filter(float[] image, int h, int w, float[] weight, int k) {
        try (Scope scope = Scope.open()) {
            return FiltersDemo.filter(CPU.fromArray(image, 1, 1, h, w), weight, k).toArray();
        }
    }

    private static void assertClose(float[] expected, float[] actual, double atol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        int mismatches = 0;
        int worst = -1;
        double worstDiff = 0;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(expected[i] - actual[i]);
            if (!(diff <= atol)) {
                mismatches++;
            }
            if (!(diff <= worstDiff)) {
                worstDiff = diff;
                worst = i;
            }
        }
        if (mismatches > 0) {
            throw new AssertionError(what + ": " + mismatches + " mismatches, largest |diff| " + worstDiff + " at index "
                    + worst + " (expected " + expected[worst] + ", got " + actual[worst] + "), atol " + atol);
        }
    }

    @Test
    void everyFilterMatchesThePlainLoopReference() {
        int h = 13;
        int w = 17;
        float[] x = random(h * w, 11);
        for (FiltersDemo.Filter f : FiltersDemo.filters()) {
            assertClose(naiveFilter(x, h, w, f.weight(), f.size()), filter(x, h, w, f.weight(), f.size()), 1e-5, f.name());
        }
    }

    @Test
    void sobelMagnitudeMatchesThePlainLoopReference() {
        int h = 9;
        int w = 12;
        float[] x = random(h * w, 12);
        float[] gx = naiveFilter(x, h, w, ClassicKernels.sobelX(), 3);
        float[] gy = naiveFilter(x, h, w, ClassicKernels.sobelY(), 3);
        float[] expected = new float[h * w];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) Math.sqrt((double) gx[i] * gx[i] + (double) gy[i] * gy[i]);
        }
        try (Scope scope = Scope.open()) {
            Tensor t = CPU.fromArray(x, 1, 1, h, w);
            Tensor magnitude = FiltersDemo.sobelMagnitude(FiltersDemo.filter(t, ClassicKernels.sobelX(), 3),
                    FiltersDemo.filter(t, ClassicKernels.sobelY(), 3));
            assertClose(expected, magnitude.toArray(), 1e-5, "sobel_magnitude");
        }
    }

    @Test
    void sobelXOnAVerticalStepRespondsOnlyBesideTheEdge() {
        int h = 8;
        int w = 12;
        int edge = 6;   // columns < edge are 0, columns >= edge are 1
        float[] x = new float[h * w];
        for (int i = 0; i < h; i++) {
            for (int j = edge; j < w; j++) {
                x[i * w + j] = 1f;
            }
        }
        float[] y = filter(x, h, w, ClassicKernels.sobelX(), 3);
        for (int i = 0; i < h; i++) {
            // The last column sees the zero padding on its right: an edge of the picture, not of the content.
            for (int j = 0; j < w - 1; j++) {
                float v = y[i * w + j];
                if (j == edge - 1 || j == edge) {
                    // Column weights (1, 2, 1); the top and bottom rows lose one row to the padding.
                    float expected = i == 0 || i == h - 1 ? 3f : 4f;
                    assertEquals(expected, v, 1e-6, "response beside the edge at row " + i + ", column " + j);
                } else {
                    assertEquals(0f, v, 1e-6, "response in a flat region at row " + i + ", column " + j);
                }
            }
        }
    }

    @Test
    void blursAndSharpenKeepAConstantImagesInteriorValue() {
        int h = 11;
        int w = 14;
        float c = 0.7f;
        float[] x = new float[h * w];
        Arrays.fill(x, c);
        for (FiltersDemo.Filter f : FiltersDemo.filters()) {
            if (f.display() != FiltersDemo.Display.CLAMP) {
                continue;
            }
            float[] y = filter(x, h, w, f.weight(), f.size());
            int r = f.size() / 2;
            for (int i = r; i < h - r; i++) {
                for (int j = r; j < w - r; j++) {
                    assertEquals(c, y[i * w + j], 1e-5, f.name() + " at row " + i + ", column " + j);
                }
            }
        }
        assertEquals(List.of("box_blur", "gaussian_blur", "sharpen"),
                FiltersDemo.filters().stream().filter(f -> f.display() == FiltersDemo.Display.CLAMP)
                        .map(FiltersDemo.Filter::name).toList());
    }

    @Test
    void gaussianKernelsSumToOneAndAreSymmetric() {
        float[] g2 = ClassicKernels.gaussianBlur5();
        float[] g3 = ClassicKernels.gaussian3d3();
        assertEquals(25, g2.length);
        assertEquals(27, g3.length);
        assertEquals(1.0, sum(g2), 1e-6);
        assertEquals(1.0, sum(g3), 1e-6);
        assertEquals(1.0, sum(ClassicKernels.boxBlur5()), 1e-6);
        assertEquals(1.0, sum(ClassicKernels.sharpen()), 1e-6);
        assertEquals(0.1621, g2[12], 1e-4, "centre of the 5x5 Gaussian");
        assertEquals(0.0030, g2[0], 1e-4, "corner of the 5x5 Gaussian");
        assertEquals(0.0923, g3[13], 1e-4, "centre of the 3x3x3 Gaussian");
        for (int i = 0; i < 25; i++) {
            assertEquals(g2[i], g2[24 - i], 0f, "point symmetry at " + i);
            assertEquals(g2[i], g2[(i % 5) * 5 + i / 5], 0f, "transpose symmetry at " + i);
        }
        assertThrows(IllegalArgumentException.class, () -> ClassicKernels.gaussian(2, 4, 1.0));
    }

    private static double sum(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }

    @Test
    void volumeSmoothingMatchesTheReferenceAndReducesTheNoise() {
        float[] noisy = VolumeDemo.noisyBall(new Random(VolumeDemo.SEED));
        int d = VolumeDemo.DEPTH;
        int n = VolumeDemo.SIZE;
        float[] smooth = VolumeDemo.smooth(CPU, noisy, d, n, n);
        assertClose(naiveFilter3d(noisy, d, n, n, ClassicKernels.gaussian3d3(), 3), smooth, 1e-5, "conv3d smoothing");

        boolean[] background = VolumeDemo.background();
        double before = VolumeDemo.std(noisy, background);
        double after = VolumeDemo.std(smooth, background);
        assertEquals(VolumeDemo.NOISE, before, 0.02, "std of the added noise");
        double gain = VolumeDemo.noiseGain(ClassicKernels.gaussian3d3());
        assertEquals(0.211, gain, 1e-3);
        assertTrue(after < 0.5 * before, "smoothing must reduce the noise std, but " + before + " -> " + after);
        assertEquals(gain, after / before, 0.05, "std ratio near the iid prediction");
    }

    @Test
    void runWithoutAnImageWritesEveryPicture(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        FiltersDemo.run(new String[] {"--out", out.toString(), "--device", "cpu"});
        int size = FiltersDemo.PICTURE_SIZE;
        for (String name : List.of("original", "sobel_x", "sobel_y", "sobel_magnitude", "laplacian", "box_blur",
                "gaussian_blur", "sharpen")) {
            BufferedImage image = read(out.resolve(name + ".png"));
            assertEquals(size, image.getWidth(), name + " width");
            assertEquals(size, image.getHeight(), name + " height");
        }
        BufferedImage sheet = read(out.resolve("contact_sheet.png"));
        assertEquals(ContactSheet.width(4, size), sheet.getWidth(), "contact sheet width");
        assertEquals(ContactSheet.height(2, size), sheet.getHeight(), "contact sheet height");

        int cell = VolumeDemo.ZOOM * VolumeDemo.SIZE;
        BufferedImage slices = read(out.resolve("volume_slices.png"));
        assertEquals(ContactSheet.width(VolumeDemo.SHOWN.length, cell), slices.getWidth(), "volume slices width");
        assertEquals(ContactSheet.height(2, cell), slices.getHeight(), "volume slices height");

        // The original round-trips through 8 bits; the blur of a picture with edges is not the picture.
        GrayImage original = GrayImage.read(out.resolve("original.png"));
        GrayImage expected = TestPicture.draw(size);
        for (int i = 0; i < expected.pixels().length; i++) {
            assertEquals(expected.pixels()[i], original.pixels()[i], 0.5 / 255 + 1e-6, "original pixel " + i);
        }
        assertTrue(!Arrays.equals(original.pixels(), GrayImage.read(out.resolve("gaussian_blur.png")).pixels()));
    }

    @Test
    void badArgumentsAreRejectedWithTheirName() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> FiltersDemo.parse(new String[] {"--frobnicate"}));
        assertTrue(unknown.getMessage().contains("'--frobnicate'"), unknown.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> FiltersDemo.parse(new String[] {"--out"}));
        assertTrue(missing.getMessage().contains("--out must be followed by a value"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GrayImage.read(Path.of("does-not-exist.png")));
        FiltersDemo.Options options = FiltersDemo.parse(new String[0]);
        assertEquals(Path.of(FiltersDemo.DEFAULT_OUT), options.out());
    }

    private static BufferedImage read(Path file) throws IOException {
        assertTrue(Files.isRegularFile(file), file + " must exist");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " must be a readable image");
        return image;
    }
}
