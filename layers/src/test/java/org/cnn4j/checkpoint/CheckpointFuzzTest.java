package org.cnn4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.testing.ByteMutator;
import org.cnn4j.runtime.testing.ByteMutator.Mutant;
import org.cnn4j.runtime.testing.FuzzTally;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of {@link Checkpoint#load(Path)} and {@link Checkpoint#loadInto}: a valid
 * checkpoint of a small model (plus a scalar and an empty tensor) is mutated thousands of times, a third
 * of the cases at the byte level ({@link ByteMutator}), a third by edits of the JSON header that keep the
 * file well framed (offsets outside the file, overlapping ranges, unknown dtypes, shapes that do not match
 * the data or the model, missing or extra entries, checksum edits, deep nesting, stray characters) and a
 * third with the 8-byte header length set to extreme or nearly right values. Every load must succeed or
 * throw {@link CheckpointFormatException} naming the file, allocating no more than a fixed multiple of the
 * file size; every loaded checkpoint must then load into the model or be refused with an
 * {@link IllegalArgumentException}. Prints a one-line summary per stage.
 */
class CheckpointFuzzTest {
    static final long SEED = Long.getLong("cnn4j.fuzz.seed", 0x5EEDL) + 2;
    static final int CASES = Integer.getInteger("cnn4j.fuzz.cases", 2000);
    private static final long SLACK = 1 << 20;
    /** One tensor entry as the library writes it: name, shape, begin, end. */
    private static final Pattern ENTRY = Pattern.compile(
            "\"([^\"]+)\":\\{\"dtype\":\"F32\",\"shape\":\\[([0-9,]*)\\],\"data_offsets\":\\[(\\d+),(\\d+)\\]\\}");
    private static final Pattern SHA = Pattern.compile(",\"cnn4j\\.sha256\":\"[0-9a-f]+\"");
    private static final String[] DTYPES = {"\"F64\"", "\"F16\"", "\"BF16\"", "\"I32\"", "\"U8\"", "\"BOOL\"",
        "\"f32\"", "\"F32 \"", "\"\"", "32", "null", "[\"F32\"]", "{\"F32\":1}"};
    private static final String[] SHAPES = {"[]", "[0]", "[-1]", "[1.5]", "[\"3\"]", "[2147483647]",
        "[2147483647,2147483647]", "[4294967296]", "[9223372036854775807,2]", "null", "3"};
    private static final String JSON_CHARS = "{}[]\":,0123456789-.eE \\tfnu\u00e9";

    @TempDir
    Path dir;

    @Test
    @Timeout(60)
    void loadAndLoadIntoAcceptOrRefuseEveryMutantCleanly() throws IOException {
        Path f = dir.resolve("fuzz.safetensors");
        try (Sequential net = CheckpointModuleTest.net()) {
            Map<String, HostTensor> extra = new LinkedHashMap<>();
            extra.put("step", new HostTensor(new int[] {}, new float[] {3}));
            extra.put("empty", new HostTensor(new int[] {0, 4}, new float[0]));
            Checkpoint.builder().model(net).hostSection("optimizer", extra).metadata("epoch", "3").build().save(f);
            byte[] valid = Files.readAllBytes(f);
            assertEquals(extra, Checkpoint.load(f, net).section("optimizer"), "the unmutated file must load");
            int n = (int) ByteBuffer.wrap(valid, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            String header = new String(valid, 8, n, StandardCharsets.UTF_8);
            byte[] data = java.util.Arrays.copyOfRange(valid, 8 + n, valid.length);
            assertTrue(ENTRY.matcher(header).find() && SHA.matcher(header).find(), header);

            ByteMutator m = new ByteMutator(SEED);
            Random r = m.random();
            FuzzTally file = new FuzzTally("Checkpoint.load", List.of(CheckpointFormatException.class));
            FuzzTally model = new FuzzTally("Checkpoint.loadInto (loaded mutants)", List.of(IllegalArgumentException.class));
                for (int i = 0; i < CASES; i++) {
                Mutant mu = switch (i % 3) {
                    case 0 -> m.mutate(valid);
                    case 1 -> headerEdit(r, header, data);
                    default -> lengthEdit(m, valid, n);
                };
                Path mutant = FuzzTally.caseFile(dir, i, "mutant.safetensors", mu.bytes());
                Checkpoint[] loaded = new Checkpoint[1];
                file.run(mu.description(), mutant.toString(), 64L * mu.bytes().length + SLACK,
                        () -> loaded[0] = Checkpoint.load(mutant));
                Files.delete(mutant);
                if (loaded[0] != null) {
                    model.run(mu.description(), "Checkpoint.loadInto: ", Long.MAX_VALUE, () -> loaded[0].loadInto(net));
                }
            }
            System.out.println(file.summary());
            System.out.println(model.summary());
            var counts = file.counts();
            assertTrue(counts.getOrDefault("loaded", 0) > 0 && counts.getOrDefault("refused CheckpointFormatException", 0)
                    > CASES / 2, "the fuzzer must reach both outcomes: " + counts);
            assertTrue(model.counts().getOrDefault("refused IllegalArgumentException", 0) > 0,
                    "some loaded mutants must not fit the model: " + model.counts());
        }
    }

    /** The file {@code 8-byte length, header, data} with the length of this header. */
    static byte[] frame(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).put(data).array();
    }

    /** The valid file with its header length {@code n} set to an extreme value or to {@code n} off by a little. */
    private static Mutant lengthEdit(ByteMutator m, byte[] valid, int n) {
        Random r = m.random();
        long value = r.nextBoolean() ? m.extreme() : n + (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(16));
        return new Mutant("header length set to " + value,
                ByteMutator.putField(valid, 0, 8, ByteOrder.LITTLE_ENDIAN, value));
    }

    /** A header edit that keeps the file well framed (the length field matches the edited header). */
    private static Mutant headerEdit(Random r, String header, byte[] data) {
        List<Entry> entries = new ArrayList<>();
        for (Matcher mt = ENTRY.matcher(header); mt.find(); ) {
            entries.add(new Entry(mt.start(), mt.end(), mt.group(1), mt.group(2),
                    Long.parseLong(mt.group(3)), Long.parseLong(mt.group(4)), mt.start(2), mt.start(3)));
        }
        Entry e = entries.get(r.nextInt(entries.size()));
        String t = "tensor '" + e.name + "'";
        String h;
        String what;
        switch (r.nextInt(9)) {
            case 0 -> {
                long[] bad = {data.length + 4L, data.length + 4096L, 1L << 40, Long.MAX_VALUE};
                long end = bad[r.nextInt(bad.length)];
                long begin = r.nextBoolean() ? e.begin : -4L * (1 + r.nextInt(4));
                h = offsets(header, e, begin, r.nextInt(3) == 0 ? e.begin - 4 : end);
                what = t + " offsets moved outside the data region";
            }
            case 1 -> {
                Entry o = entries.get(r.nextInt(entries.size()));
                boolean copy = r.nextBoolean();
                long shift = 4L * (1 + r.nextInt(8));
                h = copy ? offsets(header, e, o.begin, o.end) : offsets(header, e, e.begin - shift, e.end - shift);
                what = t + (copy ? " offsets copied from '" + o.name + "'" : " offsets shifted down by " + shift);
            }
            case 2 -> {
                String dtype = DTYPES[r.nextInt(DTYPES.length)];
                h = header.substring(0, e.from) + header.substring(e.from, e.to).replace("\"F32\"", dtype)
                        + header.substring(e.to);
                what = t + " dtype set to " + dtype;
            }
            case 3 -> {
                String shape = shapeEdit(r, e.shape);
                h = header.substring(0, e.shapeAt - 1) + shape + header.substring(e.shapeAt + e.shape.length() + 1);
                what = t + " shape [" + e.shape + "] set to " + shape;
            }
            case 4 -> {
                int end = header.charAt(e.to) == ',' ? e.to + 1 : e.to;
                h = header.substring(0, e.from) + header.substring(end);
                what = t + " removed";
            }
            case 5 -> {
                String[] inserts = {header.substring(e.from, e.to) + ",", "\"x\":{\"dtype\":\"F32\",\"shape\":[0],"
                        + "\"data_offsets\":[0,0],\"extra\":1},", "\"" + "[".repeat(100) + "\":1,",
                    "\"deep\":" + "[".repeat(100) + "]".repeat(100) + ",", "\"__metadata__\":[],", "\"n\":null,"};
                int k = r.nextInt(inserts.length);
                h = "{" + inserts[k] + header.substring(1);
                what = "inserted " + (k == 0 ? "a duplicate of " + t : "entry " + k);
            }
            case 6 -> {
                Matcher sha = SHA.matcher(header);
                sha.find();
                byte[] d = data.clone();
                d[r.nextInt(d.length)] ^= (byte) (1 << r.nextInt(8));
                return new Mutant("checksum removed and a data bit flipped", frame(sha.replaceFirst(""), d));
            }
            case 7 -> {
                Matcher sha = SHA.matcher(header);
                sha.find();
                int at = sha.end() - 2 - r.nextInt(64);
                h = header.substring(0, at) + (header.charAt(at) == '0' ? '1' : '0') + header.substring(at + 1);
                what = "checksum digit " + at + " changed";
            }
            default -> {
                int at = r.nextInt(header.length());
                int op = r.nextInt(3);
                String c = String.valueOf(JSON_CHARS.charAt(r.nextInt(JSON_CHARS.length())));
                h = header.substring(0, at) + (op == 2 ? "" : c) + header.substring(op == 1 ? at : at + 1);
                what = (op == 0 ? "replaced" : op == 1 ? "inserted" : "deleted") + " character at " + at + " ('" + c + "')";
            }
        }
        return new Mutant("header edit: " + what, frame(h, data));
    }

    private static String offsets(String header, Entry e, long begin, long end) {
        return header.substring(0, e.offsetsAt - 1) + "[" + begin + "," + end + "]}" + header.substring(e.to);
    }

    private static String shapeEdit(Random r, String dims) {
        List<String> d = new ArrayList<>(dims.isEmpty() ? List.of() : List.of(dims.split(",")));
        switch (r.nextInt(5)) {
            case 0 -> d.add(r.nextInt(d.size() + 1), "1");       // same size, another rank: the model refuses it
            case 1 -> java.util.Collections.reverse(d);         // same size, maybe another shape
            case 2 -> {
                if (d.isEmpty()) {
                    d.add("2");
                } else {
                    d.set(0, Long.toString(Long.parseLong(d.get(0)) * 2)); // twice the data
                }
            }
            case 3 -> {
                if (!d.isEmpty()) {
                    d.remove(r.nextInt(d.size()));
                }
            }
            default -> {
                return SHAPES[r.nextInt(SHAPES.length)];
            }
        }
        return "[" + String.join(",", d) + "]";
    }

    /** Where one entry lies in the header, and its values. */
    private record Entry(int from, int to, String name, String shape, long begin, long end,
                               int shapeAt, int offsetsAt) {
    }
}
