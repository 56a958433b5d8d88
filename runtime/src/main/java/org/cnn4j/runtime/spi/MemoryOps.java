package org.cnn4j.runtime.spi;

/**
 * Allocation and transfers. Offsets and lengths count float32 elements.
 *
 * <p>Raw allocations are not pooled here; {@link org.cnn4j.runtime.MemoryPool} does that for every
 * backend alike.
 */
public interface MemoryOps {
    /**
     * Allocates {@code elements} float32 elements (contents undefined).
     *
     * @throws DeviceOutOfMemoryException when the device cannot provide the memory
     */
    DeviceMemory allocate(long elements);

    /** Releases memory obtained from {@link #allocate}; never throws. */
    void release(DeviceMemory memory);

    /** Host to device: {@code dst[dstOffset + i] = src[srcOffset + i]} for {@code i < length}. */
    void write(float[] src, int srcOffset, DeviceMemory dst, long dstOffset, int length);

    /** Device to host: {@code dst[dstOffset + i] = src[srcOffset + i]}; blocks until the data is there. */
    void read(DeviceMemory src, long srcOffset, float[] dst, int dstOffset, int length);

    /** Device to device: {@code dst[dstOffset + i] = src[srcOffset + i]}. The ranges may not overlap. */
    void copy(DeviceMemory src, long srcOffset, DeviceMemory dst, long dstOffset, long length);

    /** {@code dst[offset + i] = value} for {@code i < length}. */
    void fill(DeviceMemory dst, long offset, long length, float value);
}
