package org.cnn4j.runtime.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.cnn4j.runtime.testing.ByteMutator;
import org.cnn4j.runtime.testing.FuzzTally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The on-disk kernel binary cache read back from damaged files, without an OpenCL device: a tampered
 * or truncated entry is rejected with its path and reason (so the program cache rebuilds it from source,
 * as {@code ProgramCacheTest} checks end to end on a device), and seeded mutants of an entry are all
 * rejected, never thrown on and never loaded.
 */
class BinaryCacheTest {
    /** Entry layout offsets: magic 0, version 8, key 12, digest 44, length 76, binary 84. */
    private static final int VERSION = 8;
    private static final int KEY = 12;
    private static final int DIGEST = 44;
    private static final int LENGTH = 76;
    private static final int BINARY = 84;

    @TempDir
    Path dir;

    private static byte[] key() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        return key;
    }

    private static byte[] program() {
        byte[] b = new byte[300];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 5);
        }
        return b;
    }

    /** Stores a valid entry in a new directory, replaces it with {@code damage(entry)}, and returns the rejection. */
    private String rejectionAfter(java.util.function.UnaryOperator<byte[]> damage) throws IOException {
        BinaryCache cache = new BinaryCache(Files.createTempDirectory(dir, "cache"));
        assertTrue(cache.store("conv2d.cl", key(), program()));
        Path file = cache.fileFor("conv2d.cl", key());
        assertArrayEquals(program(), cache.load("conv2d.cl", key()).binary(), "the undamaged entry must load");
        byte[] damaged = damage.apply(Files.readAllBytes(file));
        Files.delete(file);     // a new file, not a rewrite in place: ext4 flushes a truncated file to disk
        Files.write(file, damaged);
        BinaryCache.Lookup lookup = cache.load("conv2d.cl", key());
        assertNull(lookup.binary(), "a damaged entry must not be loaded");
        assertTrue(lookup.rejection().startsWith(file.toString()), lookup.rejection());
        return lookup.rejection();
    }

    private static byte[] flip(byte[] b, int at) {
        byte[] out = b.clone();
        out[at] ^= 0x20;
        return out;
    }

    @Test
    void tamperedEntryIsRejectedWithItsReason() throws IOException {
        assertTrue(rejectionAfter(b -> flip(b, 0)).endsWith("bad magic"));
        assertTrue(rejectionAfter(b -> flip(b, VERSION + 3)).contains("format version"));
        assertTrue(rejectionAfter(b -> flip(b, KEY + 5)).endsWith("key mismatch"));
        assertTrue(rejectionAfter(b -> flip(b, DIGEST + 1)).endsWith("SHA-256 of the binary does not match"));
        assertTrue(rejectionAfter(b -> flip(b, BINARY + 17)).endsWith("SHA-256 of the binary does not match"));
        assertTrue(rejectionAfter(b -> flip(b, b.length - 1)).endsWith("SHA-256 of the binary does not match"));
        for (long length : new long[] {-1, Long.MAX_VALUE, Integer.MAX_VALUE, 299, 301}) {
            String r = rejectionAfter(b -> ByteMutator.putField(b, LENGTH, 8, ByteOrder.BIG_ENDIAN, length));
            assertTrue(r.endsWith("binary length " + length + " but 300 bytes follow the header"), r);
        }
    }

    @Test
    void truncatedEntryIsRejected() throws IOException {
        int full = BINARY + program().length;
        for (int keep : new int[] {0, 1, KEY, BINARY - 1, BINARY, BINARY + 1, full / 2, full - 1}) {
            int len = keep;
            String r = rejectionAfter(b -> Arrays.copyOf(b, keep));
            String expected = len < BINARY ? "entry too short (" + len + " bytes, header needs " + BINARY + ")"
                    : "binary length 300 but " + (len - BINARY) + " bytes follow the header";
            assertTrue(r.endsWith(expected), len + ": " + r);
        }
    }

    @Test
    void mutatedEntriesAreNeverLoadedOrThrownOn() {
        byte[] entry = BinaryCache.encode(key(), program());
        ByteMutator m = new ByteMutator(0x5EEDL + 3);
        FuzzTally tally = new FuzzTally("BinaryCache.decode", List.of());
        int cases = 3000;
        for (int i = 0; i < cases; i++) {
            ByteMutator.Mutant mu = m.mutate(entry);
            boolean unchanged = Arrays.equals(mu.bytes(), entry);
            BinaryCache.Lookup[] out = new BinaryCache.Lookup[1];
            tally.classify(mu.description(), "", 64L * mu.bytes().length + (1 << 16), () -> {
                out[0] = BinaryCache.decode(mu.bytes(), key());
                String reason = out[0].rejection();
                return reason == null ? "loaded" : "rejected: " + reason.replaceAll("(?<![A-Za-z0-9-])-?[0-9]+", "N");
            });
            if (unchanged) {
                assertArrayEquals(program(), out[0].binary(), mu.description());
            } else {
                assertNull(out[0].binary(), "case " + i + " (" + mu.description() + ") must be rejected");
                assertTrue(!out[0].rejection().isBlank(), mu.description());
            }
        }
        System.out.println(tally.summary());
        assertEquals(cases, tally.total());
    }
}
