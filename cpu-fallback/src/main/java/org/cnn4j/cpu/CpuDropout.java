package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.DropoutOps;
import org.cnn4j.runtime.spi.Philox;

/**
 * Inverted dropout on the CPU with the keep mask recomputed from Philox (see {@link DropoutOps}):
 * <pre>
 *   group(i) = i / groupSize,   u(j) = Philox.uniform(word j % 4 of the block with counter offset + j / 4)
 *   y[i] = u(group(i)) &gt;= p ? x[i] / (1 - p) : 0
 * </pre>
 * The same call on {@code dy} with the same {@code (seed, offset)} is the backward pass. One Philox
 * block serves four consecutive groups; the loop runs in parallel over blocks, so each element is
 * read and written by one thread, once, and {@code x} may be the same range as {@code y}. The division
 * is by the float {@code 1 - p}, exactly as the formula reads. Element-wise dropout ({@code groupSize = 1})
 * runs the {@link CpuPhilox} kernel (plain, or its bit-identical Vector API twin); groups of several elements
 * fill whole groups from each block's words.
 */
final class CpuDropout implements DropoutOps {
    /** Elements below which a call runs on the calling thread. */
    private static final long GRAIN_ELEMENTS = 1L << 14;

    private final CpuPhilox kernel;

    /** With the kernel {@link CpuVectorSupport} chooses. */
    CpuDropout() {
        this(CpuPhilox.best());
    }

    /** With {@code kernel} (tests run both). */
    CpuDropout(CpuPhilox kernel) {
        this.kernel = kernel;
    }

    /** The kernel this instance runs. */
    CpuPhilox kernel() {
        return kernel;
    }

    @Override
    public void dropout(long n, long groupSize, float p, long seed, long offset, DeviceMemory x, long xOff,
                        DeviceMemory y, long yOff) {
        if (n <= 0) {
            return;
        }
        if (groupSize < 1) {
            throw new IllegalArgumentException("CpuDropout.dropout: groupSize must be >= 1, but got " + groupSize
                    + " (n=" + n + ")");
        }
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        float keepScale = 1f - p;
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        long groups = (n + groupSize - 1) / groupSize;
        long blocks = Philox.countersFor(groups);
        long grain = Math.max(1, GRAIN_ELEMENTS / Math.min(GRAIN_ELEMENTS, 4 * groupSize));
        if (groupSize == 1) {
            CpuParallel.parallelFor(0, blocks, grain, (from, to) -> kernel.dropout(offset + from, k0, k1, p, keepScale,
                    xs, (int) (xOff + 4 * from), ys, (int) (yOff + 4 * from), (int) (Math.min(n, 4 * to) - 4 * from)));
            return;
        }
        CpuParallel.parallelFor(0, blocks, grain, (from, to) -> {
            int[] words = new int[4];
            for (long q = from; q < to; q++) {
                CpuRandom.philox(offset + q, k0, k1, words);
                for (int w = 0; w < 4; w++) {
                    long start = (4 * q + w) * groupSize;
                    if (start >= n) {
                        break;
                    }
                    int end = (int) Math.min(n, start + groupSize);
                    int xi = (int) (xOff + start);
                    int yi = (int) (yOff + start);
                    if (Philox.uniform(words[w]) >= p) {
                        for (int i = (int) start; i < end; i++) {
                            ys[yi++] = xs[xi++] / keepScale;
                        }
                    } else {
                        for (int i = (int) start; i < end; i++) {
                            ys[yi++] = 0f;
                        }
                    }
                }
            }
        });
    }
}
