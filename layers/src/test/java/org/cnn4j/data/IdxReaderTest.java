package org.cnn4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** An IDX file with {@code magic}, the big-endian {@code dims} and {@code payload}. */
    static byte[] idx(int magic, int[] dims, byte[] payload) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(payload);
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] data, boolean gzip) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(data);
        }
        return p;
    }

    private static byte[] pixels(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 37);
        }
        return b;
    }

    private void roundTrip(boolean gzip) throws IOException {
        byte[] px = pixels(3 * 4 * 5);
        Path img = write("img", idx(IdxReader.IMAGES_MAGIC, new int[] {3, 4, 5}, px), gzip);
        Path lab = write("lab", idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {2, 0, 7}), gzip);
        Dataset ds = IdxReader.read(img, lab);
        assertEquals(3, ds.size());
        assertEquals(1, ds.channels());
        assertEquals(4, ds.height());
        assertEquals(5, ds.width());
        assertEquals(8, ds.numClasses());
        assertEquals(2, ds.label(0));
        assertEquals(7, ds.label(2));
        for (int i = 0; i < px.length; i++) {
            assertEquals((px[i] & 0xff) / 255f, ds.images()[i], 0f, "pixel " + i);
        }
        assertEquals(10, IdxReader.read(img, lab, 10).numClasses());
    }

    @Test
    void readsPlainFiles() throws IOException {
        roundTrip(false);
    }

    @Test
    void readsGzipFiles() throws IOException {
        roundTrip(true);
    }

    @Test
    void missingFileIsNamed() throws IOException {
        Path lab = write("lab", idx(IdxReader.LABELS_MAGIC, new int[] {1}, new byte[] {0}), false);
        Path missing = dir.resolve("nope-images.idx");
        var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(missing, lab));
        assertTrue(e.getMessage().contains("nope-images.idx"), e.getMessage());
    }

    @Test
    void wrongMagic() throws IOException {
        Path img = write("img", idx(IdxReader.IMAGES_MAGIC, new int[] {1, 2, 2}, pixels(4)), false);
        Path lab = write("lab", idx(IdxReader.IMAGES_MAGIC, new int[] {1, 1, 1}, pixels(1)), false);
        var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(img, lab));
        assertTrue(e.getMessage().contains("magic must be 0x00000801, but got 0x00000803"), e.getMessage());
    }

    @Test
    void truncatedPlainAndGzip() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path img = write("img" + gzip, idx(IdxReader.IMAGES_MAGIC, new int[] {2, 3, 3}, pixels(10)), gzip);
            Path lab = write("lab" + gzip, idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 1}), gzip);
            var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(img, lab));
            assertTrue(e.getMessage().contains("18 bytes") && e.getMessage().contains("got 10"), e.getMessage());
        }
    }

    @Test
    void hugeHeaderDoesNotAllocate() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path img = write("big" + gzip, idx(IdxReader.IMAGES_MAGIC, new int[] {40000, 200, 200}, pixels(8)), gzip);
            Path lab = write("l" + gzip, idx(IdxReader.LABELS_MAGIC, new int[] {1}, new byte[] {0}), gzip);
            var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(img, lab));
            assertTrue(e.getMessage().contains("IdxReader.read"), e.getMessage());
            Path img2 = write("mid" + gzip, idx(IdxReader.IMAGES_MAGIC, new int[] {10000, 200, 200}, pixels(8)), gzip);
            var e2 = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(img2, lab));
            assertTrue(e2.getMessage().contains("400000000 bytes") && e2.getMessage().contains("got 8"), e2.getMessage());
        }
    }

    @Test
    void truncatedHeader() throws IOException {
        Path img = write("img", new byte[] {0, 0, 8, 3, 0, 0}, false);
        Path lab = write("lab", idx(IdxReader.LABELS_MAGIC, new int[] {1}, new byte[] {0}), false);
        var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(img, lab));
        assertTrue(e.getMessage().contains("header must hold 16 bytes"), e.getMessage());
    }

    @Test
    void countMismatch() throws IOException {
        Path img = write("img", idx(IdxReader.IMAGES_MAGIC, new int[] {2, 2, 2}, pixels(8)), false);
        Path lab = write("lab", idx(IdxReader.LABELS_MAGIC, new int[] {3}, new byte[] {0, 1, 2}), false);
        var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(img, lab));
        assertTrue(e.getMessage().contains("image count must equal label count, but got 2 images"), e.getMessage());
    }

    @Test
    void labelAboveClassCount() throws IOException {
        Path img = write("img", idx(IdxReader.IMAGES_MAGIC, new int[] {1, 1, 1}, pixels(1)), false);
        Path lab = write("lab", idx(IdxReader.LABELS_MAGIC, new int[] {1}, new byte[] {5}), false);
        var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(img, lab, 3));
        assertTrue(e.getMessage().contains("label must be in [0, 3), but got 5 (label 0 of " + lab + ")"), e.getMessage());
    }

    @Test
    void imagesWithoutRowsOrColumnsNameTheFile() throws IOException {
        Path lab = write("lab", idx(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {0, 1}), false);
        for (int[] dims : new int[][] {{2, 0, 5}, {2, 5, 0}}) {
            Path img = write("img", idx(IdxReader.IMAGES_MAGIC, dims, new byte[0]), false);
            var e = assertThrows(IllegalArgumentException.class, () -> IdxReader.read(img, lab));
            assertTrue(e.getMessage().contains("rows and columns must be >= 1, but got " + dims[1] + " x " + dims[2]
                    + " (" + img + ")"), e.getMessage());
        }
    }

    @Test
    void realFashionMnistTestSet() {
        Path root = Path.of("/usr/share/datasets/fashion-mnist");
        Path img = root.resolve("t10k-images-idx3-ubyte.gz");
        Path lab = root.resolve("t10k-labels-idx1-ubyte.gz");
        assumeTrue(Files.isRegularFile(img) && Files.isRegularFile(lab),
                "Fashion-MNIST test set not installed at " + root + "; skipping the real-data check");
        Dataset ds = IdxReader.read(img, lab, 10);
        assertEquals(10000, ds.size());
        assertEquals(28, ds.height());
        assertEquals(28, ds.width());
        assertEquals(10, ds.numClasses());
        int[] counts = new int[10];
        for (int i = 0; i < ds.size(); i++) {
            counts[ds.label(i)]++;
        }
        for (int c : counts) {
            assertEquals(1000, c);
        }
    }
}
