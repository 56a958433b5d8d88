package org.cnn4j.runtime.spi;

/**
 * A block of float32 elements owned by one backend: a {@code float[]} for the CPU fallback, a
 * {@code cl_mem} for OpenCL. Only the backend that allocated it may read, write or release it.
 *
 * <p>Users never see this type: {@link org.cnn4j.runtime.Tensor} wraps pooled memory.
 */
public interface DeviceMemory {
    /** Capacity in float32 elements. */
    long elements();
}
