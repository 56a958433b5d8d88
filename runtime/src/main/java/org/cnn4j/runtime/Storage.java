package org.cnn4j.runtime;

import org.cnn4j.runtime.spi.DeviceMemory;

/** Pooled device memory shared by a tensor and its views; returned to the pool when the last one closes. */
final class Storage {
    private final Device device;
    private final DeviceMemory memory;
    private int references = 1;

    Storage(Device device, DeviceMemory memory) {
        this.device = device;
        this.memory = memory;
    }

    DeviceMemory memory() {
        return memory;
    }

    /** Whether more than one tensor (a tensor and its views) uses this memory. */
    synchronized boolean shared() {
        return references > 1;
    }

    synchronized void retain() {
        references++;
    }

    /** Drops one reference; the last one returns the memory to the pool. */
    void release() {
        boolean last;
        synchronized (this) {
            last = --references == 0;
        }
        if (last) {
            device.pool().release(memory);
        }
    }
}
