package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.Philox;

/**
 * The plain-Java dropout loop: one Philox block at a time ({@link CpuRandom#philox}) into a reused {@code int[4]}, then its
 * four elements. The reference the Vector API kernel ({@code CpuPhiloxVector}) is tested against, and what runs on a
 * JVM without the module.
 */
final class CpuPhiloxPlain implements CpuPhilox {
    @Override
    public String name() {
        return "plain";
    }

    /**
     * Selects {@code x / keepScale} or 0 with a bit mask rather than a branch (keep or drop is random, so a branch is
     * mispredicted often). A dropped NaN gives 0.
     */
    @Override
    @SuppressWarnings("java:S107")
    public void dropout(long counter, int k0, int k1, float p, float keepScale, float[] x, int xo, float[] y, int yo, int len) {
        int[] words = new int[4];
        for (int i = 0; i < len; i += 4) {
            CpuRandom.philox(counter + i / 4, k0, k1, words);
            for (int w = 0; w < 4 && i + w < len; w++) {
                int keep = -((Philox.uniform(words[w]) >= p) ? 1 : 0);
                y[yo + i + w] = Float.intBitsToFloat(Float.floatToRawIntBits(x[xo + i + w] / keepScale) & keep);
            }
        }
    }
}
