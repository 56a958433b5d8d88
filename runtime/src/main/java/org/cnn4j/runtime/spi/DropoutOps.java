package org.cnn4j.runtime.spi;

/**
 * Inverted dropout with a mask that is never stored: it is recomputed from Philox in the backward pass.
 * <pre>
 *   group(i) = i / groupSize      (groupSize = 1: element-wise; = H*W: whole channels, Dropout2d)
 *   keep(i)  = u(group(i)) &gt;= p   u(j) = uniform word j of the Philox stream (seed, offset), see RandomOps
 *   y[i] = keep(i) ? x[i] / (1 - p) : 0          dx[i] = keep(i) ? dy[i] / (1 - p) : 0
 * </pre>
 * The call consumes {@code ceil(ceil(n / groupSize) / 4)} counters. {@code p} is in [0, 1).
 */
public interface DropoutOps {
    /** Forward; {@code x} and {@code y} may be the same range. */
    void dropout(long n, long groupSize, float p, long seed, long offset, DeviceMemory x, long xOff, DeviceMemory y, long yOff);
}
