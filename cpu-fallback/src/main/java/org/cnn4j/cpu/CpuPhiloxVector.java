package org.cnn4j.cpu;

import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link CpuPhilox} (dropout): Philox 4x32-10 for {@value #VECTORS} vectors of blocks at once, each
 * block in two 64-bit lanes that hold its words in element order, {@code (c1:c0), (c3:c2)}. With {@code P} the
 * lane-wise products {@code lo32(lane) * (M0, M1, M0, M1, ...)} (exact in 64 bits), one round
 * <pre>
 *   (c0, c1, c2, c3) -&gt; (hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1, lo(M0 c0))
 * </pre>
 * is {@code v = rotate32(swapPairs(P)) ^ (v >>> 32) ^ (k0, k1, k0, k1, ...)}: swapping the two lanes of each block
 * and the halves of each lane puts {@code hi(M1 c2)} and {@code lo(M1 c2)} where {@code c0} and {@code c1} were, and
 * {@code v >>> 32} brings {@code c1} and {@code c3} under them. The counter {@code (lo32(q), hi32(q), 0, 0)} is the
 * lane pair {@code (q, 0)}. The vectors are independent, so one round of all of them hides the latency of the
 * 64-bit multiply. Words are bit-identical to {@link org.cnn4j.runtime.spi.Philox#block}.
 *
 * <p>Dropout decides in the 64-bit lanes ({@code u >= p} is {@code word >= ceil(p 2^24) 2^8} on the unsigned word)
 * and moves the keep bits to float lanes through a small byte array, then selects {@code x / keepScale} or 0 in
 * {@link CpuVectorShapes#STREAM} float lanes. Ranges shorter than a chunk of {@value #VECTORS} vectors, and the
 * tail of every range, run {@link CpuPhiloxPlain}.
 *
 * <p>Only loads, stores, lane-wise operations and single-vector permutations of one species are used, and values
 * cross between the 64-bit and the float lanes through memory: in JDK 17 the results of vector reinterpretations
 * are not exactly typed for C2, and operations on them fall back to the API's scalar code when other vector code
 * in the JVM pollutes the type profiles. Where the preferred vectors are narrower than 512 bits (no AVX-512, so no
 * vector 64-bit multiply), every method runs {@link CpuPhiloxPlain}. Loaded only by name through
 * {@link CpuVectorSupport}.
 */
final class CpuPhiloxVector implements CpuPhilox {
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    /** 64-bit lanes per vector, two per block. */
    private static final int LL = LS.length();
    /** Independent vectors per round. */
    static final int VECTORS = 4;
    /** Blocks, and elements, of one chunk. */
    static final int CHUNK_BLOCKS = VECTORS * LL / 2;
    static final int CHUNK = 4 * CHUNK_BLOCKS;
    private static final boolean WIDE = LS.vectorBitSize() >= 512;
    private static final VectorSpecies<Float> FS = CpuVectorShapes.STREAM;
    private static final int FL = FS.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final long LOW32 = 0xFFFFFFFFL;
    private static final VectorShuffle<Long> SWAP_PAIRS = VectorShuffle.fromOp(LS, i -> i ^ 1);
    /** {@code (M0, M1, M0, M1, ...)}, {@code (0, 0, 1, 0, 2, 0, ...)} and {@code (1, 0, 1, 0, ...)}. */
    private static final long[] MULTIPLIERS = new long[LL];
    private static final long[] BLOCK_IOTA = new long[LL];
    private static final long[] EVEN_ONES = new long[LL];

    static {
        for (int i = 0; i < LL; i++) {
            MULTIPLIERS[i] = (i % 2 == 0 ? M0 : M1) & LOW32;
            BLOCK_IOTA[i] = i % 2 == 0 ? i / 2 : 0;
            EVEN_ONES[i] = 1 - i % 2;
        }
    }

    private final CpuPhiloxPlain plain = new CpuPhiloxPlain();

    @Override
    public String name() {
        return WIDE ? "vector" + LS.vectorBitSize() : "plain (no 512-bit vectors)";
    }

    @Override
    @SuppressWarnings("java:S107")
    public void dropout(long counter, int k0, int k1, float p, float keepScale, float[] x, int xo, float[] y, int yo, int len) {
        int done = 0;
        if (WIDE) {
            long[] keys = keys(k0, k1);
            long threshold = keepThreshold(p);
            byte[] keep = new byte[4 * CHUNK];
            for (; done + CHUNK <= len; done += CHUNK) {
                keepBits(counter + done / 4, keys, threshold, keep);
                apply(keep, keepScale, x, xo + done, y, yo + done);
            }
        }
        plain.dropout(counter + done / 4, k0, k1, p, keepScale, x, xo + done, y, yo + done, len - done);
    }

    /**
     * The smallest word {@code w} (unsigned) with {@code Philox.uniform(w) >= p}: {@code u = (w >>> 8) 2^-24 >= p}
     * iff {@code w >>> 8 >= ceil(p 2^24)} ({@code p 2^24} is exact in double), clamped to {@code [0, 2^24]}; a NaN
     * {@code p} keeps nothing, as {@code u >= NaN} is false. Times 2^8, so that it compares with the whole word.
     */
    static long keepThreshold(float p) {
        double t = Double.isNaN(p) ? 0x1p24 : Math.min(0x1p24, Math.max(0, Math.ceil(p * 0x1p24)));
        return (long) t << 8;
    }

    /** Key words of each round, in lane order: {@code (k0 + r W0, k1 + r W1, k0 + r W0, ...)} as unsigned longs. */
    private static long[] keys(int k0, int k1) {
        long[] keys = new long[10 * LL];
        for (int r = 0; r < 10; r++) {
            for (int i = 0; i < LL; i++) {
                keys[r * LL + i] = (i % 2 == 0 ? k0 + r * W0 : k1 + r * W1) & LOW32;
            }
        }
        return keys;
    }

    /**
     * For the {@link #CHUNK} elements of blocks {@code q ..}: all ones where the word is at least {@code threshold}
     * (keep), else zero, 32 bits per element in element order, into {@code out}.
     */
    private static void keepBits(long q, long[] keys, long threshold, byte[] out) {
        LongVector multipliers = LongVector.fromArray(LS, MULTIPLIERS, 0);
        LongVector step = LongVector.fromArray(LS, EVEN_ONES, 0).mul(LL / 2);
        LongVector v0 = LongVector.fromArray(LS, EVEN_ONES, 0).mul(q).add(LongVector.fromArray(LS, BLOCK_IOTA, 0));
        LongVector v1 = v0.add(step);
        LongVector v2 = v1.add(step);
        LongVector v3 = v2.add(step);
        for (int r = 0; r < 10; r++) {
            LongVector k = LongVector.fromArray(LS, keys, r * LL);
            LongVector p0 = v0.and(LOW32).mul(multipliers).rearrange(SWAP_PAIRS);
            LongVector p1 = v1.and(LOW32).mul(multipliers).rearrange(SWAP_PAIRS);
            LongVector p2 = v2.and(LOW32).mul(multipliers).rearrange(SWAP_PAIRS);
            LongVector p3 = v3.and(LOW32).mul(multipliers).rearrange(SWAP_PAIRS);
            v0 = p0.lanewise(VectorOperators.LSHL, 32).or(p0.lanewise(VectorOperators.LSHR, 32))
                    .lanewise(VectorOperators.XOR, v0.lanewise(VectorOperators.LSHR, 32)).lanewise(VectorOperators.XOR, k);
            v1 = p1.lanewise(VectorOperators.LSHL, 32).or(p1.lanewise(VectorOperators.LSHR, 32))
                    .lanewise(VectorOperators.XOR, v1.lanewise(VectorOperators.LSHR, 32)).lanewise(VectorOperators.XOR, k);
            v2 = p2.lanewise(VectorOperators.LSHL, 32).or(p2.lanewise(VectorOperators.LSHR, 32))
                    .lanewise(VectorOperators.XOR, v2.lanewise(VectorOperators.LSHR, 32)).lanewise(VectorOperators.XOR, k);
            v3 = p3.lanewise(VectorOperators.LSHL, 32).or(p3.lanewise(VectorOperators.LSHR, 32))
                    .lanewise(VectorOperators.XOR, v3.lanewise(VectorOperators.LSHR, 32)).lanewise(VectorOperators.XOR, k);
        }
        LongVector zero = LongVector.zero(LS);
        zero.blend(LOW32, v0.and(LOW32).compare(VectorOperators.GE, threshold))
                .or(zero.blend(~LOW32, v0.lanewise(VectorOperators.LSHR, 32).compare(VectorOperators.GE, threshold)))
                .intoByteArray(out, 0, NATIVE);
        zero.blend(LOW32, v1.and(LOW32).compare(VectorOperators.GE, threshold))
                .or(zero.blend(~LOW32, v1.lanewise(VectorOperators.LSHR, 32).compare(VectorOperators.GE, threshold)))
                .intoByteArray(out, 8 * LL, NATIVE);
        zero.blend(LOW32, v2.and(LOW32).compare(VectorOperators.GE, threshold))
                .or(zero.blend(~LOW32, v2.lanewise(VectorOperators.LSHR, 32).compare(VectorOperators.GE, threshold)))
                .intoByteArray(out, 16 * LL, NATIVE);
        zero.blend(LOW32, v3.and(LOW32).compare(VectorOperators.GE, threshold))
                .or(zero.blend(~LOW32, v3.lanewise(VectorOperators.LSHR, 32).compare(VectorOperators.GE, threshold)))
                .intoByteArray(out, 24 * LL, NATIVE);
    }

    /** {@code y[yo + i] = keep_i ? x[xo + i] / keepScale : 0} for the {@link #CHUNK} elements of one chunk. */
    private static void apply(byte[] keep, float keepScale, float[] x, int xo, float[] y, int yo) {
        FloatVector zero = FloatVector.zero(FS);
        for (int i = 0; i < CHUNK; i += FL) {
            FloatVector bits = FloatVector.fromByteArray(FS, keep, 4 * i, NATIVE); // NaN (all ones) or +0
            zero.blend(FloatVector.fromArray(FS, x, xo + i).div(keepScale), bits.compare(VectorOperators.NE, 0f))
                    .intoArray(y, yo + i);
        }
    }
}
