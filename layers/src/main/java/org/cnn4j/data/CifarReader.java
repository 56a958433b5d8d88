package org.cnn4j.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads the CIFAR-10 binary format, plain or gzip compressed (detected by the gzip magic bytes
 * {@code 1f 8b}, not by the file name; a plain CIFAR file cannot start with them, since its first
 * byte is a label in {@code [0, 9]}).
 *
 * <p>Format: a file is a sequence of {@value #RECORD_BYTES}-byte records, each one label byte in
 * {@code [0, 9]} followed by {@value #IMAGE_BYTES} pixel bytes: 1024 red, then 1024 green, then 1024
 * blue, each plane row-major {@code 32 x 32}. There is no header; the record count is the file size
 * divided by {@value #RECORD_BYTES}. The distribution ({@code cifar-10-batches-bin}) holds the training
 * set in {@code data_batch_1.bin} to {@code data_batch_5.bin} and the test set in {@code test_batch.bin},
 * 10000 records each.
 *
 * <p>Pixels are scaled to {@code [0, 1]} by {@code x / 255}, giving images of shape
 * {@code [n, 3, 32, 32]} (the byte at record offset {@code 1 + c * 1024 + y * 32 + x} becomes element
 * {@code ((i * 3 + c) * 32 + y) * 32 + x}); labels become float class indices, with 10 classes named by
 * {@link #CLASS_NAMES}.
 *
 * <p>No array is larger than the bytes present justify: a plain file is allocated at its actual size,
 * and a gzip file is decompressed into a buffer that grows only as data arrives, bounded by what the
 * result array can hold; the float array is allocated once every file has been read and validated.
 */
public final class CifarReader {
    /** Bytes per record: one label byte and {@value #IMAGE_BYTES} pixel bytes. */
    public static final int RECORD_BYTES = 3073;
    /** Pixel bytes per record: {@code 3 * 32 * 32}. */
    public static final int IMAGE_BYTES = 3072;
    /** Channels per image (red, green, blue). */
    public static final int CHANNELS = 3;
    /** Image height in pixels. */
    public static final int HEIGHT = 32;
    /** Image width in pixels. */
    public static final int WIDTH = 32;
    /** Number of classes. */
    public static final int NUM_CLASSES = 10;
    /** The class names, indexed by label. */
    public static final List<String> CLASS_NAMES = List.of(
            "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");
    /** The folder the distribution archive unpacks to. */
    public static final String FOLDER = "cifar-10-batches-bin";
    /** The training files of the distribution, in order. */
    public static final List<String> TRAIN_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    /** The test file of the distribution. */
    public static final String TEST_FILE = "test_batch.bin";

    /** The most records the result array can hold: {@code n * 3072 <= Integer.MAX_VALUE - 16}. */
    private static final int MAX_RECORDS = (Integer.MAX_VALUE - 16) / IMAGE_BYTES;
    /** The most records one file's byte array can hold: {@code n * 3073 <= Integer.MAX_VALUE - 16}. */
    private static final int MAX_FILE_RECORDS = (Integer.MAX_VALUE - 16) / RECORD_BYTES;

    private CifarReader() {
    }

    /**
     * Reads and concatenates CIFAR-10 binary files, in the order given, into one data set of shape
     * {@code [n, 3, 32, 32]} with 10 classes.
     *
     * @param files one or more files, each plain or gzip compressed
     * @return the records of all files, the first file's first
     * @throws IllegalArgumentException if no file is given, a file is missing or empty, its (decompressed)
     *                                  size is not a multiple of {@value #RECORD_BYTES}, a label is above 9,
     *                                  or the files together hold more records than an array can
     * @throws UncheckedIOException     on any other I/O failure, including corrupt gzip data
     */
    public static Dataset read(Path... files) {
        if (files == null || files.length == 0) {
            throw new IllegalArgumentException("CifarReader.read: files must be one or more paths, but got "
                    + (files == null ? "null" : "none"));
        }
        for (int f = 0; f < files.length; f++) {
            if (files[f] == null) {
                throw new IllegalArgumentException("CifarReader.read: every file must be non-null, but got null "
                        + "(argument " + f + " of " + files.length + ")");
            }
        }
        List<byte[]> contents = new ArrayList<>(files.length);
        long records = 0;
        for (Path file : files) {
            byte[] data = readFile(file, (int) Math.min(MAX_FILE_RECORDS, MAX_RECORDS - records));
            checkLabels(file, data);
            contents.add(data);
            records += data.length / RECORD_BYTES;
        }
        int n = (int) records;
        float[] pixels = new float[n * IMAGE_BYTES];
        float[] labels = new float[n];
        int i = 0;
        for (byte[] data : contents) {
            for (int r = 0; r < data.length; r += RECORD_BYTES, i++) {
                labels[i] = data[r];
                int base = i * IMAGE_BYTES;
                for (int p = 0; p < IMAGE_BYTES; p++) {
                    pixels[base + p] = (data[r + 1 + p] & 0xff) / 255f;
                }
            }
        }
        return new Dataset(pixels, labels, CHANNELS, HEIGHT, WIDTH, NUM_CLASSES);
    }

    /**
     * Reads the 50000-image training set: {@link #TRAIN_FILES} from {@code dir} or from
     * {@code dir/cifar-10-batches-bin}, each file plain or with a {@code .gz} suffix.
     *
     * @throws IllegalArgumentException if {@code dir} is null, a training file is found in neither place,
     *                                  or a file is invalid (see {@link #read(Path...)})
     * @throws UncheckedIOException     on any other I/O failure
     */
    public static Dataset readTrain(Path dir) {
        List<Path> files = new ArrayList<>(TRAIN_FILES.size());
        for (String name : TRAIN_FILES) {
            files.add(locate("readTrain", dir, name));
        }
        return read(files.toArray(new Path[0]));
    }

    /**
     * Reads the 10000-image test set: {@link #TEST_FILE} from {@code dir} or from
     * {@code dir/cifar-10-batches-bin}, plain or with a {@code .gz} suffix.
     *
     * @throws IllegalArgumentException if {@code dir} is null, the test file is found in neither place, or
     *                                  it is invalid (see {@link #read(Path...)})
     * @throws UncheckedIOException     on any other I/O failure
     */
    public static Dataset readTest(Path dir) {
        return read(locate("readTest", dir, TEST_FILE));
    }

    /**
     * Whether every training and test file can be found as {@link #readTrain} and {@link #readTest}
     * look for them. Only the presence of the files is checked, not their contents.
     *
     * @throws IllegalArgumentException if {@code dir} is null
     */
    public static boolean isPresent(Path dir) {
        requireDir("isPresent", dir);
        if (find(dir, TEST_FILE) == null) {
            return false;
        }
        for (String name : TRAIN_FILES) {
            if (find(dir, name) == null) {
                return false;
            }
        }
        return true;
    }

    private static void requireDir(String method, Path dir) {
        if (dir == null) {
            throw new IllegalArgumentException("CifarReader." + method + ": dir must be non-null, but got null");
        }
    }

    /** The first of {@code dir/name}, {@code dir/name.gz}, and the same in {@code dir/FOLDER}; or null. */
    private static Path find(Path dir, String name) {
        for (Path folder : new Path[] {dir, dir.resolve(FOLDER)}) {
            for (String candidate : new String[] {name, name + ".gz"}) {
                Path p = folder.resolve(candidate);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    private static Path locate(String method, Path dir, String name) {
        requireDir(method, dir);
        Path p = find(dir, name);
        if (p == null) {
            throw new IllegalArgumentException("CifarReader." + method + ": file " + name + " (or " + name
                    + ".gz) must exist in " + dir + " or " + dir.resolve(FOLDER) + ", but got a missing file "
                    + dir.resolve(FOLDER).resolve(name));
        }
        return p;
    }

    /**
     * Reads one file whole and checks its size, allocating no more than the bytes present.
     *
     * @param maxRecords the most records this file may hold: what the result array still has room for
     */
    private static byte[] readFile(Path file, int maxRecords) {
        if (!Files.isRegularFile(file)) {
            throw missing(file, null);
        }
        try {
            boolean gzip = DataFiles.isGzip(file);
            byte[] data;
            if (!gzip) {
                long size = Files.size(file);
                checkSize(file, size, false, maxRecords);
                try (InputStream in = Files.newInputStream(file)) {
                    data = in.readNBytes((int) size);
                }
                if (data.length != size) {
                    throw new IllegalArgumentException("CifarReader.read: file must hold the " + size
                            + " bytes its size reports, but got " + data.length + " bytes (" + file + ")");
                }
            } else {
                try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                    // One byte past the limit tells an oversized file from one that fits exactly.
                    data = DataFiles.readBounded(in, maxRecords * RECORD_BYTES + 1);
                }
            }
            checkSize(file, data.length, gzip, maxRecords);
            return data;
        } catch (NoSuchFileException e) {
            throw missing(file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("CifarReader.read: failed to read " + file + ": " + e.getMessage(), e);
        }
    }

    private static IllegalArgumentException missing(Path file, Exception cause) {
        return new IllegalArgumentException("CifarReader.read: file must exist, but got a missing file " + file, cause);
    }

    private static void checkSize(Path file, long size, boolean gzip, int maxRecords) {
        String what = gzip ? " decompressed" : "";
        if (size == 0) {
            throw new IllegalArgumentException("CifarReader.read: file must hold at least one " + RECORD_BYTES
                    + "-byte record, but got an empty" + what + " file (" + file + ")");
        }
        if (size > (long) maxRecords * RECORD_BYTES) {
            throw new IllegalArgumentException("CifarReader.read: file must hold at most " + maxRecords
                    + " records (" + ((long) maxRecords * RECORD_BYTES) + " bytes; the room left in the result array,"
                    + " at most " + MAX_RECORDS + " records in all), but got " + (gzip ? "at least " : "")
                    + size + what + " bytes (" + file + ")");
        }
        if (size % RECORD_BYTES != 0) {
            throw new IllegalArgumentException("CifarReader.read: file size must be a multiple of the " + RECORD_BYTES
                    + "-byte record size, but got " + size + what + " bytes (" + file + ": " + (size / RECORD_BYTES)
                    + " whole records and " + (size % RECORD_BYTES) + " bytes left over)");
        }
    }

    private static void checkLabels(Path file, byte[] data) {
        for (int r = 0; r < data.length; r += RECORD_BYTES) {
            int label = data[r] & 0xff;
            if (label >= NUM_CLASSES) {
                throw new IllegalArgumentException("CifarReader.read: label must be in [0, " + (NUM_CLASSES - 1)
                        + "], but got " + label + " (record " + (r / RECORD_BYTES) + " of " + file + ")");
            }
        }
    }
}
