package org.cnn4j.cpu;

/**
 * The loop of {@link CpuDropout} over one range of Philox blocks: {@link CpuPhiloxPlain}, or {@code CpuPhiloxVector}
 * where {@link CpuVectorSupport} enables the Vector API. Both give bit-identical results. ({@link CpuRandom}, which
 * runs at initialisation, keeps its plain loop: until C2 compiles a vector kernel, the first calls run the Vector
 * API's Java fallback, measured 2.1 s against 0.12 s for a first normal fill of 1.6M elements.)
 *
 * <p>Element {@code i < len} of a range uses word {@code i % 4} of the Philox 4x32-10 block with key {@code (k0, k1)}
 * and counter {@code (lo32(q), hi32(q), 0, 0)}, {@code q = counter + i / 4}; a range starts at a block boundary.
 * Outputs may be inputs at the same offset (in place); other overlaps are not allowed.
 */
interface CpuPhilox {
    /** A short name for logs and test names. */
    String name();

    /** Element-wise inverted dropout: {@code y[yo + i] = u_i >= p ? x[xo + i] / keepScale : 0}. */
    @SuppressWarnings("java:S107")
    void dropout(long counter, int k0, int k1, float p, float keepScale, float[] x, int xo, float[] y, int yo, int len);

    /** The kernel {@link CpuVectorSupport} chooses, once per JVM. */
    static CpuPhilox best() {
        return Holder.BEST;
    }

    /** Defers the choice to the first use. */
    final class Holder {
        static final CpuPhilox BEST = CpuVectorSupport.choose("dropout", CpuPhilox.class, "org.cnn4j.cpu.CpuPhiloxVector",
                CpuPhiloxPlain::new);

        private Holder() {
        }
    }
}
