package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.DeviceMemory;

/**
 * Device memory of the CPU backend: a Java {@code float[]} on the heap, released by the garbage collector.
 *
 * @param data the elements; its length is the capacity
 */
record CpuBuffer(float[] data) implements DeviceMemory {
    /** Capacity in float32 elements: {@code data.length}. */
    @Override
    public long elements() {
        return data.length;
    }

    @Override
    public String toString() {
        return "CpuBuffer[elements=" + data.length + "]";
    }
}
