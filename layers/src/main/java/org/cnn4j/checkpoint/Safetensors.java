package org.cnn4j.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors layout: an 8-byte little-endian header length {@code N}, {@code N}
 * bytes of UTF-8 JSON ({@code {"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]},
 * "__metadata__": {...}}}, offsets relative to the data region), then the little-endian data. Only F32 is
 * written or read. Writes are atomic (temporary file in the same directory, fsync, atomic rename).
 */
final class Safetensors {
    /** Largest header accepted, as the reference implementation (100 MB). */
    static final long MAX_HEADER = 100L * 1024 * 1024;
    static final String METADATA = "__metadata__";
    static final String SHA256_KEY = "cnn4j.sha256";
    private static final int CHUNK = 1 << 16;

    private Safetensors() {
    }

    /** Test hook: called during a write at named stages; throwing from it simulates a crash. */
    interface WriteHook {
        WriteHook NONE = (stage, temp) -> { };

        void at(String stage, Path temp) throws IOException;
    }

    // ---- writing ---------------------------------------------------------------------------------

    static void write(Path target, Map<String, HostTensor> tensors, Map<String, String> metadata, WriteHook hook)
            throws IOException {
        MessageDigest sha = sha256();
        Map<String, Object> header = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            long end = offset + 4L * t.numel();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            List<Object> shape = new ArrayList<>();
            for (int d : t.shapeNoCopy()) {
                shape.add((long) d);
            }
            info.put("shape", shape);
            info.put("data_offsets", List.of(offset, end));
            header.put(e.getKey(), info);
            offset = end;
            sha.update(bytes(t.dataNoCopy()));
        }
        Map<String, Object> meta = new LinkedHashMap<>(metadata);
        meta.put(SHA256_KEY, HexFormat.of().formatHex(sha.digest()));
        header.put(METADATA, meta);
        StringBuilder json = new StringBuilder();
        Json.write(json, header);
        byte[] unpadded = json.toString().getBytes(StandardCharsets.UTF_8);
        byte[] headerBytes = Arrays.copyOf(unpadded, (unpadded.length + 7) / 8 * 8);
        Arrays.fill(headerBytes, unpadded.length, headerBytes.length, (byte) ' '); // data region 8-byte aligned

        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerBytes.length).flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(headerBytes));
                hook.at("header", temp);
                for (HostTensor t : tensors.values()) {
                    writeFully(ch, ByteBuffer.wrap(bytes(t.dataNoCopy())));
                    hook.at("tensor", temp);
                }
                ch.force(true);
            }
            hook.at("beforeRename", temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("Checkpoint.save: the file system must support an atomic rename in " + dir
                        + ", but it does not (" + e.getMessage() + ")", e);
            }
            moved = true;
            syncDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some platforms cannot open or sync a directory; the rename itself is still atomic
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static byte[] bytes(float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return b.array();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 must be available in every Java runtime", e);
        }
    }

    // ---- reading ---------------------------------------------------------------------------------

    /** Entry of a parsed header, before the data is read. */
    private record Entry(String name, int[] shape, long numel, long begin, long end) {
    }

    /** The tensors (in header order) and metadata of {@code file}, fully validated. */
    static Map.Entry<Map<String, HostTensor>, Map<String, String>> read(Path file) throws IOException {
        String where = " (file " + file + ")";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw fail("file size must be >= 8 bytes (the header length), but got " + size + where);
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, where);
            long n = lenBuf.flip().getLong();
            if (n < 2 || n > size - 8 || n > MAX_HEADER) {
                throw fail("header length must be between 2 and min(file size - 8 = " + (size - 8) + ", " + MAX_HEADER
                        + "), but got " + Long.toUnsignedString(n) + where);
            }
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(ch, hb, 8, where);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb.flip()).toString();
            } catch (CharacterCodingException e) {
                throw fail("header must be valid UTF-8, but got malformed bytes" + where, e);
            }
            Object root;
            try {
                root = Json.parse(text);
            } catch (Json.ParseException e) {
                throw fail("header must be well-formed JSON, but it is not: " + e.getMessage() + where, e);
            }
            if (!(root instanceof Map<?, ?> top)) {
                throw fail("header must be a JSON object, but got " + kind(root) + where);
            }
            long dataStart = 8 + n;
            long dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : top.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals(METADATA)) {
                    if (!(e.getValue() instanceof Map<?, ?> m)) {
                        throw fail("__metadata__ must be an object of strings, but got " + kind(e.getValue()) + where);
                    }
                    for (Map.Entry<?, ?> me : m.entrySet()) {
                        if (!(me.getValue() instanceof String v)) {
                            throw fail("__metadata__ value '" + me.getKey() + "' must be a string, but got "
                                    + kind(me.getValue()) + where);
                        }
                        metadata.put((String) me.getKey(), v);
                    }
                    continue;
                }
                entries.add(entry(name, e.getValue(), dataLen, where));
            }
            // contiguity: sorted by begin, the tensors must tile [0, dataLen) exactly
            List<Entry> sorted = new ArrayList<>(entries);
            sorted.sort((a, b) -> a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end));
            long expected = 0;
            String previous = null;
            for (Entry e : sorted) {
                if (e.begin < expected) {
                    throw fail("tensor '" + e.name + "' must not overlap '" + previous + "' (which ends at " + expected
                            + "), but its data_offsets are [" + e.begin + ", " + e.end + "]" + where);
                }
                if (e.begin > expected) {
                    throw fail("tensors must be contiguous, but '" + e.name + "' begins at " + e.begin
                            + " where " + expected + " was expected (a gap)" + where);
                }
                expected = e.end;
                previous = e.name;
            }
            if (expected != dataLen) {
                throw fail("data region must be exactly covered by the tensors (" + expected + " bytes), but got "
                        + dataLen + " bytes" + where);
            }
            // checksum of the whole data region, streamed
            String stored = metadata.get(SHA256_KEY);
            if (stored != null) {
                MessageDigest sha = sha256();
                ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(1, dataLen)));
                long pos = dataStart;
                while (pos < size) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), size - pos));
                    readFully(ch, chunk, pos, where);
                    chunk.flip();
                    pos += chunk.remaining();
                    sha.update(chunk);
                }
                String actual = HexFormat.of().formatHex(sha.digest());
                if (!actual.equalsIgnoreCase(stored)) {
                    throw fail("SHA-256 of the data region must match " + SHA256_KEY + " " + stored + ", but got "
                            + actual + " (checksum mismatch: the data is corrupted)" + where);
                }
            }
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                float[] data = new float[(int) e.numel];
                ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(4, e.end - e.begin)))
                        .order(ByteOrder.LITTLE_ENDIAN);
                long pos = dataStart + e.begin;
                int at = 0;
                while (at < data.length) {
                    int count = Math.min(buf.capacity() / 4, data.length - at);
                    buf.clear().limit(count * 4);
                    readFully(ch, buf, pos, where);
                    buf.flip().asFloatBuffer().get(data, at, count);
                    at += count;
                    pos += count * 4L;
                }
                tensors.put(e.name, new HostTensor(e.shape, data));
            }
            return Map.entry(tensors, metadata);
        }
    }

    private static Entry entry(String name, Object value, long dataLen, String where) throws CheckpointFormatException {
        String t = "tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> info)) {
            throw fail(t + " must be an object with dtype, shape and data_offsets, but got " + kind(value) + where);
        }
        for (Object key : info.keySet()) {
            if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                throw fail(t + " must have only the keys dtype, shape and data_offsets, but got '" + key + "'" + where);
            }
        }
        Object dtype = info.get("dtype");
        if (!"F32".equals(dtype)) {
            throw fail(t + " dtype must be F32 (the only dtype supported), but got "
                    + (dtype instanceof String s ? "unknown dtype \"" + s + "\"" : kind(dtype)) + where);
        }
        if (!(info.get("shape") instanceof List<?> dims)) {
            throw fail(t + " shape must be an array of integers, but got " + kind(info.get("shape")) + where);
        }
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw fail(t + " shape must hold integers in [0, " + Integer.MAX_VALUE + "], but got " + dims + where);
            }
            shape[i] = (int) (long) d;
            numel *= d;
            if (numel > Integer.MAX_VALUE) {
                throw fail(t + " element count must be <= " + Integer.MAX_VALUE + ", but got more for shape "
                        + dims + where);
            }
        }
        if (!(info.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long b) || !(off.get(1) instanceof Long e)) {
            throw fail(t + " data_offsets must be an array of two integers, but got " + kind(info.get("data_offsets"))
                    + " " + info.get("data_offsets") + where);
        }
        if (b < 0 || e < b || e > dataLen) {
            throw fail(t + " data_offsets must satisfy 0 <= begin <= end <= " + dataLen
                    + " (the data region), but got [" + b + ", " + e + "] (offsets outside the data region)" + where);
        }
        if (e - b != numel * 4) {
            throw fail(t + " byte size must equal 4 x the element count of shape " + Arrays.toString(shape) + " ("
                    + numel * 4 + "), but data_offsets [" + b + ", " + e + "] span " + (e - b) + " bytes" + where);
        }
        return new Entry(name, shape, numel, b, e);
    }

    private static String kind(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        return "a number";
    }

    /** Fills {@code b} from {@code pos}; the file was sized first, so an early end means it shrank meanwhile. */
    private static void readFully(FileChannel ch, ByteBuffer b, long pos, String where) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) {
                throw fail("file must hold " + b.remaining() + " more bytes at offset " + pos + ", but it ended"
                        + " (it shrank while being read)" + where);
            }
            pos += r;
        }
    }

    static CheckpointFormatException fail(String message) {
        return new CheckpointFormatException("Checkpoint.load: " + message);
    }

    static CheckpointFormatException fail(String message, Throwable cause) {
        return new CheckpointFormatException("Checkpoint.load: " + message, cause);
    }
}
