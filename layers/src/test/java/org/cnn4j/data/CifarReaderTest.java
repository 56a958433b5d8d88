package org.cnn4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {
    private static final int R = CifarReader.RECORD_BYTES;

    @TempDir
    Path dir;

    /** {@code labels.length} records; pixel byte {@code p} of record {@code i} is {@code (i * 7 + p * 37) & 0xff}. */
    private static byte[] records(int... labels) {
        byte[] b = new byte[labels.length * R];
        for (int i = 0; i < labels.length; i++) {
            b[i * R] = (byte) labels[i];
            for (int p = 0; p < CifarReader.IMAGE_BYTES; p++) {
                b[i * R + 1 + p] = (byte) (i * 7 + p * 37);
            }
        }
        return b;
    }

    private Path write(Path folder, String name, byte[] data, boolean gzip) throws IOException {
        Files.createDirectories(folder);
        Path p = folder.resolve(name);
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            out.write(data);
        }
        return p;
    }

    private Path write(String name, byte[] data, boolean gzip) throws IOException {
        return write(dir, name, data, gzip);
    }

    private static void assertMessage(IllegalArgumentException e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "expected \"" + part + "\" in: " + e.getMessage());
        }
    }

    private void roundTrip(boolean gzip) throws IOException {
        byte[] data = records(3, 0, 9);
        // A known pixel: record 1, green (c = 1), row 5, column 7 set to 200.
        int c = 1;
        int y = 5;
        int x = 7;
        data[R + 1 + c * 1024 + y * 32 + x] = (byte) 200;
        Dataset ds = CifarReader.read(write("batch.bin", data, gzip));
        assertEquals(3, ds.size());
        assertEquals(3, ds.channels());
        assertEquals(32, ds.height());
        assertEquals(32, ds.width());
        assertEquals(10, ds.numClasses());
        assertEquals(3, ds.label(0));
        assertEquals(0, ds.label(1));
        assertEquals(9, ds.label(2));
        float[] images = ds.images();
        assertEquals(3 * 3 * 32 * 32, images.length);
        assertEquals(200 / 255f, images[((1 * 3 + c) * 32 + y) * 32 + x], 0f);
        for (int i = 0; i < 3; i++) {
            for (int p = 0; p < CifarReader.IMAGE_BYTES; p++) {
                assertEquals((data[i * R + 1 + p] & 0xff) / 255f, images[i * CifarReader.IMAGE_BYTES + p], 0f,
                        "record " + i + ", pixel " + p);
            }
        }
    }

    @Test
    void readsPlainFile() throws IOException {
        roundTrip(false);
    }

    @Test
    void readsGzipFile() throws IOException {
        roundTrip(true);
    }

    @Test
    void scalesExtremesToZeroAndOne() throws IOException {
        byte[] data = records(4);
        data[1] = 0;
        data[2] = (byte) 255;
        Dataset ds = CifarReader.read(write("b.bin", data, false));
        assertEquals(0f, ds.images()[0], 0f);
        assertEquals(1f, ds.images()[1], 0f);
    }

    @Test
    void concatenatesFilesInOrder() throws IOException {
        byte[] a = records(1, 2);
        byte[] b = records(8);
        b[1 + 2 * 1024 + 31 * 32 + 31] = (byte) 51; // blue, last row, last column
        Path pa = write("a.bin", a, false);
        Path pb = write("b.bin.gz", b, true);
        Dataset ds = CifarReader.read(pa, pb);
        assertEquals(3, ds.size());
        assertEquals(1, ds.label(0));
        assertEquals(2, ds.label(1));
        assertEquals(8, ds.label(2));
        assertEquals(51 / 255f, ds.images()[2 * 3072 + 2 * 1024 + 31 * 32 + 31], 0f);
        assertEquals((a[R + 1] & 0xff) / 255f, ds.images()[3072], 0f);
        assertEquals((b[1] & 0xff) / 255f, ds.images()[2 * 3072], 0f);
    }

    @Test
    void classNames() {
        assertEquals(List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
                "truck"), CifarReader.CLASS_NAMES);
    }

    @Test
    void missingFileIsNamed() throws IOException {
        Path ok = write("ok.bin", records(0), false);
        Path missing = dir.resolve("nope_batch.bin");
        var e = assertThrows(IllegalArgumentException.class, () -> CifarReader.read(ok, missing));
        assertMessage(e, "CifarReader.read: file must exist", "nope_batch.bin");
    }

    @Test
    void noFilesOrNullFile() {
        var e = assertThrows(IllegalArgumentException.class, () -> CifarReader.read());
        assertMessage(e, "CifarReader.read: files must be one or more paths, but got none");
        var e2 = assertThrows(IllegalArgumentException.class, () -> CifarReader.read((Path) null));
        assertMessage(e2, "every file must be non-null", "argument 0");
    }

    @Test
    void sizeNotAMultipleOfTheRecord() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            byte[] data = Arrays.copyOf(records(0, 1), 2 * R - 5);
            Path p = write("short" + gzip + ".bin", data, gzip);
            var e = assertThrows(IllegalArgumentException.class, () -> CifarReader.read(p));
            assertMessage(e, "multiple of the 3073-byte record size", "but got " + (2 * R - 5),
                    "short" + gzip + ".bin", "1 whole records and 3068 bytes left over");
            assertEquals(gzip, e.getMessage().contains("decompressed"), e.getMessage());
        }
    }

    @Test
    void emptyFile() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path p = write("empty" + gzip + ".bin", new byte[0], gzip);
            var e = assertThrows(IllegalArgumentException.class, () -> CifarReader.read(p));
            assertMessage(e, "at least one 3073-byte record", "but got an empty", "empty" + gzip + ".bin");
        }
    }

    @Test
    void labelAboveNine() throws IOException {
        for (int bad : new int[] {10, 255}) {
            byte[] data = records(0, 5, 9, 0);
            data[2 * R] = (byte) bad;
            Path p = write("bad" + bad + ".bin", data, false);
            var e = assertThrows(IllegalArgumentException.class, () -> CifarReader.read(p));
            assertMessage(e, "label must be in [0, 9], but got " + bad, "record 2", "bad" + bad + ".bin");
        }
    }

    @Test
    void readTrainAndTestFromTheDirectory() throws IOException {
        assertFalse(CifarReader.isPresent(dir));
        for (int f = 0; f < 5; f++) {
            write(CifarReader.TRAIN_FILES.get(f), records(f, f + 1), false);
        }
        assertFalse(CifarReader.isPresent(dir));
        write(CifarReader.TEST_FILE, records(7), false);
        assertTrue(CifarReader.isPresent(dir));
        Dataset train = CifarReader.readTrain(dir);
        assertEquals(10, train.size());
        for (int f = 0; f < 5; f++) {
            assertEquals(f, train.label(2 * f));
            assertEquals(f + 1, train.label(2 * f + 1));
        }
        Dataset test = CifarReader.readTest(dir);
        assertEquals(1, test.size());
        assertEquals(7, test.label(0));
    }

    @Test
    void readTrainAndTestFromTheDistributionFolderWithGzip() throws IOException {
        Path folder = dir.resolve(CifarReader.FOLDER);
        for (int f = 0; f < 5; f++) {
            write(folder, CifarReader.TRAIN_FILES.get(f) + ".gz", records(9 - f), true);
        }
        write(folder, CifarReader.TEST_FILE, records(2, 3), false);
        assertTrue(CifarReader.isPresent(dir));
        Dataset train = CifarReader.readTrain(dir);
        assertEquals(5, train.size());
        for (int f = 0; f < 5; f++) {
            assertEquals(9 - f, train.label(f));
        }
        assertEquals(2, CifarReader.readTest(dir).size());
    }

    @Test
    void readTrainNamesTheMissingFile() throws IOException {
        for (int f = 0; f < 5; f++) {
            if (f != 2) {
                write(CifarReader.TRAIN_FILES.get(f), records(0), false);
            }
        }
        var e = assertThrows(IllegalArgumentException.class, () -> CifarReader.readTrain(dir));
        assertMessage(e, "CifarReader.readTrain: file data_batch_3.bin", "must exist", CifarReader.FOLDER);
        var e2 = assertThrows(IllegalArgumentException.class, () -> CifarReader.readTest(dir));
        assertMessage(e2, "CifarReader.readTest: file test_batch.bin", "must exist");
        var e3 = assertThrows(IllegalArgumentException.class, () -> CifarReader.readTest(null));
        assertMessage(e3, "CifarReader.readTest: dir must be non-null, but got null");
        assertFalse(CifarReader.isPresent(dir.resolve("no-such-dir")));
    }

    @Test
    void realCifar10TestSet() {
        Path root = Path.of("/usr/share/datasets/cifar-10");
        assumeTrue(CifarReader.isPresent(root),
                "CIFAR-10 not installed at " + root + "; skipping the real-data check");
        Dataset ds = CifarReader.readTest(root);
        assertEquals(10000, ds.size());
        int[] counts = new int[10];
        for (int i = 0; i < ds.size(); i++) {
            counts[ds.label(i)]++;
        }
        for (int c : counts) {
            assertEquals(1000, c);
        }
    }
}
