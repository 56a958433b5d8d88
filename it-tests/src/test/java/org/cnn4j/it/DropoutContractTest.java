package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.spi.Philox;
import org.cnn4j.runtime.testing.TestDevices;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link org.cnn4j.runtime.spi.DropoutOps}: the mask is exactly the Philox rule computed on the host
 * ({@code keep(i) = u(i / groupSize) >= p}, {@code u(j)} the uniform of word {@code j % 4} of the block with
 * counter {@code offset + j / 4}), element-wise and for whole channels ({@code groupSize = H*W}), for seeds
 * with high key bits and large offsets; kept values are {@code x / (1 - p)} within
 * {@link Tolerances#FEW_ULPS} (the backend may multiply by a rounded {@code 1 / (1 - p)}); {@code x} and {@code y}
 * may alias; {@code p = 0} is the identity, exactly; and every OpenCL device drops exactly the elements the
 * CPU drops. Inputs are never zero, so a zero output means a dropped element.
 */
class DropoutContractTest {
    static final long[] SEEDS = {0L, 42L, 0x1234_5678_9ABC_DEF0L, -7L};
    static final long[] OFFSETS = {0L, 5L, 1L << 33};

    /** {@code {n, groupSize}}: sizes around the 4-word block, and channels of 1, 7x7 and 8x8. */
    static final long[][] SIZES = {{1, 1}, {3, 1}, {4, 1}, {5, 1}, {1023, 1}, {4099, 1}, {2 * 3 * 49, 49}, {4 * 8 * 64, 64},
        {5 * 7, 7}, {6, 6}};

    static final float[] PS = {0.1f, 0.5f, 0.9f};

    /** The host mask: {@code keep(i) = Philox.uniform(word(i / groupSize)) >= p}. */
    static boolean[] expectedKeep(int n, long groupSize, float p, long seed, long offset) {
        boolean[] keep = new boolean[n];
        for (int i = 0; i < n; i++) {
            long j = i / groupSize;
            int[] block = Philox.blockFor(seed, offset, j);
            keep[i] = Philox.uniform(block[(int) (j % 4)]) >= p;
        }
        return keep;
    }

    static boolean[] keptOf(float[] y) {
        boolean[] k = new boolean[y.length];
        for (int i = 0; i < y.length; i++) {
            k[i] = y[i] != 0;
        }
        return k;
    }

    static double[] expected(float[] x, boolean[] keep, float p) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = keep[i] ? x[i] / (1.0 - p) : 0.0;
        }
        return y;
    }

    static String what(Device device, long n, long group, float p, long seed, long offset, boolean inPlace) {
        return "dropout n=" + n + " groupSize=" + group + " p=" + p + " seed=" + seed + " offset=" + offset
                + (inPlace ? " in place" : "") + " on " + device.spec();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void maskIsThePhiloxRule(Device device) {
        List<Executable> checks = new ArrayList<>();
        int trial = 0;
        for (long[] size : SIZES) {
            int n = (int) size[0];
            float[] x = Inputs.awayFromZero(new SplittableRandom(n), n, 0.1, 10);
            for (long seed : SEEDS) {
                for (float p : PS) {
                    long offset = OFFSETS[trial % OFFSETS.length];
                    boolean inPlace = trial % 5 == 2;
                    int shift = trial % 7 == 3 ? 3 : 0;
                    trial++;
                    checks.add(() -> {
                        boolean[] keep = expectedKeep(n, size[1], p, seed, offset);
                        float[] y = new SpiCalls(device, shift).dropout(size[1], p, seed, offset, x, inPlace);
                        String w = what(device, n, size[1], p, seed, offset, inPlace);
                        assertArrayEquals(keep, keptOf(y), w + ": the kept elements must be those of the Philox rule");
                        Tolerances.FEW_ULPS.assertClose(w + ": values", expected(x, keep, p), y);
                    });
                }
            }
        }
        assertAll(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void wholeChannelsAreKeptOrDroppedTogether(Device device) {
        int channels = 2 * 16;
        int hw = 25;
        float[] x = Inputs.awayFromZero(new SplittableRandom(9), channels * hw, 0.1, 10);
        float[] y = new SpiCalls(device).dropout(hw, 0.5f, 77, 3, x, false);
        for (int c = 0; c < channels; c++) {
            boolean first = y[c * hw] != 0;
            for (int s = 1; s < hw; s++) {
                assertArrayEquals(new boolean[] {first}, new boolean[] {y[c * hw + s] != 0},
                        "dropout groupSize=25 on " + device.spec() + ": channel " + c + " must be kept or dropped as a whole");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void zeroProbabilityIsTheIdentity(Device device) {
        float[] x = Inputs.uniform(new SplittableRandom(11), 1031, -5, 5);
        for (boolean inPlace : new boolean[] {false, true}) {
            for (long group : new long[] {1, 7}) {
                float[] y = new SpiCalls(device).dropout(group, 0f, 123, 9, x, inPlace);
                Tolerances.EXACT.assertClose(what(device, x.length, group, 0f, 123, 9, inPlace) + ": p = 0 must be the identity",
                        x, y);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void openclMasksAreBitIdenticalToTheCpu(Device device) {
        Device cpu = TestDevices.cpu();
        org.junit.jupiter.api.Assumptions.assumeFalse(device == cpu,
                "parity is checked on each OpenCL device against the cpu; comparing the cpu with itself would prove nothing");
        for (long[] size : SIZES) {
            int n = (int) size[0];
            float[] x = new float[n];
            java.util.Arrays.fill(x, 1f);
            for (long seed : SEEDS) {
                float p = 0.3f;
                long offset = seed & 0xFF;
                float[] a = new SpiCalls(cpu).dropout(size[1], p, seed, offset, x, false);
                float[] b = new SpiCalls(device).dropout(size[1], p, seed, offset, x, false);
                assertArrayEquals(keptOf(a), keptOf(b), what(device, n, size[1], p, seed, offset, false) + ": mask differs from cpu");
            }
        }
    }
}
