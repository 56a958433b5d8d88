package org.cnn4j.runtime.spi;

/**
 * Counter-based random numbers from Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as
 * 1, 2, 3", SC 2011), computed identically by every backend so that a seeded tensor is the same
 * everywhere.
 *
 * <p>Element {@code i} of a call with {@code (seed, offset)} uses the Philox block with key
 * {@code (lo32(seed), hi32(seed))} and counter {@code (lo32(q), hi32(q), 0, 0)}, {@code q = offset + i / 4},
 * and takes output word {@code w = i % 4}. {@link Philox} is the reference implementation and
 * documents the conversions to floats. A call consumes {@code ceil(n / 4)} counters.
 */
public interface RandomOps {
    /** {@code y[i] = low + (high - low) * u_i}, {@code u_i} uniform in [0, 1) (see {@link Philox#uniform}). */
    void uniform(long n, long seed, long offset, float low, float high, DeviceMemory y, long yOff);

    /** {@code y[i] = u_i < p ? 1 : 0}: 1 with probability {@code p}. */
    void bernoulli(long n, long seed, long offset, float p, DeviceMemory y, long yOff);

    /** {@code y[i] = mean + std * z_i}, {@code z_i} standard normal by Box-Muller (see {@link Philox#normal}). */
    void normal(long n, long seed, long offset, float mean, float std, DeviceMemory y, long yOff);
}
