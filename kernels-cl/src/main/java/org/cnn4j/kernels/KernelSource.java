package org.cnn4j.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the {@code .cl} files shipped as resources under {@code org/cnn4j/kernels/}; each is read once. A line
 * {@code #include "name"} is replaced by the resource {@code name} from the same folder (a program is built from one
 * string, so the OpenCL compiler has no folder to search): {@code vector_width.clh} holds what the vector kernels share.
 * Build logs count lines in the expanded text.
 */
final class KernelSource {
    private static final String ROOT = "/org/cnn4j/kernels/";
    private static final Map<String, String> SOURCES = new ConcurrentHashMap<>();
    private static final Pattern INCLUDE = Pattern.compile("\\s*#include\\s+\"([^\"/]+)\"\\s*");

    private KernelSource() {
    }

    /**
     * The source text of {@code file}, e.g. {@code gemm.cl}.
     *
     * @throws IllegalStateException when the resource is missing from the jar
     */
    static String load(String file) {
        return SOURCES.computeIfAbsent(file, KernelSource::read);
    }

    private static String read(String file) {
        String[] lines = readResource(file).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher include = INCLUDE.matcher(lines[i]);
            if (include.matches()) {
                lines[i] = readResource(include.group(1));
            }
        }
        return String.join("\n", lines);
    }

    private static String readResource(String file) {
        try (InputStream in = KernelSource.class.getResourceAsStream(ROOT + file)) {
            if (in == null) {
                throw new IllegalStateException("KernelSource.load: resource " + ROOT + file
                        + " must be on the class path, but it is missing (cnn4j-kernels-cl jar incomplete?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("KernelSource.load: cannot read " + ROOT + file, e);
        }
    }
}
