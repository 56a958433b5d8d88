package org.cnn4j.runtime;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.DeviceOutOfMemoryException;
import org.cnn4j.runtime.spi.MemoryOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A caching allocator over one backend's raw memory: released blocks are kept in free lists by size
 * class and handed out again, so a training loop that makes the same tensors every step stops
 * allocating after the first one (and pays no page faults or driver calls).
 *
 * <p>Size classes: requests up to {@value #MIN_BLOCK} elements get one block of that size; larger
 * ones are rounded up to the next of 8 steps per power of two, so at most 12.5% is wasted.
 *
 * <p>When the device runs out of memory, the pool frees every cached block and retries once; if that
 * fails too, the error says how much was requested and how much the pool held. Thread-safe.
 */
public final class MemoryPool {
    /** Smallest block, in float32 elements. */
    public static final long MIN_BLOCK = 256;
    /**
     * Debug switch ({@code -Dcnn4j.poisonMemory=true} or {@code CNN4J_POISON_MEMORY=true}): every block handed
     * out is first filled with NaN, so an op that reads memory it never wrote shows up as NaN instead of as
     * results that depend on what the pool held before.
     */
    static final boolean POISON = Boolean.parseBoolean(System.getProperty("cnn4j.poisonMemory",
            System.getenv().getOrDefault("CNN4J_POISON_MEMORY", "false")));

    private static final Logger LOG = LoggerFactory.getLogger(MemoryPool.class);

    private final MemoryOps ops;
    private final String deviceName;
    private final Map<Long, ArrayDeque<DeviceMemory>> free = new HashMap<>();
    private long elementsInUse;
    private long elementsCached;
    private long peakElementsInUse;
    private long rawAllocations;

    /**
     * @param ops the backend's raw allocator
     * @param deviceName named in error messages
     */
    public MemoryPool(MemoryOps ops, String deviceName) {
        this.ops = ops;
        this.deviceName = deviceName;
    }

    /** The block size, in elements, that serves a request of {@code elements}. */
    static long sizeClass(long elements) {
        if (elements <= MIN_BLOCK) {
            return MIN_BLOCK;
        }
        int log2 = 63 - Long.numberOfLeadingZeros(elements - 1);
        long step = 1L << Math.max(0, log2 - 3);
        return (elements + step - 1) / step * step;
    }

    /**
     * A block of at least {@code elements} float32 elements (contents undefined).
     *
     * @throws DeviceOutOfMemoryException if the device cannot provide it even after the cache was freed
     */
    public synchronized DeviceMemory acquire(long elements) {
        long size = sizeClass(elements);
        ArrayDeque<DeviceMemory> list = free.get(size);
        DeviceMemory block = list == null ? null : list.pollLast();
        if (block != null) {
            elementsCached -= size;
        } else {
            block = allocateRaw(size, elements);
        }
        elementsInUse += size;
        peakElementsInUse = Math.max(peakElementsInUse, elementsInUse);
        if (POISON) {
            ops.fill(block, 0, size, Float.NaN);
        }
        return block;
    }

    private DeviceMemory allocateRaw(long size, long requested) {
        try {
            rawAllocations++;
            return ops.allocate(size);
        } catch (DeviceOutOfMemoryException first) {
            long held = elementsCached;
            LOG.warn("{}: out of device memory allocating {} bytes; freeing {} cached bytes and retrying once",
                    deviceName, size * Float.BYTES, held * Float.BYTES);
            trim();
            try {
                return ops.allocate(size);
            } catch (DeviceOutOfMemoryException second) {
                DeviceOutOfMemoryException e = new DeviceOutOfMemoryException(deviceName
                        + ": cannot allocate " + requested * Float.BYTES + " bytes (block of " + size * Float.BYTES
                        + " bytes); the pool held " + elementsInUse * Float.BYTES + " bytes in use and had "
                        + held * Float.BYTES + " cached bytes, which were freed before the retry", second);
                e.addSuppressed(first);
                throw e;
            }
        }
    }

    /** Returns a block from {@link #acquire} to the pool for reuse. */
    public synchronized void release(DeviceMemory block) {
        long size = block.elements();
        elementsInUse -= size;
        elementsCached += size;
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).addLast(block);
    }

    /** Frees every cached block back to the device. Blocks in use are untouched. */
    public synchronized void trim() {
        for (ArrayDeque<DeviceMemory> list : free.values()) {
            for (DeviceMemory block : list) {
                ops.release(block);
            }
        }
        free.clear();
        elementsCached = 0;
    }

    /** Bytes in blocks handed out and not yet released. */
    public synchronized long bytesInUse() {
        return elementsInUse * Float.BYTES;
    }

    /** Bytes in released blocks kept for reuse. */
    public synchronized long bytesCached() {
        return elementsCached * Float.BYTES;
    }

    /** The most bytes in use at once since the pool was made. */
    public synchronized long peakBytesInUse() {
        return peakElementsInUse * Float.BYTES;
    }

    /** How many times the pool asked the device for new memory. */
    public synchronized long rawAllocations() {
        return rawAllocations;
    }

    @Override
    public synchronized String toString() {
        return "MemoryPool[" + deviceName + ", inUse=" + bytesInUse() + " B, cached=" + bytesCached()
                + " B, peak=" + peakBytesInUse() + " B, rawAllocations=" + rawAllocations + "]";
    }
}
