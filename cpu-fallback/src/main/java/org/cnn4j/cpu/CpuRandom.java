package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.Philox;
import org.cnn4j.runtime.spi.RandomOps;

/**
 * Counter-based random numbers on the CPU, bit-identical to {@link Philox}: element {@code i} of a call
 * with {@code (seed, offset)} takes word {@code i % 4} of the Philox 4x32-10 block with key
 * {@code (lo32(seed), hi32(seed))} and counter {@code (lo32(q), hi32(q), 0, 0)}, {@code q = offset + i / 4}.
 * Each block is computed once for its four elements, in parallel over blocks, into a reused
 * {@code int[4]} (see {@link #philox}).
 */
final class CpuRandom implements RandomOps {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    /** Blocks (of four elements) below which a call runs on the calling thread. */
    private static final long GRAIN = 1L << 12;

    /** What one element becomes, given its block's four words and its slot in the block. */
    @FunctionalInterface
    private interface Transform {
        float apply(int[] words, int w);
    }

    /** {@code y[i] = low + (high - low) * u_i}, {@code u_i = (w >>> 8) * 2^-24} in [0, 1). */
    @Override
    public void uniform(long n, long seed, long offset, float low, float high, DeviceMemory y, long yOff) {
        float range = high - low;
        generate(n, seed, offset, y, yOff, (words, w) -> low + range * Philox.uniform(words[w]));
    }

    /** {@code y[i] = 1} if {@code u_i < p}, else {@code 0}. */
    @Override
    public void bernoulli(long n, long seed, long offset, float p, DeviceMemory y, long yOff) {
        generate(n, seed, offset, y, yOff, (words, w) -> Philox.uniform(words[w]) < p ? 1f : 0f);
    }

    /**
     * {@code y[i] = mean + std * z_i}, {@code z_i} standard normal by Box-Muller on the word pair
     * {@code (w_{2j}, w_{2j+1})} of the block: {@code r = sqrt(-2 ln u1)}, {@code z = r cos(2 pi u2)} for
     * the even slot, {@code r sin(2 pi u2)} for the odd one (see {@link Philox#normal}).
     */
    @Override
    public void normal(long n, long seed, long offset, float mean, float std, DeviceMemory y, long yOff) {
        generate(n, seed, offset, y, yOff, (words, w) -> mean + std * Philox.normal(words, w));
    }

    /** Fills {@code y[yOff + i]} for {@code i < n} with {@code transform} of its block's words, in parallel over blocks. */
    private static void generate(long n, long seed, long offset, DeviceMemory y, long yOff, Transform transform) {
        float[] ys = CpuMemory.array(y);
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        CpuParallel.parallelFor(0, Philox.countersFor(n), GRAIN, (from, to) -> {
            int[] words = new int[4];
            for (long q = from; q < to; q++) {
                philox(offset + q, k0, k1, words);
                long i = 4 * q;
                int slots = (int) Math.min(4, n - i);
                int dst = (int) (yOff + i);
                for (int w = 0; w < slots; w++) {
                    ys[dst + w] = transform.apply(words, w);
                }
            }
        });
    }

    /**
     * Philox 4x32-10 with counter {@code (lo32(counter), hi32(counter), 0, 0)} and key {@code (k0, k1)},
     * written into {@code out}: the same rounds as {@link Philox#block}, without allocating.
     */
    static void philox(long counter, int k0, int k1, int[] out) {
        int c0 = (int) counter;
        int c1 = (int) (counter >>> 32);
        int c2 = 0;
        int c3 = 0;
        for (int round = 0; round < 10; round++) {
            long p0 = (c0 & 0xFFFFFFFFL) * (M0 & 0xFFFFFFFFL);
            long p1 = (c2 & 0xFFFFFFFFL) * (M1 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }
}
