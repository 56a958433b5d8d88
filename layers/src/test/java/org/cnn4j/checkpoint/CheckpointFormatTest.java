package org.cnn4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file format and its validation, on host tensors only (no device needed). */
class CheckpointFormatTest {
    @TempDir
    Path dir;

    static Checkpoint sample(float base) {
        Map<String, HostTensor> model = new LinkedHashMap<>();
        model.put("0.weight", new HostTensor(new int[] {2, 3}, new float[] {base, 1, 2, 3, 4, 5}));
        model.put("0.bias", new HostTensor(new int[] {2}, new float[] {-1, Float.NaN}));
        model.put("step", new HostTensor(new int[] {}, new float[] {7}));
        Map<String, HostTensor> opt = new LinkedHashMap<>();
        opt.put("0.weight.exp_avg", new HostTensor(new int[] {2, 3}, new float[] {0.5f, 0, 0, 0, 0, -0.5f}));
        return Checkpoint.builder().hostSection("model", model).hostSection("optimizer", opt)
                .metadata("epoch", "3").metadata("note", "quote \" backslash \\ newline \n é").build();
    }

    static Path writeRaw(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Files.write(file, b.array());
        return file;
    }

    private String refused(Path file) {
        return assertThrows(CheckpointFormatException.class, () -> Checkpoint.load(file)).getMessage();
    }

    @Test
    void roundTripKeepsSectionsValuesAndMetadata() throws IOException {
        Path f = dir.resolve("a.safetensors");
        Checkpoint c = sample(0.25f);
        c.save(f);
        Checkpoint back = Checkpoint.load(f);
        assertEquals(c.sections(), back.sections());
        assertEquals(c.section("model"), back.section("model"));
        assertEquals(c.section("optimizer"), back.section("optimizer"));
        assertEquals(c.metadata(), back.metadata());
        byte[] bytes = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "data region must be 8-byte aligned");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.contains("\"model/0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}"), header);
        assertTrue(header.contains("\"optimizer/0.weight.exp_avg\""), header);
        assertTrue(header.contains("\"cnn4j.sha256\""), header);
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file may be left behind");
        }
    }

    @Test
    void jsonParsesEscapesNumbersAndRejectsGarbage() throws Exception {
        Object v = Json.parse(" {\"a\\u00e9\\n\":[1,-2,3.5e1,true,false,null,\"x\\\"y\"]} ");
        assertEquals(Map.of("a\u00e9\n", java.util.Arrays.asList(1L, -2L, 35.0, true, false, null, "x\"y")), v);
        StringBuilder b = new StringBuilder();
        Json.write(b, v);
        assertEquals(v, Json.parse(b.toString()));
        for (String bad : new String[] {"{", "{\"a\":1,}", "[01]", "{\"a\":1}x", "\"\\q\"", "{\"a\":1,\"a\":2}",
            "99999999999999999999", "[".repeat(100) + "]".repeat(100)}) {
            assertThrows(Json.ParseException.class, () -> Json.parse(bad), bad);
        }
    }

    @Test
    void truncatedFileIsRefused() throws IOException {
        Path f = dir.resolve("t.safetensors");
        sample(1).save(f);
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 5));
        String m = refused(f);
        assertTrue(m.contains("data region must be exactly covered") || m.contains("data_offsets"), m);
        Files.write(f, java.util.Arrays.copyOf(b, 4));
        assertTrue(refused(f).contains("file size must be >= 8"));
        Files.write(f, java.util.Arrays.copyOf(b, 40));
        assertTrue(refused(f).contains("header length must be"), refused(f));
    }

    @Test
    void flippedDataByteFailsTheChecksum() throws IOException {
        Path f = dir.resolve("c.safetensors");
        sample(1).save(f);
        byte[] b = Files.readAllBytes(f);
        b[b.length - 3] ^= 0x10;
        Files.write(f, b);
        String m = refused(f);
        assertTrue(m.contains("checksum mismatch") && m.contains("SHA-256"), m);
    }

    @Test
    void hugeHeaderLengthIsRefusedWithoutAllocating() throws IOException {
        Path f = dir.resolve("h.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE - 3).putLong(0);
        Files.write(f, b.array());
        assertTrue(refused(f).contains("header length must be between 2 and min(file size - 8 = 8"), refused(f));
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).putLong(0);
        Files.write(f, b.array());
        assertTrue(refused(f).contains("header length must be"), refused(f));
    }

    @Test
    void malformedJsonIsRefused() throws IOException {
        String m = refused(writeRaw(dir.resolve("j"), "{\"model/a\": {\"dtype\": \"F32\",", new byte[0]));
        assertTrue(m.contains("header must be well-formed JSON"), m);
        m = refused(writeRaw(dir.resolve("k"), "[1, 2]", new byte[0]));
        assertTrue(m.contains("header must be a JSON object"), m);
    }

    @Test
    void offsetsOutsideTheDataRegionAreRefused() throws IOException {
        String m = refused(writeRaw(dir.resolve("o"),
                "{\"model/a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4096]}}", new byte[8]));
        assertTrue(m.contains("offsets outside the data region") && m.contains("'model/a'"), m);
        m = refused(writeRaw(dir.resolve("n"),
                "{\"model/a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", new byte[8]));
        assertTrue(m.contains("offsets outside the data region"), m);
    }

    @Test
    void overlappingAndNonContiguousTensorsAreRefused() throws IOException {
        String m = refused(writeRaw(dir.resolve("ov"), "{\"model/a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"model/b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]));
        assertTrue(m.contains("must not overlap"), m);
        m = refused(writeRaw(dir.resolve("gap"), "{\"model/a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"model/b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]));
        assertTrue(m.contains("must be contiguous"), m);
    }

    @Test
    void unknownDtypeAndShapeSizeMismatchAreRefused() throws IOException {
        String m = refused(writeRaw(dir.resolve("d"),
                "{\"model/a\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]));
        assertTrue(m.contains("unknown dtype \"F64\""), m);
        m = refused(writeRaw(dir.resolve("s"),
                "{\"model/a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]));
        assertTrue(m.contains("byte size must equal 4 x the element count"), m);
    }

    @Test
    void interruptedWriteLeavesThePreviousCheckpoint() throws IOException {
        Path f = dir.resolve("ck.safetensors");
        Checkpoint old = sample(1);
        old.save(f);
        for (String stage : new String[] {"header", "tensor", "beforeRename"}) {
            IOException e = assertThrows(IOException.class, () -> sample(99).save(f, (s, temp) -> {
                if (s.equals(stage)) {
                    assertTrue(Files.exists(temp) && temp.getParent().equals(f.getParent()));
                    throw new IOException("simulated crash at " + s);
                }
            }));
            assertTrue(e.getMessage().contains("simulated crash"));
            assertEquals(old.section("model"), Checkpoint.load(f).section("model"), stage);
            try (var s = Files.list(dir)) {
                assertEquals(1, s.count(), "the temporary file must be removed after a failed write (" + stage + ")");
            }
        }
        // a process killed mid-write leaves a partial temporary file; the checkpoint itself still loads
        byte[] full = Files.readAllBytes(f);
        Files.write(dir.resolve(".ck.safetensors.123.tmp"), java.util.Arrays.copyOf(full, full.length / 2));
        assertEquals(old.section("optimizer"), Checkpoint.load(f).section("optimizer"));
        Checkpoint newer = sample(2);
        newer.save(f);
        assertEquals(newer.section("model"), Checkpoint.load(f).section("model"));
    }

    @Test
    void keysWithoutASectionAreRefused() throws IOException {
        String m = refused(writeRaw(dir.resolve("x"),
                "{\"weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]));
        assertTrue(m.contains("section/name"), m);
        assertFalse(m.isEmpty());
    }
}
