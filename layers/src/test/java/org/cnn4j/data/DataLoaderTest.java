package org.cnn4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.testing.TestDevices;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    private Device device;

    /** The CPU fallback is a test dependency of this module, so a missing device is a failure, not a skip. */
    @BeforeEach
    void openDevice() {
        device = TestDevices.cpu();
    }

    /** n images of shape [1, 2, 2] whose pixels all equal the example index; label = index % 5. */
    private static Dataset indexed(int n) {
        float[] images = new float[n * 4];
        float[] labels = new float[n];
        for (int i = 0; i < n; i++) {
            Arrays.fill(images, i * 4, i * 4 + 4, i);
            labels[i] = i % 5;
        }
        return new Dataset(images, labels, 1, 2, 2, 5);
    }

    /** The example indices of one epoch, read back from the images. */
    private static List<Integer> epochOrder(DataLoader loader, int epoch) {
        List<Integer> order = new ArrayList<>();
        for (Iterator<Batch> it = loader.epoch(epoch); it.hasNext(); ) {
            try (Batch b = it.next()) {
                float[] img = b.images().toArray();
                float[] lab = b.labels().toArray();
                for (int i = 0; i < b.size(); i++) {
                    int ex = (int) img[i * 4];
                    assertEquals(ex % 5, (int) lab[i], "label follows its image");
                    order.add(ex);
                }
            }
        }
        return order;
    }

    @Test
    void everyExampleOncePerEpochInSeededOrder() {
        Dataset ds = indexed(23);
        try (DataLoader a = DataLoader.builder(ds, device).batchSize(5).seed(42).build();
             DataLoader b = DataLoader.builder(ds, device).batchSize(5).seed(42).build();
             DataLoader c = DataLoader.builder(ds, device).batchSize(5).seed(43).build()) {
            assertEquals(5, a.batchesPerEpoch());
            List<Integer> e0 = epochOrder(a, 0);
            List<Integer> e1 = epochOrder(a, 1);
            List<Integer> sorted = new ArrayList<>(e0);
            sorted.sort(null);
            for (int i = 0; i < 23; i++) {
                assertEquals(i, sorted.get(i));
            }
            List<Integer> sorted1 = new ArrayList<>(e1);
            sorted1.sort(null);
            assertEquals(sorted, sorted1);
            assertFalse(e0.equals(e1), "epochs must differ");
            assertEquals(e0, epochOrder(b, 0));
            assertEquals(e1, epochOrder(b, 1));
            assertFalse(e0.equals(epochOrder(c, 0)), "seeds must differ");
            assertEquals(e1, epochOrder(a, 1), "re-running an epoch repeats it");
        }
    }

    @Test
    void noShuffleKeepsOrder() {
        try (DataLoader l = DataLoader.builder(indexed(7), device).batchSize(3).shuffle(false).build()) {
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), epochOrder(l, 0));
        }
    }

    @Test
    void dropLast() {
        Dataset ds = indexed(23);
        try (DataLoader l = DataLoader.builder(ds, device).batchSize(5).dropLast(true).seed(1).build()) {
            assertEquals(4, l.batchesPerEpoch());
            int batches = 0;
            for (Iterator<Batch> it = l.epoch(0); it.hasNext(); batches++) {
                try (Batch b = it.next()) {
                    assertEquals(5, b.size());
                    assertEquals(List.of(5, 1, 2, 2), List.of(b.images().dim(0), b.images().dim(1),
                            b.images().dim(2), b.images().dim(3)));
                }
            }
            assertEquals(4, batches);
        }
        try (DataLoader l = DataLoader.builder(ds, device).batchSize(5).build()) {
            int last = -1;
            for (Iterator<Batch> it = l.epoch(0); it.hasNext(); ) {
                try (Batch b = it.next()) {
                    last = b.size();
                }
            }
            assertEquals(3, last);
        }
    }

    @Test
    void normalization() {
        float[] images = {0f, 0.5f, 1f, 0.25f};
        Dataset ds = new Dataset(images, new float[] {1}, 1, 2, 2, 2);
        try (DataLoader l = DataLoader.builder(ds, device).batchSize(1).normalize(0.5f, 0.25f).build();
             Batch b = l.epoch(0).next()) {
            assertArrayEquals(new float[] {-2f, 0f, 2f, -1f}, b.images().toArray(), 1e-6f);
            assertArrayEquals(new float[] {1f}, b.labels().toArray());
        }
    }

    @Test
    void oneTransferEachForImagesAndLabelsPerBatch() {
        Dataset ds = indexed(20);
        try (DataLoader l = DataLoader.builder(ds, device).batchSize(4).seed(3).build()) {
            long before = device.transfers().hostToDeviceTransfers();
            long bytesBefore = device.transfers().hostToDeviceBytes();
            int batches = 0;
            for (Iterator<Batch> it = l.epoch(0); it.hasNext(); batches++) {
                it.next().close();
            }
            assertEquals(5, batches);
            assertEquals(2L * batches, device.transfers().hostToDeviceTransfers() - before);
            assertEquals(20L * (4 + 1) * Float.BYTES, device.transfers().hostToDeviceBytes() - bytesBefore);
        }
    }

    @Test
    void augmentationKeepsShapesAndLabels() {
        Dataset ds = ShapesDataset.generate(40, 9);
        try (DataLoader plain = DataLoader.builder(ds, device).batchSize(8).seed(5).build();
             DataLoader aug = DataLoader.builder(ds, device).batchSize(8).seed(5)
                     .augmentation(new Augmentation(4, true)).build()) {
            Iterator<Batch> p = plain.epoch(0);
            Iterator<Batch> a = aug.epoch(0);
            boolean changed = false;
            while (p.hasNext()) {
                try (Batch bp = p.next(); Batch ba = a.next()) {
                    assertEquals(bp.images().shape(), ba.images().shape());
                    assertArrayEquals(bp.labels().toArray(), ba.labels().toArray());
                    changed |= !Arrays.equals(bp.images().toArray(), ba.images().toArray());
                }
            }
            assertFalse(a.hasNext());
            assertTrue(changed, "augmentation must change some images");
        }
    }

    @Test
    void augmentationMath() {
        float[] src = {1, 2, 3, 4, 5, 6};
        float[] dst = new float[6];
        new Augmentation(0, true).apply(src, 0, dst, 0, 1, 2, 3, new java.util.SplittableRandom(0));
        // either identity or flipped rows
        assertTrue(Arrays.equals(dst, src) || Arrays.equals(dst, new float[] {3, 2, 1, 6, 5, 4}), Arrays.toString(dst));
    }

    @Test
    void validation() {
        Dataset ds = indexed(4);
        var e = assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds, device).batchSize(0));
        assertEquals("DataLoader.batchSize: batchSize must be >= 1, but got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds, device).normalize(0f, 0f));
        assertThrows(IllegalArgumentException.class, () -> new Augmentation(-1, false));
        var bad = assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[4], new float[] {5}, 1, 2, 2, 5));
        assertTrue(bad.getMessage().contains("label must be an integer in [0, 5), but got 5.0"), bad.getMessage());
        DataLoader l = DataLoader.builder(ds, device).build();
        l.close();
        l.close();
        assertThrows(IllegalStateException.class, () -> l.epoch(0));
    }
}
