package org.cnn4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.cnn4j.runtime.testing.ByteMutator;
import org.cnn4j.runtime.testing.ByteMutator.Mutant;
import org.cnn4j.runtime.testing.FuzzTally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of {@link IdxReader} and {@link CifarReader}: small valid files, plain and gzip,
 * are mutated thousands of times (see {@link ByteMutator}, plus header fields set to extreme values and
 * mutations made before compression so that they reach the parser behind gzip) and read. Every case must
 * load or be refused with a documented exception whose message names the mutated file, and must allocate
 * no more than the decompressed bytes of its files justify (see {@link FuzzTally}). The seed and the case
 * count can be changed with {@code -Dcnn4j.fuzz.seed} and {@code -Dcnn4j.fuzz.cases}; each test prints a
 * one-line summary of its outcomes.
 */
class ReaderFuzzTest {
    static final long SEED = Long.getLong("cnn4j.fuzz.seed", 0x5EEDL);
    static final int CASES = Integer.getInteger("cnn4j.fuzz.cases", 2000);
    /** Fixed allocation a read may make whatever the file: stream buffers, messages, stack traces. */
    static final long SLACK = 1 << 20;
    private static final List<Class<? extends Exception>> DOCUMENTED =
            List.of(IllegalArgumentException.class, UncheckedIOException.class);

    @TempDir
    Path dir;

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The bytes a reader can get out of {@code file}: its length, plus for a gzip file the bytes that
     * decompress before the end or the first error.
     */
    static long justified(byte[] file) {
        long n = file.length;
        if (file.length < 2 || (file[0] & 0xff) != 0x1f || (file[1] & 0xff) != 0x8b) {
            return n;
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(file))) {
            for (int r = in.read(buf); r >= 0; r = in.read(buf)) {
                n += r;
            }
        } catch (IOException e) {
            // corrupt or truncated: what decompressed so far is counted
        }
        return n;
    }

    /** {@code n} seeded random bytes (the pixels of a valid file). */
    static byte[] noise(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /**
     * A mutant of {@code plain} (an uncompressed valid file), stored plain or gzip. For gzip, the mutation
     * is made either to the plain bytes before compressing (reaching the parser) or to the compressed
     * bytes (reaching the decompressor). With {@code fields}, a quarter of the cases instead set one
     * 4-byte big-endian header field, at one of those offsets, to an extreme value.
     */
    static Mutant mutant(ByteMutator m, byte[] plain, boolean gzip, int... fields) {
        Random r = m.random();
        Mutant mu;
        if (fields.length > 0 && r.nextInt(4) == 0) {
            int at = fields[r.nextInt(fields.length)];
            long value = m.extreme();
            mu = new Mutant("set header field at " + at + " to " + value,
                    ByteMutator.putField(plain, at, 4, ByteOrder.BIG_ENDIAN, value));
        } else if (gzip && r.nextBoolean()) {
            Mutant inner = m.mutate(gzip(plain));
            return new Mutant("gzip, then " + inner.description(), inner.bytes());
        } else {
            mu = m.mutate(plain);
        }
        return gzip ? new Mutant(mu.description() + ", then gzip", gzip(mu.bytes())) : mu;
    }

    @Test
    @Timeout(60)
    void idxReaderLoadsOrRefusesEveryMutantCleanly() throws IOException {
        ByteMutator m = new ByteMutator(SEED);
        Random r = m.random();
        int n = 6;
        byte[] labelBytes = new byte[n];
        for (int i = 0; i < n; i++) {
            labelBytes[i] = (byte) (i * 7 % 10);
        }
        byte[] images = IdxReaderTest.idx(IdxReader.IMAGES_MAGIC, new int[] {n, 5, 4}, noise(r, n * 5 * 4));
        byte[] labels = IdxReaderTest.idx(IdxReader.LABELS_MAGIC, new int[] {n}, labelBytes);
        Path img = Files.write(dir.resolve("valid-images.idx"), images);
        Path lab = Files.write(dir.resolve("valid-labels.idx.gz"), gzip(labels));
        Dataset valid = IdxReader.read(img, lab, 10);
        assertEquals(n, valid.size(), "the unmutated files must load");
        assertEquals(4, valid.width());

        byte[] imagesGz = gzip(images);
        byte[] labelsGz = gzip(labels);
        FuzzTally tally = new FuzzTally("IdxReader", DOCUMENTED);
        for (int i = 0; i < CASES; i++) {
            boolean gzip = r.nextBoolean();
            boolean mutateImages = r.nextBoolean();
            Mutant mu = mutateImages ? mutant(m, images, gzip, 0, 4, 8, 12) : mutant(m, labels, gzip, 0, 4);
            byte[] otherStored = r.nextBoolean() ? (mutateImages ? labelsGz : imagesGz) : (mutateImages ? labels : images);
            Path caseImages = FuzzTally.caseFile(dir, i, "images.idx", mutateImages ? mu.bytes() : otherStored);
            Path caseLabels = FuzzTally.caseFile(dir, i, "labels.idx", mutateImages ? otherStored : mu.bytes());
            long budget = 16 * (justified(mu.bytes()) + justified(otherStored)) + SLACK;
            int classes = r.nextBoolean() ? -1 : 10;
            Path named = mutateImages ? caseImages : caseLabels;
            tally.run((mutateImages ? "images: " : "labels: ") + mu.description(), named.toString(), budget,
                    () -> IdxReader.read(caseImages, caseLabels, classes));
            Files.delete(caseImages);
            Files.delete(caseLabels);
        }
        System.out.println(tally.summary());
        assertOutcomesVaried(tally);
    }

    @Test
    @Timeout(60)
    void cifarReaderLoadsOrRefusesEveryMutantCleanly() throws IOException {
        ByteMutator m = new ByteMutator(SEED + 1);
        Random r = m.random();
        int records = 3;
        byte[] cifar = noise(r, records * CifarReader.RECORD_BYTES);
        for (int i = 0; i < records; i++) {
            cifar[i * CifarReader.RECORD_BYTES] = (byte) (i * 3 % 10);
        }
        Path good = Files.write(dir.resolve("fuzz-good.bin"), cifar);
        assertEquals(records, CifarReader.read(good).size(), "the unmutated file must load");

        FuzzTally tally = new FuzzTally("CifarReader", DOCUMENTED);
        for (int i = 0; i < CASES; i++) {
            boolean gzip = r.nextBoolean();
            Mutant mu = r.nextInt(8) == 0 ? labelMutant(r, cifar, gzip) : mutant(m, cifar, gzip);
            Path bad = FuzzTally.caseFile(dir, i, "mutant.bin", mu.bytes());
            long budget = 16 * (justified(mu.bytes()) + cifar.length) + SLACK;
            boolean withGoodFile = r.nextInt(4) == 0;
            tally.run(mu.description(), bad.toString(), budget,
                    () -> {
                        if (withGoodFile) {
                            CifarReader.read(good, bad);
                        } else {
                            CifarReader.read(bad);
                        }
                    });
            Files.delete(bad);
        }
        System.out.println(tally.summary());
        assertOutcomesVaried(tally);
    }

    /** {@code cifar} with one record's label byte set to a value of 10 or more. */
    private static Mutant labelMutant(Random r, byte[] cifar, boolean gzip) {
        byte[] b = cifar.clone();
        int record = r.nextInt(b.length / CifarReader.RECORD_BYTES);
        int label = 10 + r.nextInt(246);
        b[record * CifarReader.RECORD_BYTES] = (byte) label;
        String what = "label of record " + record + " set to " + label;
        return gzip ? new Mutant(what + ", then gzip", gzip(b)) : new Mutant(what, b);
    }

    /**
     * Guards the fuzzer itself: a harness that refused everything (a broken valid file) or loaded
     * everything (mutations not reaching the reader) would test nothing.
     */
    static void assertOutcomesVaried(FuzzTally tally) {
        var counts = tally.counts();
        assertEquals(CASES, tally.total(), counts.toString());
        assertTrue(counts.getOrDefault("loaded", 0) > 0, "some mutants must load: " + counts);
        assertTrue(counts.getOrDefault("refused IllegalArgumentException", 0) > 0, "some must be refused: " + counts);
        assertTrue(counts.getOrDefault("refused UncheckedIOException", 0) > 0,
                "some gzip mutants must fail to decompress: " + counts);
    }
}
