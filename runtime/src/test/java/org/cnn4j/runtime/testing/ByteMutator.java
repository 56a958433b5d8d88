package org.cnn4j.runtime.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;

/**
 * Seeded mutations of a file's bytes, for fuzzing the readers of untrusted files: bit flips, byte
 * overwrites with {@code 0x00}, {@code 0xFF} or random values, truncation, insertion, deletion and
 * duplication of a slice, and 4- or 8-byte integer fields (either byte order) set to extreme values.
 * The same seed gives the same sequence of mutants, and every mutant carries a description of what was
 * done to it, so a failing case can be named and replayed.
 */
public final class ByteMutator {
    /** Integer values that break naive size arithmetic: zero, signs, byte and word boundaries, huge sizes. */
    private static final long[] EXTREMES = {
        0, 1, -1, 2, 7, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL,
        Integer.MAX_VALUE - 16L, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, 100L * 1024 * 1024,
    };

    private final Random random;

    /** A mutator whose choices all come from {@code seed}. */
    public ByteMutator(long seed) {
        this.random = new Random(seed);
    }

    /**
     * A mutated file and what was done to it.
     *
     * @param description the mutations applied, in order, for a failure message
     * @param bytes the mutated contents
     */
    public record Mutant(String description, byte[] bytes) {
    }

    /** The random source, for callers that make their own seeded choices alongside the mutations. */
    public Random random() {
        return random;
    }

    /** One to three stacked random mutations of {@code original} (which is not modified). */
    public Mutant mutate(byte[] original) {
        byte[] b = original.clone();
        StringBuilder what = new StringBuilder();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                what.append(", then ");
            }
            b = mutateOnce(b, what);
        }
        return new Mutant(what.toString(), b);
    }

    /** A value from the list of extremes, or occasionally a small random value. */
    public long extreme() {
        return random.nextInt(8) == 0 ? random.nextInt(4096) : EXTREMES[random.nextInt(EXTREMES.length)];
    }

    /**
     * A copy of {@code bytes} with the {@code width}-byte integer (4 or 8) at {@code offset} set to
     * {@code value} in {@code order}; bytes past the end are not written.
     */
    public static byte[] putField(byte[] bytes, int offset, int width, ByteOrder order, long value) {
        ByteBuffer field = ByteBuffer.allocate(8).order(order);
        if (width == 8) {
            field.putLong(value);
        } else {
            field.putInt((int) value);
        }
        byte[] out = bytes.clone();
        System.arraycopy(field.array(), 0, out, offset, Math.max(0, Math.min(width, out.length - offset)));
        return out;
    }

    private byte[] mutateOnce(byte[] b, StringBuilder what) {
        if (b.length == 0) {
            byte[] inserted = randomBytes(1 + random.nextInt(16));
            what.append("fill empty file with ").append(inserted.length).append(" random bytes");
            return inserted;
        }
        int at = random.nextInt(b.length);
        switch (random.nextInt(8)) {
            case 0: {
                int bits = 1 + random.nextInt(8);
                for (int i = 0; i < bits; i++) {
                    int pos = random.nextInt(b.length);
                    b[pos] ^= (byte) (1 << random.nextInt(8));
                }
                what.append("flip ").append(bits).append(" random bits");
                return b;
            }
            case 1: {
                int len = Math.min(b.length - at, 1 + random.nextInt(16));
                int mode = random.nextInt(3);
                for (int i = at; i < at + len; i++) {
                    b[i] = mode == 0 ? 0 : mode == 1 ? (byte) 0xff : (byte) random.nextInt(256);
                }
                what.append("overwrite ").append(len).append(" bytes at ").append(at).append(" with ")
                        .append(mode == 0 ? "0x00" : mode == 1 ? "0xFF" : "random bytes");
                return b;
            }
            case 2:
                what.append("truncate to ").append(at).append(" of ").append(b.length).append(" bytes");
                return Arrays.copyOf(b, at);
            case 3: {
                byte[] ins = random.nextBoolean() ? randomBytes(1 + random.nextInt(64))
                        : filled(1 + random.nextInt(64), random.nextBoolean() ? 0 : 0xff);
                what.append("insert ").append(ins.length).append(" bytes at ").append(at);
                return splice(b, at, 0, ins);
            }
            case 4: {
                int len = 1 + random.nextInt(Math.min(b.length - at, 64));
                what.append("delete ").append(len).append(" bytes at ").append(at);
                return splice(b, at, len, new byte[0]);
            }
            case 5: {
                int len = 1 + random.nextInt(Math.min(b.length - at, 256));
                int to = random.nextInt(b.length + 1);
                what.append("duplicate ").append(len).append(" bytes from ").append(at).append(" at ").append(to);
                return splice(b, to, 0, Arrays.copyOfRange(b, at, at + len));
            }
            default: {
                int width = random.nextBoolean() ? 4 : 8;
                ByteOrder order = random.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
                int pos = random.nextInt(4) == 0 ? at : random.nextInt(Math.min(b.length, 32));
                long value = extreme();
                what.append("set the ").append(width).append("-byte ").append(order).append(" field at ").append(pos)
                        .append(" to ").append(value);
                return putField(b, pos, width, order, value);
            }
        }
    }

    private byte[] randomBytes(int n) {
        byte[] out = new byte[n];
        random.nextBytes(out);
        return out;
    }

    private static byte[] filled(int n, int value) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) value);
        return out;
    }

    /** {@code b} with {@code remove} bytes at {@code at} replaced by {@code insert}. */
    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
