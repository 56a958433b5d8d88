package org.cnn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ShapesDatasetTest {
    @Test
    void deterministicForSeed() {
        Dataset a = ShapesDataset.generate(50, 7);
        Dataset b = ShapesDataset.generate(50, 7);
        Dataset c = ShapesDataset.generate(50, 8);
        assertArrayEquals(a.images(), b.images());
        assertArrayEquals(a.labels(), b.labels());
        assertFalse(Arrays.equals(a.images(), c.images()));
    }

    @Test
    void balancedClassesAndShape() {
        Dataset d = ShapesDataset.generate(1003, 1);
        assertEquals(1003, d.size());
        assertEquals(10, d.numClasses());
        assertEquals(28, d.height());
        assertEquals(28, d.width());
        assertEquals(1, d.channels());
        int[] counts = new int[10];
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
        }
        for (int c : counts) {
            assertTrue(c == 100 || c == 101, Arrays.toString(counts));
        }
    }

    @Test
    void pixelRangeAndContrast() {
        Dataset d = ShapesDataset.generate(100, 3);
        for (float v : d.images()) {
            assertTrue(v >= 0f && v <= 1f, "pixel " + v);
        }
        // every image has a visible shape: its brightest pixels stand well above its median
        int size = d.imageSize();
        for (int i = 0; i < d.size(); i++) {
            float[] img = Arrays.copyOfRange(d.images(), i * size, (i + 1) * size);
            Arrays.sort(img);
            assertTrue(img[size - 5] - img[size / 2] > 0.3f, "image " + i + " lacks contrast");
        }
    }

    @Test
    void classesDifferOnAverage() {
        Dataset d = ShapesDataset.generate(2000, 5);
        int size = d.imageSize();
        double[][] means = new double[10][size];
        for (int i = 0; i < d.size(); i++) {
            for (int p = 0; p < size; p++) {
                means[d.label(i)][p] += d.images()[i * size + p] / 200.0;
            }
        }
        for (int a = 0; a < 10; a++) {
            for (int b = a + 1; b < 10; b++) {
                double dist = 0;
                for (int p = 0; p < size; p++) {
                    dist += Math.abs(means[a][p] - means[b][p]);
                }
                assertTrue(dist > 1.0, "class means " + a + " and " + b + " too close: " + dist);
            }
        }
    }

    @Test
    void rejectsNonPositiveSize() {
        var e = assertThrows(IllegalArgumentException.class, () -> ShapesDataset.generate(0, 1));
        assertEquals("ShapesDataset.generate: n must be >= 1, but got 0", e.getMessage());
    }
}
