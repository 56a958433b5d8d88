package org.cnn4j.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads image classification data in the IDX format of MNIST and Fashion-MNIST, plain or gzip
 * compressed (detected by the gzip magic bytes {@code 1f 8b}, not by the file name).
 *
 * <p>Format (big-endian): a 4-byte magic {@code 0x00000803} for unsigned-byte images, followed by the
 * dimensions {@code n, rows, cols} as 4-byte integers and {@code n * rows * cols} pixel bytes; or
 * {@code 0x00000801} for unsigned-byte labels, followed by {@code n} and {@code n} label bytes.
 * Trailing bytes after the declared payload are ignored.
 *
 * <p>Pixels are scaled to {@code [0, 1]} by {@code x / 255}, giving images of shape
 * {@code [n, 1, rows, cols]}; labels become float class indices.
 *
 * <p>The declared payload size is checked against the bytes actually present before the result arrays
 * are allocated: for a plain file against the file size, for a gzip file by decompressing through a
 * stream bounded at the declared size, so a corrupt or hostile header cannot trigger a huge allocation.
 */
public final class IdxReader {
    /** Magic number of an unsigned-byte, three-dimensional IDX file (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an unsigned-byte, one-dimensional IDX file (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /**
     * Reads an image file and a label file into a data set whose class count is the largest label + 1.
     *
     * @throws IllegalArgumentException if a file is missing, has a wrong magic, is truncated, or the
     *                                  image and label counts differ
     * @throws UncheckedIOException     on any other I/O failure
     */
    public static Dataset read(Path images, Path labels) {
        return read(images, labels, -1);
    }

    /**
     * Reads an image file and a label file into a data set with {@code numClasses} classes
     * (10 for MNIST and Fashion-MNIST).
     *
     * @param numClasses the class count, or -1 for the largest label + 1
     * @throws IllegalArgumentException if a file is missing, has a wrong magic, is truncated, declares
     *                                  images with no rows or columns, the image and label counts differ,
     *                                  a label is not below {@code numClasses}, or {@code numClasses} is
     *                                  neither -1 nor positive
     * @throws UncheckedIOException     on any other I/O failure
     */
    public static Dataset read(Path images, Path labels, int numClasses) {
        if (numClasses < 1 && numClasses != -1) {
            throw new IllegalArgumentException("IdxReader.read: numClasses must be >= 1 or -1 (largest label + 1), "
                    + "but got " + numClasses);
        }
        Idx img = readIdx(images, IMAGES_MAGIC, 3);
        Idx lab = readIdx(labels, LABELS_MAGIC, 1);
        if (img.dims[0] != lab.dims[0]) {
            throw new IllegalArgumentException("IdxReader.read: image count must equal label count, but got "
                    + img.dims[0] + " images (" + images + ") and " + lab.dims[0] + " labels (" + labels + ")");
        }
        if (img.dims[1] < 1 || img.dims[2] < 1) {
            throw new IllegalArgumentException("IdxReader.read: image rows and columns must be >= 1, but got "
                    + img.dims[1] + " x " + img.dims[2] + " (" + images + ")");
        }
        float[] pixels = new float[img.data.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (img.data[i] & 0xff) / 255f;
        }
        float[] classes = new float[lab.data.length];
        int max = -1;
        for (int i = 0; i < classes.length; i++) {
            int c = lab.data[i] & 0xff;
            if (numClasses != -1 && c >= numClasses) {
                throw new IllegalArgumentException("IdxReader.read: label must be in [0, " + numClasses + "), but got "
                        + c + " (label " + i + " of " + labels + ")");
            }
            classes[i] = c;
            max = Math.max(max, c);
        }
        int k = numClasses == -1 ? Math.max(1, max + 1) : numClasses;
        return new Dataset(pixels, classes, 1, img.dims[1], img.dims[2], k);
    }

    /** A parsed IDX file: its dimensions and raw payload bytes. */
    record Idx(int[] dims, byte[] data) {
    }

    /**
     * Reads one IDX file with the given magic and rank.
     *
     * @throws IllegalArgumentException if the file is missing, the magic differs, a dimension is
     *                                  negative, or the file holds fewer payload bytes than declared
     */
    static Idx readIdx(Path file, int expectedMagic, int rank) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("IdxReader.read: file must exist, but got a missing file " + file);
        }
        try {
            boolean gzip = DataFiles.isGzip(file);
            long available = gzip ? -1 : Files.size(file);
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
                 InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
                DataInputStream din = new DataInputStream(in);
                int headerBytes = 4 + 4 * rank;
                int magic;
                int[] dims = new int[rank];
                try {
                    magic = din.readInt();
                    if (magic != expectedMagic) {
                        throw new IllegalArgumentException(String.format(
                                "IdxReader.read: magic must be 0x%08x, but got 0x%08x (%s)", expectedMagic, magic, file));
                    }
                    for (int d = 0; d < rank; d++) {
                        dims[d] = din.readInt();
                    }
                } catch (EOFException e) {
                    throw new IllegalArgumentException("IdxReader.read: header must hold " + headerBytes
                            + " bytes, but the " + (gzip ? "decompressed " : "") + "file ended early (" + file + ")", e);
                }
                long expected = 1;
                for (int d = 0; d < rank; d++) {
                    if (dims[d] < 0) {
                        throw new IllegalArgumentException("IdxReader.read: dimension " + d + " must be >= 0, but got "
                                + dims[d] + " (" + file + ")");
                    }
                    expected *= dims[d];
                    if (expected > Integer.MAX_VALUE - 16) {
                        throw new IllegalArgumentException("IdxReader.read: payload must fit in an array, but header "
                                + "declares dimensions exceeding " + (Integer.MAX_VALUE - 16) + " bytes (" + file + ")");
                    }
                }
                byte[] data;
                if (!gzip) {
                    long actual = available - headerBytes;
                    if (actual < expected) {
                        throw truncated(file, expected, actual, false);
                    }
                    data = din.readNBytes((int) expected);
                } else {
                    data = DataFiles.readBounded(din, (int) expected);
                }
                if (data.length < expected) {
                    throw truncated(file, expected, data.length, gzip);
                }
                return new Idx(dims, data);
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("IdxReader.read: file must exist, but got a missing file " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("IdxReader.read: failed to read " + file + ": " + e.getMessage(), e);
        }
    }

    private static IllegalArgumentException truncated(Path file, long expected, long actual, boolean gzip) {
        return new IllegalArgumentException("IdxReader.read: payload must hold the " + expected
                + " bytes the header declares, but got " + actual + (gzip ? " decompressed" : "") + " bytes (" + file + ")");
    }
}
