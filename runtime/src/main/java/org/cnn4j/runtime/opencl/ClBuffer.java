package org.cnn4j.runtime.opencl;

import org.cnn4j.runtime.spi.DeviceMemory;
import org.jocl.cl_mem;

/**
 * A {@code cl_mem} of float32 elements, owned by the {@link ClContext} that allocated it. Only that
 * context may read, write, launch on or release it.
 */
public final class ClBuffer implements DeviceMemory {
    private final ClContext owner;
    private final cl_mem mem;
    private final long elements;
    private volatile boolean released;

    ClBuffer(ClContext owner, cl_mem mem, long elements) {
        this.owner = owner;
        this.mem = mem;
        this.elements = elements;
    }

    @Override
    public long elements() {
        return elements;
    }

    /** The context that allocated this buffer. */
    public ClContext owner() {
        return owner;
    }

    /** Whether {@link ClContext#release} has been called on it. */
    public boolean isReleased() {
        return released;
    }

    cl_mem mem() {
        return mem;
    }

    /** Marks the buffer released; returns whether it was live before. */
    synchronized boolean markReleased() {
        boolean wasLive = !released;
        released = true;
        return wasLive;
    }

    @Override
    public String toString() {
        return "ClBuffer[" + elements + " floats on " + owner.device().info().spec() + (released ? ", released" : "") + "]";
    }
}
