package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.cnn4j.runtime.opencl.BinaryCache;
import org.cnn4j.runtime.opencl.ClBuildException;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClDevice;
import org.cnn4j.runtime.opencl.ProgramCache;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.UnaryOp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The in-memory and on-disk program caches: reuse, verification, rebuilds, build errors. */
class ProgramCacheTest {
    @TempDir
    Path cacheDir;

    private static ClDevice device() {
        return OpenClTestSupport.devicesOrSkip().get(0);
    }

    private ClContext open(Path dir) {
        try {
            return ClContext.open(device(), dir);
        } catch (BackendUnavailableException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** Runs one unary op (building elementwise.cl) and checks its result. */
    private static void exerciseElementwise(ClContext context) {
        OpenClBackend b = new OpenClBackend(context);
        float[] x = random(3, 37, -2f, 2f);
        DeviceMemory xd = upload(b, x);
        DeviceMemory yd = b.allocate(37);
        b.unary(UnaryOp.TANH, 37, xd, 0, yd, 0);
        float[] expected = new float[37];
        for (int i = 0; i < 37; i++) {
            expected[i] = NaiveElementwise.unary(UnaryOp.TANH, x[i]);
        }
        assertClose("tanh after cache round trip", expected, download(b, yd, 0, 37), 1e-6, 4e-6);
    }

    private List<Path> entries() throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            return files.filter(p -> p.toString().endsWith(".clbin")).toList();
        }
    }

    @Test
    void secondBackendLoadsFromDiskAndThirdRequestIsInMemory() throws IOException {
        try (ClContext first = open(cacheDir)) {
            exerciseElementwise(first);
            ProgramCache.Stats stats = first.programCache().stats();
            assertEquals(1, stats.compiled(), stats.toString());
            assertEquals(1, stats.binariesWritten(), stats.toString());
            assertEquals(0, stats.loadedFromBinary(), stats.toString());
            exerciseElementwise(first);     // same program again: memory, no rebuild
            assertEquals(1, first.programCache().stats().compiled());
            assertEquals(1, first.programCache().stats().inMemory());
        }
        assertEquals(1, entries().size());
        try (ClContext second = open(cacheDir)) {
            exerciseElementwise(second);
            ProgramCache.Stats stats = second.programCache().stats();
            assertEquals(0, stats.compiled(), stats.toString());
            assertEquals(1, stats.loadedFromBinary(), stats.toString());
        }
    }

    @Test
    void truncatedEntryIsRebuiltAndRewritten() throws IOException {
        try (ClContext first = open(cacheDir)) {
            exerciseElementwise(first);
        }
        Path entry = entries().get(0);
        byte[] bytes = Files.readAllBytes(entry);
        Files.write(entry, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertRebuiltThenLoaded("truncated");
    }

    @Test
    void flippedBinaryByteIsDetectedBySha256() throws IOException {
        try (ClContext first = open(cacheDir)) {
            exerciseElementwise(first);
        }
        Path entry = entries().get(0);
        byte[] bytes = Files.readAllBytes(entry);
        bytes[bytes.length - 10] ^= 0x5A;
        Files.write(entry, bytes);
        assertRebuiltThenLoaded("flipped byte");
    }

    @Test
    void wellFormedEntryWithGarbageBinaryIsRefusedByTheDriverAndRebuilt() throws IOException {
        try (ClContext first = open(cacheDir)) {
            exerciseElementwise(first);
        }
        Path entry = entries().get(0);
        byte[] key = java.util.Arrays.copyOfRange(Files.readAllBytes(entry), 12, 44);
        Files.write(entry, BinaryCache.encode(key, "this is not a program binary".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(BinaryCache.decode(Files.readAllBytes(entry), key).binary() != null, "entry verifies");
        assertRebuiltThenLoaded("garbage binary");
    }

    private void assertRebuiltThenLoaded(String what) {
        try (ClContext second = open(cacheDir)) {
            exerciseElementwise(second);
            ProgramCache.Stats stats = second.programCache().stats();
            assertEquals(1, stats.rejectedBinaries(), what + ": " + stats);
            assertEquals(1, stats.compiled(), what + ": " + stats);
            assertEquals(1, stats.binariesWritten(), what + ": " + stats);
        }
        try (ClContext third = open(cacheDir)) {
            exerciseElementwise(third);
            ProgramCache.Stats stats = third.programCache().stats();
            assertEquals(1, stats.loadedFromBinary(), what + " then rewritten: " + stats);
            assertEquals(0, stats.rejectedBinaries(), what + " then rewritten: " + stats);
        }
    }

    @Test
    void decodeRejectsEveryKindOfDamage() {
        byte[] key = new byte[32];
        key[0] = 1;
        byte[] entry = BinaryCache.encode(key, new byte[] {1, 2, 3, 4});
        assertEquals(4, BinaryCache.decode(entry, key).binary().length);
        byte[] otherKey = key.clone();
        otherKey[31] = 9;
        assertTrue(BinaryCache.decode(entry, otherKey).rejection().contains("key mismatch"));
        byte[] badMagic = entry.clone();
        badMagic[0] = 'X';
        assertTrue(BinaryCache.decode(badMagic, key).rejection().contains("magic"));
        byte[] badVersion = entry.clone();
        badVersion[11] = 99;
        assertTrue(BinaryCache.decode(badVersion, key).rejection().contains("format version"));
        assertTrue(BinaryCache.decode(java.util.Arrays.copyOf(entry, entry.length - 1), key).rejection().contains("length"));
        assertTrue(BinaryCache.decode(java.util.Arrays.copyOf(entry, 20), key).rejection().contains("too short"));
    }

    @Test
    void unwritableCacheDirectoryIsSkipped() throws IOException {
        Path notADirectory = Files.writeString(cacheDir.resolve("plain-file"), "x");
        try (ClContext context = open(notADirectory.resolve("kernels"))) {
            exerciseElementwise(context);
            ProgramCache.Stats stats = context.programCache().stats();
            assertEquals(1, stats.compiled(), stats.toString());
            assertEquals(0, stats.binariesWritten(), stats.toString());
        }
    }

    @Test
    void noneDisablesTheDiskCache() {
        String previous = System.getProperty(BinaryCache.PROPERTY);
        try {
            System.setProperty(BinaryCache.PROPERTY, "none");
            assertEquals(Optional.empty(), BinaryCache.configuredDirectory());
            System.setProperty(BinaryCache.PROPERTY, cacheDir.toString());
            assertEquals(Optional.of(cacheDir), BinaryCache.configuredDirectory());
        } finally {
            if (previous == null) {
                System.clearProperty(BinaryCache.PROPERTY);
            } else {
                System.setProperty(BinaryCache.PROPERTY, previous);
            }
        }
        try (ClContext context = open(null)) {
            exerciseElementwise(context);
            assertEquals(0, context.programCache().stats().binariesWritten());
            assertTrue(context.programCache().disk() == null);
        }
    }

    @Test
    void syntaxErrorRaisesClBuildExceptionWithTheBuildLog() {
        try (ClContext context = open(cacheDir)) {
            ClBuildException e = assertThrows(ClBuildException.class,
                    () -> context.program("broken.cl", "__kernel void broken(__global float* x) { x[0] = undeclared_name; }",
                            Map.of("TS", "8", "ALPHA", "2")));
            assertEquals("broken.cl", e.file());
            assertEquals("CL_BUILD_PROGRAM_FAILURE", e.statusName());
            assertEquals("clBuildProgram", e.call());
            assertEquals(Map.of("ALPHA", "2", "TS", "8"), e.defines());
            assertTrue(e.buildLog().contains("undeclared_name"), e.buildLog());
            assertTrue(e.getMessage().contains("CL_BUILD_PROGRAM_FAILURE"), e.getMessage());
            assertTrue(e.getMessage().contains("broken.cl"), e.getMessage());
            assertTrue(e.getMessage().contains("{ALPHA=2, TS=8}"), e.getMessage());
            assertTrue(e.getMessage().contains(context.device().label()), e.getMessage());
            assertTrue(e.getMessage().contains(e.buildLog()), e.getMessage());
        }
    }

    @Test
    void optionsAreSortedAndValidated() {
        assertEquals("-cl-std=CL1.2 -DA=1 -DB=x.5 -DZ=-3", ProgramCache.options(Map.of("Z", "-3", "A", "1", "B", "x.5")));
        assertThrows(IllegalArgumentException.class, () -> ProgramCache.options(Map.of("A B", "1")));
        assertThrows(IllegalArgumentException.class, () -> ProgramCache.options(Map.of("A", "1 -DB=2")));
        assertFalse(ProgramCache.options(Map.of()).contains("-D"));
    }
}
