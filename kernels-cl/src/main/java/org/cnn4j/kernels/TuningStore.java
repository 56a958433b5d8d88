package org.cnn4j.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tuning choices kept on disk beside the kernel binaries: one properties file per device and kernel
 * source ({@code name-<key>.properties}), mapping a shape key to the id of the chosen variant. The file
 * is only advice: whoever reads a value checks that it names a variant that exists and fits the device,
 * and re-tunes otherwise. Writes go to a temporary file that is renamed into place, so a reader never
 * sees half a file; an unreadable or unwritable file is logged at DEBUG and tuning goes on in memory.
 */
final class TuningStore {
    private static final Logger LOG = LoggerFactory.getLogger(TuningStore.class);

    private final Path file;
    private final Map<String, String> entries = new TreeMap<>();

    /** @param file the properties file; null keeps the choices in memory only */
    TuningStore(Path file) {
        this.file = file;
        if (file != null && Files.isRegularFile(file)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
                for (String key : p.stringPropertyNames()) {
                    entries.put(key, p.getProperty(key));
                }
            } catch (IOException | IllegalArgumentException e) {
                LOG.debug("Tuning file {} is unreadable, tuning again: {}", file, e.toString());
                entries.clear();
            }
        }
    }

    /** The file, or null when there is none. */
    Path file() {
        return file;
    }

    /** The stored value for {@code key}, or null. */
    synchronized String get(String key) {
        return entries.get(key);
    }

    /** Records {@code key = value} and rewrites the file atomically. */
    synchronized void put(String key, String value) {
        entries.put(key, value);
        if (file == null) {
            return;
        }
        Path temp = null;
        try {
            Files.createDirectories(file.getParent());
            temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Properties p = new Properties();
            p.putAll(entries);
            try (OutputStream out = Files.newOutputStream(temp)) {
                p.store(out, "cnn4j kernel tuning: shape = chosen variant (advice only; checked on load)");
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            LOG.debug("Tuning file {} is not writable, keeping choices in memory: {}", file, e.toString());
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }
}
