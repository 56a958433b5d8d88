package org.cnn4j.runtime.opencl;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The on-disk cache of compiled program binaries, one file per key. Nothing read from it is trusted:
 * an entry is used only when its magic, format version, key, length and SHA-256 all check out, and
 * even then the caller falls back to the source when the driver rejects the binary.
 *
 * <p>Entry layout (big-endian): {@code "CNN4JCLB"} (8 bytes), format version (int), key (32 bytes),
 * SHA-256 of the binary (32 bytes), binary length (long), binary. Files are written to a temporary
 * file in the same directory and renamed atomically into place.
 *
 * <p>Location: system property {@code cnn4j.kernelCache}, else environment variable
 * {@code CNN4J_KERNEL_CACHE}, else {@code ${user.home}/.cache/cnn4j/kernels}; the value {@code none}
 * turns the disk cache off.
 */
public final class BinaryCache {
    /** System property naming the cache directory, or {@code none}. */
    public static final String PROPERTY = "cnn4j.kernelCache";
    /** Environment variable naming the cache directory, or {@code none}; the property wins. */
    public static final String ENVIRONMENT = "CNN4J_KERNEL_CACHE";
    /** Format version written into, and required of, every entry. */
    public static final int FORMAT_VERSION = 1;

    private static final Logger LOG = LoggerFactory.getLogger(BinaryCache.class);
    private static final byte[] MAGIC = "CNN4JCLB".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST_BYTES = 32;
    private static final int HEADER_BYTES = MAGIC.length + 4 + DIGEST_BYTES + DIGEST_BYTES + 8;
    private static final AtomicBoolean WARNED_UNWRITABLE = new AtomicBoolean();

    private final Path directory;
    private volatile boolean writable = true;

    /**
     * What a lookup found: a verified binary, nothing, or an entry rejected for a reason.
     *
     * @param binary the verified binary, or null
     * @param rejection why an existing entry was rejected, or null
     */
    public record Lookup(byte[] binary, String rejection) {
        /** Whether no entry existed. */
        public boolean isMiss() {
            return binary == null && rejection == null;
        }
    }

    /** @param directory where entries live; created on first write */
    public BinaryCache(Path directory) {
        this.directory = directory;
    }

    /** The directory configured by {@value #PROPERTY}, {@value #ENVIRONMENT} or the default; empty when it is {@code none}. */
    public static Optional<Path> configuredDirectory() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(ENVIRONMENT);
        }
        if (value == null || value.isBlank()) {
            return Optional.of(Paths.get(System.getProperty("user.home"), ".cache", "cnn4j", "kernels"));
        }
        return "none".equalsIgnoreCase(value.trim()) ? Optional.empty() : Optional.of(Paths.get(value.trim()));
    }

    /** The directory entries live in. */
    public Path directory() {
        return directory;
    }

    /** The entry file for kernel file {@code file} under {@code key}: {@code <stem>-<hex key>.clbin}. */
    public Path fileFor(String file, byte[] key) {
        String stem = file.endsWith(".cl") ? file.substring(0, file.length() - 3) : file;
        return directory.resolve(stem.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + HexFormat.of().formatHex(key) + ".clbin");
    }

    /** Reads and verifies the entry for {@code key}; never throws. */
    public Lookup load(String file, byte[] key) {
        Path path = fileFor(file, key);
        byte[] entry;
        try {
            entry = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return new Lookup(null, null);
        } catch (IOException | RuntimeException e) {
            return new Lookup(null, "cannot read " + path + ": " + e);
        }
        Lookup result = decode(entry, key);
        return result.rejection() == null ? result : new Lookup(null, path + ": " + result.rejection());
    }

    /**
     * Writes the entry for {@code key} atomically. An unwritable directory is reported at WARN once per
     * process and disables writing for this cache; never throws.
     *
     * @return whether the entry was written
     */
    public boolean store(String file, byte[] key, byte[] binary) {
        if (!writable) {
            return false;
        }
        Path target = fileFor(file, key);
        Path temp = null;
        try {
            Files.createDirectories(directory);
            temp = Files.createTempFile(directory, target.getFileName().toString(), ".tmp");
            Files.write(temp, encode(key, binary));
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return true;
        } catch (AtomicMoveNotSupportedException e) {
            disable("the file system cannot rename atomically (" + e.getMessage() + ")");
        } catch (IOException | RuntimeException e) {
            disable(e.toString());
        } finally {
            deleteQuietly(temp);
        }
        return false;
    }

    private void disable(String reason) {
        writable = false;
        if (WARNED_UNWRITABLE.compareAndSet(false, true)) {
            LOG.warn("Kernel binary cache {} is not writable, continuing without it: {}", directory, reason);
        } else {
            LOG.debug("Kernel binary cache {} is not writable: {}", directory, reason);
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                LOG.debug("Cannot delete temporary cache file {}: {}", temp, e.toString());
            }
        }
    }

    /** The bytes of an entry holding {@code binary} under {@code key}. */
    public static byte[] encode(byte[] key, byte[] binary) {
        if (key.length != DIGEST_BYTES) {
            throw new IllegalArgumentException("BinaryCache.encode: key must have " + DIGEST_BYTES + " bytes, but got "
                    + key.length);
        }
        return ByteBuffer.allocate(HEADER_BYTES + binary.length)
                .put(MAGIC).putInt(FORMAT_VERSION).put(key).put(sha256(binary)).putLong(binary.length).put(binary)
                .array();
    }

    /** Verifies an entry against {@code expectedKey}; the result holds the binary or the reason it was rejected. */
    public static Lookup decode(byte[] entry, byte[] expectedKey) {
        if (entry.length < HEADER_BYTES) {
            return new Lookup(null, "entry too short (" + entry.length + " bytes, header needs " + HEADER_BYTES + ")");
        }
        ByteBuffer in = ByteBuffer.wrap(entry);
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            return new Lookup(null, "bad magic");
        }
        int version = in.getInt();
        if (version != FORMAT_VERSION) {
            return new Lookup(null, "format version " + version + ", expected " + FORMAT_VERSION);
        }
        byte[] key = new byte[DIGEST_BYTES];
        in.get(key);
        if (!MessageDigest.isEqual(key, expectedKey)) {
            return new Lookup(null, "key mismatch");
        }
        byte[] digest = new byte[DIGEST_BYTES];
        in.get(digest);
        long length = in.getLong();
        if (length != in.remaining()) {
            return new Lookup(null, "binary length " + length + " but " + in.remaining() + " bytes follow the header");
        }
        byte[] binary = new byte[(int) length];
        in.get(binary);
        if (!MessageDigest.isEqual(digest, sha256(binary))) {
            return new Lookup(null, "SHA-256 of the binary does not match");
        }
        return new Lookup(binary, null);
    }

    /** SHA-256 of {@code bytes}. */
    public static byte[] sha256(byte[] bytes) {
        return digest().digest(bytes);
    }

    /** A fresh SHA-256 digest. */
    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
