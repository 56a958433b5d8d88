package org.cnn4j.cpu;

import java.util.Arrays;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.DeviceOutOfMemoryException;
import org.cnn4j.runtime.spi.MemoryOps;

/**
 * Allocation and transfers of the CPU backend: memory is a {@code float[]} (see {@link CpuBuffer}),
 * transfers are {@link System#arraycopy}. Offsets and lengths count float32 elements.
 */
final class CpuMemory implements MemoryOps {
    /** The largest {@code float[]} every JVM can allocate (a few header words below {@code Integer.MAX_VALUE}). */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16L;

    /** Fills shorter than this run on the calling thread. */
    private static final long FILL_GRAIN = 1L << 16;

    /**
     * The array behind memory this backend allocated.
     *
     * @throws IllegalArgumentException when {@code memory} comes from another backend
     */
    static float[] array(DeviceMemory memory) {
        if (memory instanceof CpuBuffer buffer) {
            return buffer.data();
        }
        throw new IllegalArgumentException("CpuBackend: memory must be allocated by the CPU backend, but got "
                + (memory == null ? "null" : memory.getClass().getName()));
    }

    /**
     * Allocates a zero-filled {@code float[elements]}.
     *
     * @throws DeviceOutOfMemoryException when {@code elements > MAX_ELEMENTS} or the Java heap is exhausted
     */
    @Override
    public DeviceMemory allocate(long elements) {
        if (elements < 0) {
            throw new IllegalArgumentException("CpuMemory.allocate: elements must be >= 0, but got " + elements);
        }
        if (elements > MAX_ELEMENTS) {
            throw new DeviceOutOfMemoryException("CpuMemory.allocate: elements must be <= " + MAX_ELEMENTS
                    + " (the largest Java float[]), but got " + elements + " (" + elements * Float.BYTES + " bytes, cpu)");
        }
        try {
            return new CpuBuffer(new float[(int) elements]);
        } catch (OutOfMemoryError e) {
            throw new DeviceOutOfMemoryException("CpuMemory.allocate: could not allocate " + elements
                    + " float32 elements (" + elements * Float.BYTES + " bytes, cpu): Java heap exhausted (max heap "
                    + Runtime.getRuntime().maxMemory() + " bytes)", e);
        }
    }

    /** Does nothing: the garbage collector reclaims the array once no tensor refers to it. */
    @Override
    public void release(DeviceMemory memory) {
        // the array is reclaimed by the garbage collector
    }

    /** {@code dst[dstOffset + i] = src[srcOffset + i]} for {@code i < length}. */
    @Override
    public void write(float[] src, int srcOffset, DeviceMemory dst, long dstOffset, int length) {
        System.arraycopy(src, srcOffset, array(dst), Math.toIntExact(dstOffset), length);
    }

    /** {@code dst[dstOffset + i] = src[srcOffset + i]} for {@code i < length}; done on return. */
    @Override
    public void read(DeviceMemory src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(array(src), Math.toIntExact(srcOffset), dst, dstOffset, length);
    }

    /** {@code dst[dstOffset + i] = src[srcOffset + i]} for {@code i < length}. */
    @Override
    public void copy(DeviceMemory src, long srcOffset, DeviceMemory dst, long dstOffset, long length) {
        System.arraycopy(array(src), Math.toIntExact(srcOffset), array(dst), Math.toIntExact(dstOffset),
                Math.toIntExact(length));
    }

    /** {@code dst[offset + i] = value} for {@code i < length}, in parallel for long ranges. */
    @Override
    public void fill(DeviceMemory dst, long offset, long length, float value) {
        float[] d = array(dst);
        CpuParallel.parallelFor(offset, offset + length, FILL_GRAIN,
                (from, to) -> Arrays.fill(d, (int) from, (int) to, value));
    }
}
