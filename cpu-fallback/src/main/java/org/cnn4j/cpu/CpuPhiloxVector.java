package org.cnn4j.cpu;

import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link CpuPhilox} (dropout): Philox 4x32-10 for {@value #GROUPS} groups of {@code n}
 * blocks at once ({@code n} the 64-bit lanes of the preferred shape, 8 with AVX-512), each group's four counter words
 * {@code c0 .. c3} in four vectors with one block per lane, zero-extended to 64 bits. One round,
 * <pre>
 *   (c0, c1, c2, c3) -&gt; (hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1, lo(M0 c0))
 * </pre>
 * is then lane-wise: the 64-bit products of two 32-bit values are exact, and {@code hi}, {@code lo} are a shift and a
 * mask. The groups are independent, so one round of both hides the latency of the 64-bit multiply. Words are
 * bit-identical to {@link org.cnn4j.runtime.spi.Philox#block}.
 *
 * <p>The keep decision is lane-wise too ({@code u >= p} is {@code word >= ceil(p 2^24) 2^8} on the unsigned word),
 * giving all-ones or zero per block and word. Element {@code 4 b + w} needs word {@code w} of block {@code b}: the four
 * decision vectors go through a small byte array into float lanes ({@code [b0, 0, b1, 0, ...]}), a permutation spreads
 * block {@code b} to lanes {@code 4 b .. 4 b + 3} of each, and blends pick lane {@code 4 b + w} from word {@code w}'s;
 * then {@code x / keepScale} or 0 is selected in {@link CpuVectorShapes#F} float lanes. Ranges shorter than a chunk,
 * and the tail of every range, run {@link CpuPhiloxPlain}.
 *
 * <p>Only lane-wise operations, loads, stores, and permutations of {@code float} lanes are used: in JDK 17 the
 * permutations of two vector types (their shuffle classes share type profiles in {@code AbstractShuffle}) made the
 * pooling and dropout kernels fall back to the API's scalar code in one JVM (dropout 1.5 to 7.7 ms), and vector
 * reinterpretations are not exactly typed for C2 (see {@link CpuVectorShapes}). Where the preferred vectors are
 * narrower than 512 bits (no AVX-512, so no vector 64-bit multiply), every call runs {@link CpuPhiloxPlain}. Loaded
 * only by name through {@link CpuVectorSupport}.
 */
final class CpuPhiloxVector implements CpuPhilox {
    private static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    /** Blocks per group: one per 64-bit lane. */
    private static final int LL = LS.length();
    /** Independent groups per round. */
    static final int GROUPS = 2;
    /** Blocks, and elements, of one chunk. */
    static final int CHUNK_BLOCKS = GROUPS * LL;
    static final int CHUNK = 4 * CHUNK_BLOCKS;
    private static final VectorSpecies<Float> FS = CpuVectorShapes.F;
    private static final int FL = FS.length();
    /** AVX-512: vector 64-bit multiply, and two float vectors hold a group's elements. */
    private static final boolean WIDE = LS.vectorBitSize() >= 512 && FL == 2 * LL;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final long LOW32 = 0xFFFFFFFFL;
    /** Round-key words per call (two per round, ten rounds). */
    private static final int KEY_WORDS = 20;
    /** Vectors of constants, LL lanes each: the low 32 bits, M0, M1, 32, the lane index, LL, 0. */
    private static final long[] CONSTANTS = new long[7 * LL];
    /**
     * Float lane {@code j} of half {@code h} of a group takes block {@code j / 4 + h FL / 4}, at float lane
     * {@code 2 (j / 4 + h FL / 4)} of a decision vector; lane {@code j} belongs to word {@code j % 4}.
     */
    private static final VectorShuffle<Float> SPREAD_LOW = VectorShuffle.fromOp(FS, j -> 2 * (j / 4));
    private static final VectorShuffle<Float> SPREAD_HIGH = VectorShuffle.fromOp(FS, j -> 2 * (j / 4 + FL / 4));
    private static final VectorMask<Float> WORD1 = wordMask(1);
    private static final VectorMask<Float> WORD2 = wordMask(2);
    private static final VectorMask<Float> WORD3 = wordMask(3);

    static {
        for (int i = 0; i < LL; i++) {
            CONSTANTS[i] = LOW32;
            CONSTANTS[LL + i] = M0 & LOW32;
            CONSTANTS[2 * LL + i] = M1 & LOW32;
            CONSTANTS[3 * LL + i] = 32;
            CONSTANTS[4 * LL + i] = i;
            CONSTANTS[5 * LL + i] = LL;
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
            // every scalar operand, and zero, as a vector loaded from lanes: in a JVM that also runs the float kernels,
            // C2 left LongVector.broadcast and zero (and the scalar forms of add and compare, which broadcast) to the
            // API's Java fallback, and dropout ran 20 times slower
            long[] lanes = new long[(KEY_WORDS + 2) * LL]; // round keys, then the threshold, then the counter base
            long[] keys = keys(k0, k1);
            for (int i = 0; i < KEY_WORDS; i++) {
                Arrays.fill(lanes, i * LL, (i + 1) * LL, keys[i]);
            }
            Arrays.fill(lanes, KEY_WORDS * LL, (KEY_WORDS + 1) * LL, keepThreshold(p));
            byte[] keep = new byte[4 * 8 * CHUNK_BLOCKS]; // word w of group g at 8 * (g * 4 + w) * LL
            for (; done + CHUNK <= len; done += CHUNK) {
                Arrays.fill(lanes, (KEY_WORDS + 1) * LL, (KEY_WORDS + 2) * LL, counter + done / 4);
                keepBits(lanes, keep);
                for (int g = 0; g < GROUPS; g++) {
                    apply(keep, 8 * 4 * LL * g, keepScale, x, xo + done + 4 * LL * g, y, yo + done + 4 * LL * g);
                }
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

    /** Key words of round {@code r} at {@code 2 r} and {@code 2 r + 1}: {@code k0 + r W0} and {@code k1 + r W1}, unsigned. */
    private static long[] keys(int k0, int k1) {
        long[] keys = new long[KEY_WORDS];
        for (int r = 0; r < 10; r++) {
            keys[2 * r] = (k0 + r * W0) & LOW32;
            keys[2 * r + 1] = (k1 + r * W1) & LOW32;
        }
        return keys;
    }

    /**
     * For blocks {@code q ..} of a chunk: all ones where word {@code w} of block {@code b} of group {@code g} is at least
     * {@code threshold} (keep), else zero, in the low 32 bits of the 64-bit lane {@code b} at byte
     * {@code 8 ((g 4 + w) LL + b)} of {@code out}. All vectors live and die in this method: a vector that crosses a
     * call C2 did not inline is boxed on the heap.
     */
    private static void keepBits(long[] lanes, byte[] out) {
        LongVector low = LongVector.fromArray(LS, CONSTANTS, 0);
        LongVector m0 = LongVector.fromArray(LS, CONSTANTS, LL);
        LongVector m1 = LongVector.fromArray(LS, CONSTANTS, 2 * LL);
        LongVector shift = LongVector.fromArray(LS, CONSTANTS, 3 * LL);
        LongVector threshold = LongVector.fromArray(LS, lanes, KEY_WORDS * LL);
        LongVector counters = LongVector.fromArray(LS, CONSTANTS, 4 * LL).add(LongVector.fromArray(LS, lanes, (KEY_WORDS + 1) * LL));
        LongVector a0 = counters.and(low);                 // group 0: blocks q .. q + LL - 1
        LongVector a1 = counters.lanewise(VectorOperators.LSHR, shift);
        LongVector a2 = LongVector.fromArray(LS, CONSTANTS, 6 * LL);
        LongVector a3 = a2;
        counters = counters.add(LongVector.fromArray(LS, CONSTANTS, 5 * LL));
        LongVector b0 = counters.and(low);                 // group 1: the next LL blocks
        LongVector b1 = counters.lanewise(VectorOperators.LSHR, shift);
        LongVector b2 = a2;
        LongVector b3 = a2;
        for (int r = 0; r < 10; r++) {
            LongVector k0 = LongVector.fromArray(LS, lanes, 2 * r * LL);
            LongVector k1 = LongVector.fromArray(LS, lanes, (2 * r + 1) * LL);
            LongVector pa0 = a0.mul(m0);
            LongVector pa1 = a2.mul(m1);
            LongVector pb0 = b0.mul(m0);
            LongVector pb1 = b2.mul(m1);
            LongVector na0 = pa1.lanewise(VectorOperators.LSHR, shift).lanewise(VectorOperators.XOR, a1).lanewise(VectorOperators.XOR, k0);
            LongVector na2 = pa0.lanewise(VectorOperators.LSHR, shift).lanewise(VectorOperators.XOR, a3).lanewise(VectorOperators.XOR, k1);
            LongVector nb0 = pb1.lanewise(VectorOperators.LSHR, shift).lanewise(VectorOperators.XOR, b1).lanewise(VectorOperators.XOR, k0);
            LongVector nb2 = pb0.lanewise(VectorOperators.LSHR, shift).lanewise(VectorOperators.XOR, b3).lanewise(VectorOperators.XOR, k1);
            a1 = pa1.and(low);
            a3 = pa0.and(low);
            b1 = pb1.and(low);
            b3 = pb0.and(low);
            a0 = na0;
            a2 = na2;
            b0 = nb0;
            b2 = nb2;
        }
        LongVector zero = LongVector.fromArray(LS, CONSTANTS, 6 * LL);
        int v = 8 * LL; // bytes of one vector
        zero.blend(low, a0.compare(VectorOperators.GE, threshold)).intoByteArray(out, 0, NATIVE);
        zero.blend(low, a1.compare(VectorOperators.GE, threshold)).intoByteArray(out, v, NATIVE);
        zero.blend(low, a2.compare(VectorOperators.GE, threshold)).intoByteArray(out, 2 * v, NATIVE);
        zero.blend(low, a3.compare(VectorOperators.GE, threshold)).intoByteArray(out, 3 * v, NATIVE);
        zero.blend(low, b0.compare(VectorOperators.GE, threshold)).intoByteArray(out, 4 * v, NATIVE);
        zero.blend(low, b1.compare(VectorOperators.GE, threshold)).intoByteArray(out, 5 * v, NATIVE);
        zero.blend(low, b2.compare(VectorOperators.GE, threshold)).intoByteArray(out, 6 * v, NATIVE);
        zero.blend(low, b3.compare(VectorOperators.GE, threshold)).intoByteArray(out, 7 * v, NATIVE);
    }

    /**
     * {@code y[yo + i] = keep_i ? x[xo + i] / keepScale : 0} for the {@code 4 LL} elements of one group, whose
     * decisions {@link #keepBits} wrote from byte {@code at}: each float lane {@code 2 b} of a word's vector is block
     * {@code b}'s decision (all ones, a NaN, or +0), spread to the block's four element lanes and picked per word.
     */
    private static void apply(byte[] keep, int at, float keepScale, float[] x, int xo, float[] y, int yo) {
        int v = 8 * LL;
        FloatVector w0 = FloatVector.fromByteArray(FS, keep, at, NATIVE);
        FloatVector w1 = FloatVector.fromByteArray(FS, keep, at + v, NATIVE);
        FloatVector w2 = FloatVector.fromByteArray(FS, keep, at + 2 * v, NATIVE);
        FloatVector w3 = FloatVector.fromByteArray(FS, keep, at + 3 * v, NATIVE);
        FloatVector zero = FloatVector.zero(FS);
        FloatVector lo = w0.rearrange(SPREAD_LOW).blend(w1.rearrange(SPREAD_LOW), WORD1)
                .blend(w2.rearrange(SPREAD_LOW), WORD2).blend(w3.rearrange(SPREAD_LOW), WORD3);
        FloatVector hi = w0.rearrange(SPREAD_HIGH).blend(w1.rearrange(SPREAD_HIGH), WORD1)
                .blend(w2.rearrange(SPREAD_HIGH), WORD2).blend(w3.rearrange(SPREAD_HIGH), WORD3);
        zero.blend(FloatVector.fromArray(FS, x, xo).div(keepScale), lo.compare(VectorOperators.NE, 0f)).intoArray(y, yo);
        zero.blend(FloatVector.fromArray(FS, x, xo + FL).div(keepScale), hi.compare(VectorOperators.NE, 0f)).intoArray(y, yo + FL);
    }

    private static VectorMask<Float> wordMask(int w) {
        boolean[] lanes = new boolean[FL];
        for (int j = 0; j < FL; j++) {
            lanes[j] = j % 4 == w;
        }
        return VectorMask.fromArray(FS, lanes, 0);
    }
}
