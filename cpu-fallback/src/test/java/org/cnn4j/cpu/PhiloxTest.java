package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.cnn4j.runtime.spi.Philox;
import org.junit.jupiter.api.Test;

/**
 * Known answers of Philox 4x32-10 from the Random123 distribution's test vectors (Salmon et al., SC 2011),
 * for the shared {@link Philox} and for {@link CpuRandom#philox}, the backend's non-allocating copy.
 */
class PhiloxTest {

    @Test
    void zeroCounterZeroKey() {
        assertKnownAnswer(new int[] {0, 0, 0, 0}, 0, 0, new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8});
    }

    @Test
    void allOnesCounterAllOnesKey() {
        assertKnownAnswer(new int[] {-1, -1, -1, -1}, -1, -1, new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd});
    }

    @Test
    void digitsOfPi() {
        assertKnownAnswer(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, 0xa4093822, 0x299f31d0,
                new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1});
    }

    @Test
    void backendCopyMatchesReferenceOnRandomCountersAndKeys() {
        SplittableRandom rnd = new SplittableRandom(42);
        int[] out = new int[4];
        for (int t = 0; t < 10_000; t++) {
            long counter = rnd.nextLong();
            int k0 = rnd.nextInt();
            int k1 = rnd.nextInt();
            CpuRandom.philox(counter, k0, k1, out);
            int[] expected = Philox.block(new int[] {(int) counter, (int) (counter >>> 32), 0, 0}, k0, k1);
            assertArrayEquals(expected, out, "CpuRandom.philox: counter=" + counter + " k0=" + k0 + " k1=" + k1);
        }
    }

    private static void assertKnownAnswer(int[] counter, int k0, int k1, int[] expected) {
        assertArrayEquals(expected, Philox.block(counter, k0, k1), () -> "Philox.block: output must be "
                + hex(expected) + " (Random123 known answer), but got " + hex(Philox.block(counter, k0, k1)));
        if (counter[2] == 0 && counter[3] == 0) {
            int[] out = new int[4];
            CpuRandom.philox((counter[0] & 0xFFFFFFFFL) | ((long) counter[1] << 32), k0, k1, out);
            assertArrayEquals(expected, out, () -> "CpuRandom.philox: output must be " + hex(expected)
                    + " (Random123 known answer), but got " + hex(out));
        }
    }

    private static String hex(int[] words) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < words.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format("0x%08x", words[i]));
        }
        return s.append(')').toString();
    }
}
