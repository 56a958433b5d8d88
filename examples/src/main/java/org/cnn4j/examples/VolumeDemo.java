package org.cnn4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cnn4j.layers.F;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;

/**
 * The 3-D part of the filters demo: a procedural volume, a ball plus seeded Gaussian noise, smoothed with
 * {@link F#conv3d} and the 3x3x3 Gaussian of {@link ClassicKernels#gaussian3d3()}.
 *
 * <p>The volume has {@link #DEPTH} slices of {@link #SIZE}{@code x}{@link #SIZE}: 1 inside the ellipsoid
 * {@code ((z - cz) / 6)^2 + ((y - cy) / 16)^2 + ((x - cx) / 16)^2 <= 1} (a ball with slices 8/3 times as
 * thick as a pixel is wide), 0 outside, plus {@code N(0, NOISE^2)} noise. The background region is every
 * voxel with normalized radius above 1.5 that is not on the volume's faces (where the zero padding would
 * bias the result); there the smoothed noise's standard deviation should fall to about
 * {@code sqrt(sum w^2) = 0.211} of the original.
 */
final class VolumeDemo {
    static final int DEPTH = 16;
    static final int SIZE = 48;
    static final float NOISE = 0.25f;
    static final long SEED = 42;
    /** The slices shown in {@code volume_slices.png}. */
    static final int[] SHOWN = {3, 6, 9, 12};
    /** Enlargement of the shown slices. */
    static final int ZOOM = 4;
    /** The gray window of {@code volume_slices.png}: {@code [LOW, HIGH]} maps to black..white in both rows. */
    private static final float LOW = -0.5f;
    private static final float HIGH = 1.5f;

    private VolumeDemo() {
    }

    /** Builds, smooths and pictures the volume on {@code device}; writes {@code volume_slices.png} to {@code out}. */
    static void run(Device device, Path out, PrintStream log) throws IOException {
        float[] noisy = noisyBall(new Random(SEED));
        float[] smooth = smooth(device, noisy, DEPTH, SIZE, SIZE);
        boolean[] background = background();
        double before = std(noisy, background);
        double after = std(smooth, background);

        List<ContactSheet.Panel> panels = new ArrayList<>();
        for (int z : SHOWN) {
            panels.add(new ContactSheet.Panel("noisy z=" + z, slice(noisy, z)));
        }
        for (int z : SHOWN) {
            panels.add(new ContactSheet.Panel("smoothed z=" + z, slice(smooth, z)));
        }
        Path file = out.resolve("volume_slices.png");
        GrayImage.writePng(ContactSheet.render(panels, SHOWN.length, ZOOM), file);
        log.printf(Locale.ROOT, "wrote %s  (%d-slice %dx%d volume, noisy row above 3x3x3 Gaussian conv3d row, on %s)%n",
                file, DEPTH, SIZE, SIZE, device.spec());
        log.printf(Locale.ROOT, "volume background noise std: %.4f before, %.4f after smoothing (x%.3f; iid theory x%.3f)%n",
                before, after, after / before, noiseGain(ClassicKernels.gaussian3d3()));
    }

    /** The ball (see the class javadoc) plus {@code N(0, NOISE^2)} noise from {@code random}, {@code [z][y][x]}. */
    static float[] noisyBall(Random random) {
        float[] v = new float[DEPTH * SIZE * SIZE];
        for (int i = 0; i < v.length; i++) {
            v[i] = (radius(i) <= 1 ? 1f : 0f) + NOISE * (float) random.nextGaussian();
        }
        return v;
    }

    /** True for background voxels: normalized radius above 1.5 and not on a face of the volume. */
    static boolean[] background() {
        boolean[] mask = new boolean[DEPTH * SIZE * SIZE];
        for (int i = 0; i < mask.length; i++) {
            int x = i % SIZE;
            int y = (i / SIZE) % SIZE;
            int z = i / (SIZE * SIZE);
            boolean face = x == 0 || y == 0 || z == 0 || x == SIZE - 1 || y == SIZE - 1 || z == DEPTH - 1;
            mask[i] = !face && radius(i) > 1.5;
        }
        return mask;
    }

    /** The normalized ellipsoid radius of voxel {@code i}: at most 1 inside the ball. */
    private static double radius(int i) {
        double dx = (i % SIZE - (SIZE - 1) / 2.0) / 16;
        double dy = ((i / SIZE) % SIZE - (SIZE - 1) / 2.0) / 16;
        double dz = (i / (SIZE * SIZE) - (DEPTH - 1) / 2.0) / 6;
        return Math.sqrt(dx * dx + dy * dy + dz * dz);
    }

    /**
     * {@code conv3d(v, gaussian3d3)} with stride 1 and zero padding 1 on every side (same size), on
     * {@code device}: uploads {@code [1, 1, d, h, w]}, downloads the result.
     */
    static float[] smooth(Device device, float[] volume, int d, int h, int w) {
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(volume, 1, 1, d, h, w);
            Tensor weight = device.fromArray(ClassicKernels.gaussian3d3(), 1, 1, 3, 3, 3);
            int[] one = {1, 1, 1};
            return F.conv3d("VolumeDemo.smooth", x, weight, null, one, new int[] {1, 1, 1, 1, 1, 1}, one, 1).toArray();
        }
    }

    /** Population standard deviation of {@code values} where {@code mask} is true. */
    static double std(float[] values, boolean[] mask) {
        double sum = 0;
        double sumSq = 0;
        int n = 0;
        for (int i = 0; i < values.length; i++) {
            if (mask[i]) {
                sum += values[i];
                sumSq += (double) values[i] * values[i];
                n++;
            }
        }
        double mean = sum / n;
        return Math.sqrt(Math.max(0, sumSq / n - mean * mean));
    }

    /** {@code sqrt(sum w^2)}: the factor by which {@code weight} scales the std of independent noise. */
    static double noiseGain(float[] weight) {
        double s = 0;
        for (float w : weight) {
            s += (double) w * w;
        }
        return Math.sqrt(s);
    }

    /** Slice {@code z} mapped from the window {@code [LOW, HIGH]} to gray {@code [0, 1]}. */
    private static GrayImage slice(float[] volume, int z) {
        float[] px = new float[SIZE * SIZE];
        for (int i = 0; i < px.length; i++) {
            px[i] = (volume[z * SIZE * SIZE + i] - LOW) / (HIGH - LOW);
        }
        return new GrayImage(SIZE, SIZE, px);
    }
}
