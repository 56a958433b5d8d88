package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.DeviceOutOfMemoryException;
import org.junit.jupiter.api.Test;

/** {@link CpuMemory}: transfers with offsets, fill, and out-of-memory reporting. */
class CpuMemoryTest {
    private static final Backend BACKEND = TestData.backend();

    @Test
    void writeCopyFillReadWithOffsets() {
        int n = 200_000;
        float[] host = TestData.random(1, n);
        DeviceMemory a = BACKEND.allocate(n + 10);
        DeviceMemory b = BACKEND.allocate(n + 20);
        assertEquals(n + 10, a.elements());
        BACKEND.write(host, 5, a, 10, n - 5);
        BACKEND.copy(a, 10, b, 20, n - 5);
        BACKEND.fill(b, 0, 20, 7f);
        float[] out = new float[n + 20];
        BACKEND.read(b, 0, out, 0, n + 20);
        float[] expected = new float[n + 20];
        java.util.Arrays.fill(expected, 0, 20, 7f);
        System.arraycopy(host, 5, expected, 20, n - 5);
        Tolerance.assertSame("write, copy, fill, read", expected, out);

        BACKEND.fill(b, 3, n, -1f);
        BACKEND.read(b, 0, out, 0, n + 20);
        java.util.Arrays.fill(expected, 3, n + 3, -1f);
        Tolerance.assertSame("parallel fill", expected, out);
    }

    @Test
    void tooLargeAllocationIsDeviceOutOfMemoryWithTheSize() {
        long elements = CpuMemory.MAX_ELEMENTS + 1;
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> BACKEND.allocate(elements));
        assertTrue(e.getMessage().startsWith("CpuMemory.allocate: elements must be <= ") && e.getMessage().contains(String.valueOf(elements)),
                e.getMessage());
    }

    @Test
    void heapExhaustionIsDeviceOutOfMemoryWithTheSize() {
        long max = Runtime.getRuntime().maxMemory();
        long elements = CpuMemory.MAX_ELEMENTS;
        if (elements * Float.BYTES < max) {
            return; // the heap could hold the largest array: nothing to provoke
        }
        DeviceOutOfMemoryException e = assertThrows(DeviceOutOfMemoryException.class, () -> BACKEND.allocate(elements));
        assertTrue(e.getMessage().contains(String.valueOf(elements)) && e.getCause() instanceof OutOfMemoryError, e.getMessage());
    }

    @Test
    void foreignMemoryIsRejected() {
        DeviceMemory foreign = () -> 4;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BACKEND.fill(foreign, 0, 4, 1f));
        assertTrue(e.getMessage().startsWith("CpuBackend: memory must be allocated by the CPU backend"), e.getMessage());
    }
}
