package org.cnn4j.runtime.spi;

/**
 * Reference Philox 4x32-10 and the conversions from its 32-bit words to floats. Every backend's
 * {@link RandomOps} must produce exactly these values (the normal transform within a few ulps, since
 * devices differ in {@code log}, {@code sin} and {@code cos}).
 *
 * <pre>
 *   round:   (c0, c1, c2, c3) -&gt; (hi(M1*c2) ^ c1 ^ k0, lo(M1*c2), hi(M0*c0) ^ c3 ^ k1, lo(M0*c0))
 *   key:     (k0, k1) += (W0, W1) between rounds; 10 rounds
 *   M0 = 0xD2511F53, M1 = 0xCD9E8D57, W0 = 0x9E3779B9, W1 = 0xBB67AE85
 *   uniform: u = (w &gt;&gt;&gt; 8) * 2^-24                in [0, 1), exactly representable in float32
 *   normal:  for the pair (w_{2j}, w_{2j+1}) of a block, u1 = ((w_{2j} &gt;&gt;&gt; 8) + 1) * 2^-24 in (0, 1],
 *            u2 = (w_{2j+1} &gt;&gt;&gt; 8) * 2^-24, r = sqrt(-2 ln u1):
 *            element 2j gets r cos(2 pi u2), element 2j+1 gets r sin(2 pi u2)
 * </pre>
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;

    private Philox() {
    }

    /**
     * One Philox 4x32-10 block.
     *
     * @param counter four 32-bit counter words (not modified)
     * @param k0 first key word
     * @param k1 second key word
     * @return the four output words
     */
    public static int[] block(int[] counter, int k0, int k1) {
        int c0 = counter[0];
        int c1 = counter[1];
        int c2 = counter[2];
        int c3 = counter[3];
        for (int round = 0; round < 10; round++) {
            long p0 = (c0 & 0xFFFFFFFFL) * (M0 & 0xFFFFFFFFL);
            long p1 = (c2 & 0xFFFFFFFFL) * (M1 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        return new int[] {c0, c1, c2, c3};
    }

    /** The block for element index {@code i} of a call with {@code (seed, offset)}: counter {@code offset + i / 4}. */
    public static int[] blockFor(long seed, long offset, long i) {
        long q = offset + i / 4;
        return block(new int[] {(int) q, (int) (q >>> 32), 0, 0}, (int) seed, (int) (seed >>> 32));
    }

    /** Uniform float in [0, 1) from one word: its top 24 bits times 2^-24. */
    public static float uniform(int word) {
        return (word >>> 8) * TWO_POW_MINUS_24;
    }

    /** Uniform float in (0, 1] from one word, for logarithms. */
    public static float uniformOpenZero(int word) {
        return ((word >>> 8) + 1) * TWO_POW_MINUS_24;
    }

    /**
     * Standard normal for word slot {@code w} (0..3) of a block, by Box-Muller on the pair that holds it.
     *
     * @param block four output words of one Philox block
     * @param w word slot of the element, {@code i % 4}
     */
    public static float normal(int[] block, int w) {
        int pair = w & ~1;
        double u1 = uniformOpenZero(block[pair]);
        double u2 = uniform(block[pair + 1]);
        double r = Math.sqrt(-2.0 * Math.log(u1));
        double theta = 2.0 * Math.PI * u2;
        return (float) ((w & 1) == 0 ? r * Math.cos(theta) : r * Math.sin(theta));
    }

    /** Number of counters a call over {@code n} elements consumes: {@code ceil(n / 4)}. */
    public static long countersFor(long n) {
        return (n + 3) / 4;
    }
}
