package org.cnn4j.cpu;

/**
 * The loops of {@link CpuRandom} and {@link CpuDropout} over one range of Philox blocks: {@link CpuPhiloxPlain}, or
 * {@code CpuPhiloxVector} where {@link CpuVectorSupport} enables the Vector API. Both give bit-identical results
 * (the normal transform uses {@link org.cnn4j.runtime.spi.Philox#normal} in both).
 *
 * <p>Element {@code i < len} of a range uses word {@code i % 4} of the Philox 4x32-10 block with key {@code (k0, k1)}
 * and counter {@code (lo32(q), hi32(q), 0, 0)}, {@code q = counter + i / 4}; a range starts at a block boundary.
 * Outputs may be inputs at the same offset (in place); other overlaps are not allowed.
 */
interface CpuPhilox {
    /** A short name for logs and test names. */
    String name();

    /** {@code y[yo + i] = low + range * u_i}, {@code u_i = Philox.uniform(word)}. */
    void uniform(long counter, int k0, int k1, float low, float range, float[] y, int yo, int len);

    /** {@code y[yo + i] = u_i < p ? 1 : 0}. */
    void bernoulli(long counter, int k0, int k1, float p, float[] y, int yo, int len);

    /** {@code y[yo + i] = mean + std * z_i}, {@code z_i = Philox.normal(block, i % 4)}. */
    void normal(long counter, int k0, int k1, float mean, float std, float[] y, int yo, int len);

    /** Element-wise inverted dropout: {@code y[yo + i] = u_i >= p ? x[xo + i] / keepScale : 0}. */
    @SuppressWarnings("java:S107")
    void dropout(long counter, int k0, int k1, float p, float keepScale, float[] x, int xo, float[] y, int yo, int len);

    /** The kernel {@link CpuVectorSupport} chooses, once per JVM. */
    static CpuPhilox best() {
        return Holder.BEST;
    }

    /** Defers the choice to the first use. */
    final class Holder {
        static final CpuPhilox BEST = CpuVectorSupport.choose("random", CpuPhilox.class, "org.cnn4j.cpu.CpuPhiloxVector",
                CpuPhiloxPlain::new);

        private Holder() {
        }
    }
}
