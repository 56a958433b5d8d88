package org.cnn4j.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the PyTorch reference vectors written by {@code src/test/python/make_op_vectors.py}; the format
 * is documented at the top of the file ({@code reference/ops.txt} on the test classpath):
 * <pre>
 *   case &lt;id&gt; &lt;op&gt; [&lt;key&gt;=&lt;value&gt; ...]
 *   tensor &lt;role&gt; &lt;shape: "d0,d1,..." or "scalar"&gt; &lt;values: float, nan, inf, -inf&gt; ...
 *   end
 * </pre>
 */
final class ReferenceVectors {
    /** The resource holding the vectors. */
    static final String RESOURCE = "/reference/ops.txt";

    private ReferenceVectors() {
    }

    /** One tensor of a case: its shape and row-major values. */
    record Vector(int[] shape, float[] values) {
    }

    /** One case: an op with its keys and its tensors by role ({@code a}, {@code b}, {@code out}). */
    record Case(String id, String op, Map<String, String> keys, Map<String, Vector> tensors) {
        /** The tensor with {@code role}, or an error naming the case. */
        Vector tensor(String role) {
            Vector v = tensors.get(role);
            if (v == null) {
                throw new IllegalStateException("reference case " + id + " has no tensor '" + role + "'");
            }
            return v;
        }

        /** The value of {@code key}, or an error naming the case. */
        String key(String key) {
            String v = keys.get(key);
            if (v == null) {
                throw new IllegalStateException("reference case " + id + " (" + op + ") has no key '" + key + "'");
            }
            return v;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    /** Every case of {@link #RESOURCE}, in file order. */
    static List<Case> load() {
        return load(RESOURCE, "make_op_vectors.py");
    }

    /** Every case of another vector file of the same format ({@code resource} on the test classpath), in file order. */
    static List<Case> load(String resource, String script) {
        InputStream in = ReferenceVectors.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource + " is not on the test classpath; run "
                    + "/usr/bin/python3 it-tests/src/test/python/" + script);
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            return parse(r);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource, e);
        }
    }

    static List<Case> parse(BufferedReader r) throws IOException {
        List<Case> cases = new ArrayList<>();
        String id = null;
        String op = null;
        Map<String, String> keys = null;
        Map<String, Vector> tensors = null;
        int lineNo = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] tok = line.trim().split(" ");
            switch (tok[0]) {
                case "case" -> {
                    if (id != null || tok.length < 3) {
                        throw error(lineNo, "'case <id> <op> [key=value ...]' outside a case", line);
                    }
                    id = tok[1];
                    op = tok[2];
                    keys = new LinkedHashMap<>();
                    tensors = new LinkedHashMap<>();
                    for (int i = 3; i < tok.length; i++) {
                        int eq = tok[i].indexOf('=');
                        if (eq < 1) {
                            throw error(lineNo, "key=value", line);
                        }
                        keys.put(tok[i].substring(0, eq), tok[i].substring(eq + 1));
                    }
                }
                case "tensor" -> {
                    if (id == null || tok.length < 3) {
                        throw error(lineNo, "'tensor <role> <shape> <values>' inside a case", line);
                    }
                    int[] shape = parseShape(tok[2]);
                    float[] values = new float[tok.length - 3];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = parseFloat(tok[3 + i]);
                    }
                    if (values.length != NaiveOps.numel(shape)) {
                        throw error(lineNo, NaiveOps.numel(shape) + " values for shape " + Arrays.toString(shape)
                                + ", got " + values.length, line);
                    }
                    tensors.put(tok[1], new Vector(shape, values));
                }
                case "end" -> {
                    if (id == null) {
                        throw error(lineNo, "'end' after a case", line);
                    }
                    cases.add(new Case(id, op, keys, tensors));
                    id = null;
                }
                default -> throw error(lineNo, "a line starting with case, tensor, end or #", line);
            }
        }
        if (id != null) {
            throw new IllegalStateException(RESOURCE + ": case " + id + " has no 'end'");
        }
        return cases;
    }

    static int[] parseShape(String s) {
        if (s.equals("scalar")) {
            return new int[0];
        }
        return Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    static float parseFloat(String s) {
        return switch (s) {
            case "nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(s);
        };
    }

    private static IllegalStateException error(int lineNo, String expected, String line) {
        String shown = line.length() > 80 ? line.substring(0, 80) + "..." : line;
        return new IllegalStateException(RESOURCE + " line " + lineNo + ": expected " + expected + ", but got: " + shown);
    }
}
