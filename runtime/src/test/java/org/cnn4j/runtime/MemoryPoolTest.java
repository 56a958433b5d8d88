package org.cnn4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.DeviceOutOfMemoryException;
import org.cnn4j.runtime.spi.MemoryOps;
import org.junit.jupiter.api.Test;

class MemoryPoolTest {
    /** A device with a fixed capacity, counting live elements. */
    static final class FakeMemory implements MemoryOps {
        final long capacity;
        long live;
        int allocations;

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        record Block(long elements) implements DeviceMemory {
        }

        @Override
        public DeviceMemory allocate(long elements) {
            if (live + elements > capacity) {
                throw new DeviceOutOfMemoryException("fake: out of memory for " + elements);
            }
            live += elements;
            allocations++;
            return new Block(elements);
        }

        @Override
        public void release(DeviceMemory memory) {
            live -= memory.elements();
        }

        @Override
        public void write(float[] src, int srcOffset, DeviceMemory dst, long dstOffset, int length) {
        }

        @Override
        public void read(DeviceMemory src, long srcOffset, float[] dst, int dstOffset, int length) {
        }

        @Override
        public void copy(DeviceMemory src, long srcOffset, DeviceMemory dst, long dstOffset, long length) {
        }

        @Override
        public void fill(DeviceMemory dst, long offset, long length, float value) {
        }
    }

    @Test
    void sizeClassesWasteAtMostAnEighth() {
        assertEquals(256, MemoryPool.sizeClass(1));
        assertEquals(256, MemoryPool.sizeClass(256));
        for (long n = 257; n < 5_000_000; n = n * 3 / 2 + 7) {
            long c = MemoryPool.sizeClass(n);
            assertTrue(c >= n && c <= n + n / 8 + 1, n + " -> " + c);
            assertEquals(c, MemoryPool.sizeClass(c), "a class size maps to itself");
        }
    }

    @Test
    void releasedBlocksAreReused() {
        FakeMemory device = new FakeMemory(1 << 20);
        MemoryPool pool = new MemoryPool(device, "fake");
        DeviceMemory a = pool.acquire(1000);
        pool.release(a);
        assertSame(a, pool.acquire(1000));
        assertEquals(1, device.allocations);
        assertEquals(pool.bytesInUse(), MemoryPool.sizeClass(1000) * 4);
        pool.release(a);
        assertEquals(0, pool.bytesInUse());
        pool.trim();
        assertEquals(0, pool.bytesCached());
        assertEquals(0, device.live);
    }

    @Test
    void outOfMemoryFreesTheCacheAndRetriesOnce() {
        FakeMemory device = new FakeMemory(4096);
        MemoryPool pool = new MemoryPool(device, "fake");
        pool.release(pool.acquire(3000));           // 3072 cached
        DeviceMemory big = pool.acquire(2000);      // needs the cache freed first
        assertEquals(2048, big.elements());
        assertEquals(0, pool.bytesCached());
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> pool.acquire(3000));
        assertTrue(e.getMessage().contains("cannot allocate 12000 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("8192 bytes in use"), e.getMessage());
    }
}
