package org.cnn4j.runtime;

import java.security.SecureRandom;
import org.cnn4j.runtime.spi.Philox;

/**
 * A seeded stream of random numbers for tensors, backed by Philox 4x32-10 (see
 * {@link org.cnn4j.runtime.spi.RandomOps}). A draw of {@code n} elements takes the next
 * {@code ceil(n / 4)} counters, so the same seed and the same sequence of draws give the same tensors on
 * every backend. Thread-safe.
 */
public final class Generator {
    private static volatile Generator global = new Generator(initialGlobalSeed());

    private final long seed;
    private long offset;

    /** A generator with the given seed, at the start of its stream. */
    public Generator(long seed) {
        this.seed = seed;
    }

    private static long initialGlobalSeed() {
        String s = System.getProperty("cnn4j.seed");
        return s != null ? Long.parseLong(s.trim()) : new SecureRandom().nextLong();
    }

    /** The process-wide default generator (seeded from {@code -Dcnn4j.seed} or at random). */
    public static Generator global() {
        return global;
    }

    /** Replaces the global generator with a fresh one at {@code seed}, like {@code torch.manual_seed}. */
    public static void manualSeed(long seed) {
        global = new Generator(seed);
    }

    /** The seed (the Philox key). */
    public long seed() {
        return seed;
    }

    /** The next counter to be used. */
    public synchronized long offset() {
        return offset;
    }

    /** Moves the stream to {@code offset} (e.g. to restore a checkpoint). */
    public synchronized void setOffset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Generator.setOffset: offset must be >= 0, but got " + offset);
        }
        this.offset = offset;
    }

    /** Reserves the counters for {@code n} elements and returns the first one. */
    public synchronized long reserve(long n) {
        long first = offset;
        offset += Philox.countersFor(n);
        return first;
    }

    @Override
    public synchronized String toString() {
        return "Generator[seed=" + seed + ", offset=" + offset + "]";
    }
}
