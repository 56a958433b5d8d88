package org.cnn4j.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.cnn4j.layers.Module;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;

/**
 * A training checkpoint: named sections of float32 tensors (by convention {@code "model"}, the
 * {@link Module#stateDict()}, and {@code "optimizer"}, an optimizer's state) plus string metadata, stored
 * as a <a href="https://github.com/huggingface/safetensors">safetensors</a> file that PyTorch can open
 * ({@code safetensors.torch.load_file}). Each tensor is stored under the key {@code section/name}, e.g.
 * {@code model/0.weight} or {@code optimizer/0.exp_avg} (the first parameter's Adam moment); the SHA-256 of the data region is stored
 * in the metadata as {@code cnn4j.sha256} and checked on load.
 *
 * <p>{@link #save(Path)} is atomic: it writes a temporary file in the same directory, forces it to disk
 * and renames it over the target, so an interrupted save leaves the previous checkpoint intact.
 * {@link #load(Path)} validates everything (header size, JSON, dtype, shapes, offsets, contiguity,
 * checksum) and reads all the data into host memory before returning; it never executes code from the
 * file. The optimizers module is not a dependency of this one, so optimizer state travels as a plain map.
 *
 * <pre>{@code
 * Checkpoint.builder().model(net).section("optimizer", adam.stateDict()).metadata("epoch", "7").build()
 *     .save(Path.of("ckpt.safetensors"));
 * Checkpoint ck = Checkpoint.load(Path.of("ckpt.safetensors"));
 * ck.loadInto(net);          // strict; the model is unchanged if anything mismatches
 * }</pre>
 */
public final class Checkpoint {
    /** Section that holds a module's state dict. */
    public static final String MODEL = "model";
    /** Section that holds an optimizer's state. */
    public static final String OPTIMIZER = "optimizer";

    private final Map<String, Map<String, HostTensor>> sections;
    private final Map<String, String> metadata;

    private Checkpoint(Map<String, Map<String, HostTensor>> sections, Map<String, String> metadata) {
        Map<String, Map<String, HostTensor>> copy = new LinkedHashMap<>();
        sections.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        this.sections = Collections.unmodifiableMap(copy);
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** A builder for a new checkpoint. */
    public static Builder builder() {
        return new Builder();
    }

    /** Section names, in file order. */
    public Set<String> sections() {
        return sections.keySet();
    }

    /** True if the checkpoint holds {@code section}. */
    public boolean hasSection(String section) {
        return sections.containsKey(section);
    }

    /**
     * The tensors of {@code section} by name (host copies; read-only map).
     *
     * @throws IllegalArgumentException if there is no such section
     */
    public Map<String, HostTensor> section(String section) {
        Map<String, HostTensor> s = sections.get(section);
        if (s == null) {
            throw new IllegalArgumentException("Checkpoint.section: section must be one of " + sections.keySet()
                    + ", but got '" + section + "'");
        }
        return s;
    }

    /**
     * The tensors of {@code section} as new tensors on {@code device}, owned by the current scope if one is
     * open (else by the caller, who closes them).
     */
    public Map<String, Tensor> tensors(String section, Device device) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            section(section).forEach((n, h) -> out.put(n, h.toTensor(device)));
        } catch (RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
        return out;
    }

    /** The user metadata (without the reserved {@code cnn4j.*} entries). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Copies the {@code "model"} section into {@code module} through {@link Module#loadStateDict}: strict
     * (every entry present, none unexpected, every shape equal) and all-or-nothing, so a mismatch leaves the
     * module unchanged.
     *
     * @throws IllegalArgumentException naming the first missing, unexpected or mismatched entry
     */
    public void loadInto(Module module) {
        loadInto(MODEL, module);
    }

    /** As {@link #loadInto(Module)}, from {@code section}. */
    public void loadInto(String section, Module module) {
        String op = "Checkpoint.loadInto";
        if (!sections.containsKey(section)) {
            throw new IllegalArgumentException(op + ": checkpoint must have section '" + section + "', but got sections "
                    + sections.keySet());
        }
        Map<String, HostTensor> state = sections.get(section);
        Map<String, Tensor> own = module.stateDict();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            HostTensor h = state.get(e.getKey());
            if (h == null) {
                throw new IllegalArgumentException(op + ": section '" + section + "' must contain '" + e.getKey() + "' "
                        + e.getValue().shape() + ", but it is missing");
            }
            if (!java.util.Arrays.equals(h.shapeNoCopy(), e.getValue().shape().toArray())) {
                throw new IllegalArgumentException(op + ": '" + e.getKey() + "' must have shape " + e.getValue().shape()
                        + ", but got " + java.util.Arrays.toString(h.shapeNoCopy()));
            }
        }
        for (String name : state.keySet()) {
            if (!own.containsKey(name)) {
                throw new IllegalArgumentException(op + ": section '" + section + "' must hold only this module's "
                        + "entries, but got unexpected '" + name + "' (known: " + own.keySet() + ")");
            }
        }
        Device device = own.isEmpty() ? Device.defaultDevice() : own.values().iterator().next().device();
        try (Scope scope = Scope.open()) {
            module.loadStateDict(tensors(section, device));
        }
    }

    /**
     * Writes this checkpoint to {@code file} atomically (see the class javadoc).
     *
     * @throws IOException if writing fails; the previous file at {@code file}, if any, is then unchanged
     */
    public void save(Path file) throws IOException {
        save(file, Safetensors.WriteHook.NONE);
    }

    void save(Path file, Safetensors.WriteHook hook) throws IOException {
        Map<String, HostTensor> flat = new LinkedHashMap<>();
        sections.forEach((s, m) -> m.forEach((n, t) -> flat.put(s + "/" + n, t)));
        Safetensors.write(file, flat, metadata, hook);
    }

    /** Saves {@code module}'s state dict as the {@code "model"} section of a new checkpoint at {@code file}. */
    public static void save(Path file, Module module) throws IOException {
        builder().model(module).build().save(file);
    }

    /**
     * Reads and fully validates the checkpoint at {@code file}.
     *
     * @throws CheckpointFormatException naming the first problem: a header length larger than the file or
     *     than {@value Safetensors#MAX_HEADER} bytes, malformed JSON, an unknown dtype, a shape that does not
     *     match its byte size, offsets outside the data region, overlapping or non-contiguous tensors, a
     *     checksum mismatch, or a key without a section
     * @throws IOException if the file cannot be read
     */
    public static Checkpoint load(Path file) throws IOException {
        var read = Safetensors.read(file);
        Map<String, Map<String, HostTensor>> sections = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : read.getKey().entrySet()) {
            String key = e.getKey();
            int slash = key.indexOf('/');
            if (slash <= 0 || slash == key.length() - 1) {
                throw Safetensors.fail("tensor key must have the form section/name, but got '" + key + "' (file "
                        + file + ")");
            }
            sections.computeIfAbsent(key.substring(0, slash), k -> new LinkedHashMap<>()).put(key.substring(slash + 1),
                    e.getValue());
        }
        Map<String, String> metadata = new LinkedHashMap<>(read.getValue());
        metadata.keySet().removeIf(k -> k.startsWith("cnn4j."));
        return new Checkpoint(sections, metadata);
    }

    /**
     * Loads the checkpoint at {@code file} and copies its {@code "model"} section into {@code module}; on any
     * problem the module is unchanged.
     *
     * @throws CheckpointFormatException as {@link #load(Path)}
     * @throws IllegalArgumentException as {@link #loadInto(Module)}, with the file named in the message
     * @throws IOException if the file cannot be read
     */
    public static Checkpoint load(Path file, Module module) throws IOException {
        Checkpoint ck = load(file);
        try {
            ck.loadInto(module);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (file " + file + ")", e);
        }
        return ck;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Checkpoint(");
        sections.forEach((s, m) -> b.append(s).append('=').append(m.size()).append(" tensors, "));
        return b.append("metadata=").append(metadata.keySet()).append(')').toString();
    }

    /** Collects sections and metadata for a new {@link Checkpoint}. */
    public static final class Builder {
        private final Map<String, Map<String, HostTensor>> sections = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Builder() {
        }

        /** Adds {@code module}'s state dict as the {@code "model"} section (copied to the host now). */
        public Builder model(Module module) {
            return section(MODEL, module.stateDict());
        }

        /**
         * Adds {@code tensors} (copied to the host now) as {@code section}.
         *
         * @throws IllegalArgumentException if the section name is empty, contains '/', or is already present
         */
        public Builder section(String section, Map<String, Tensor> tensors) {
            Map<String, HostTensor> host = new LinkedHashMap<>();
            tensors.forEach((n, t) -> host.put(n, HostTensor.of(t)));
            return hostSection(section, host);
        }

        /** Adds host tensors as {@code section}; see {@link #section(String, Map)}. */
        public Builder hostSection(String section, Map<String, HostTensor> tensors) {
            if (section == null || section.isEmpty() || section.contains("/") || sections.containsKey(section)) {
                throw new IllegalArgumentException("Checkpoint.Builder.section: section name must be non-empty, without "
                        + "'/' and unique, but got '" + section + "'");
            }
            for (String n : tensors.keySet()) {
                if (n == null || n.isEmpty() || n.equals(Safetensors.METADATA)) {
                    throw new IllegalArgumentException("Checkpoint.Builder.section: tensor name must be non-empty, but got '"
                            + n + "' (section '" + section + "')");
                }
            }
            sections.put(section, new LinkedHashMap<>(tensors));
            return this;
        }

        /**
         * Adds a metadata entry.
         *
         * @throws IllegalArgumentException if the key is empty or reserved (starts with {@code cnn4j.}), or a
         *     value is null
         */
        public Builder metadata(String key, String value) {
            if (key == null || key.isEmpty() || key.startsWith("cnn4j.") || value == null) {
                throw new IllegalArgumentException("Checkpoint.Builder.metadata: key must be non-empty and not start with "
                        + "'cnn4j.' and value non-null, but got '" + key + "' = " + value);
            }
            metadata.put(key, value);
            return this;
        }

        /** The checkpoint. */
        public Checkpoint build() {
            return new Checkpoint(sections, metadata);
        }
    }
}
