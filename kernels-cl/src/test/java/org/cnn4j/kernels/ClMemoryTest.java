package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertBitIdentical;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.DeviceOutOfMemoryException;
import org.cnn4j.runtime.spi.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Memory ops: transfers with offsets, copies, fills, out-of-memory and misuse errors. */
class ClMemoryTest {
    static Stream<TestBackend> backends() {
        return OpenClTestSupport.defaultBackends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void writeReadCopyFillWithOffsets(TestBackend tb) {
        OpenClBackend b = tb.backend();
        float[] x = random(1, 1001, -1f, 1f);
        DeviceMemory d = b.allocate(1010);
        assertEquals(1010, d.elements());
        b.write(x, 3, d, 7, 990);
        float[] back = new float[995];
        b.read(d, 7, back, 5, 990);
        assertBitIdentical("write/read", Arrays.copyOfRange(x, 3, 993), Arrays.copyOfRange(back, 5, 995));

        DeviceMemory e = b.allocate(500);
        b.copy(d, 10, e, 1, 499);
        assertBitIdentical("copy", Arrays.copyOfRange(x, 6, 505), download(b, e, 1, 499));

        b.fill(e, 3, 97, -2.5f);
        float[] filled = download(b, e, 0, 500);
        for (int i = 0; i < 500; i++) {
            float expected = i >= 3 && i < 100 ? -2.5f : (i == 0 ? filled[0] : x[i + 5]);
            assertEquals(expected, filled[i], "fill at " + i);
        }
        b.release(d);
        b.release(e);
        b.release(e); // idempotent
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void zeroLengthOpsAreNoOps(TestBackend tb) {
        OpenClBackend b = tb.backend();
        DeviceMemory empty = b.allocate(0);
        assertEquals(0, empty.elements());
        b.write(new float[0], 0, empty, 0, 0);
        b.fill(empty, 0, 0, 1f);
        b.unary(UnaryOp.EXP, 0, empty, 0, empty, 0);
        b.synchronize();
        b.release(empty);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void hugeAllocationRaisesDeviceOutOfMemory(TestBackend tb) {
        OpenClBackend b = tb.backend();
        long elements = Math.max(b.context().device().maxAllocBytes(), b.info().globalMemoryBytes()) / 4 * 64;
        DeviceOutOfMemoryException e = null;
        try {
            DeviceMemory m = b.allocate(elements);
            b.release(m);
        } catch (DeviceOutOfMemoryException expected) {
            e = expected;
        }
        assumeTrue(e != null, "the driver of " + tb + " accepted an allocation of " + elements + " floats (lazy allocation)");
        assertTrue(e.getMessage().contains(Long.toString(elements)), e.getMessage());
        assertTrue(e.getMessage().contains(b.info().spec()), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void misuseIsRejectedWithHouseMessages(TestBackend tb) {
        OpenClBackend b = tb.backend();
        DeviceMemory d = b.allocate(10);
        DeviceMemory foreign = () -> 10;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.unary(UnaryOp.NEG, 10, foreign, 0, d, 0));
        assertTrue(e.getMessage().startsWith("OpenClBackend.unary: x must be memory allocated by this backend"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.unary(UnaryOp.NEG, 10, d, 1, d, 0));
        assertTrue(e.getMessage().startsWith("OpenClBackend.unary: x range [1, 11) must lie in [0, 10)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> b.read(d, 5, new float[10], 0, 6));
        assertTrue(e.getMessage().contains("must lie in [0, 10)"), e.getMessage());
        b.release(d);
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> b.fill(d, 0, 1, 0f));
        assertTrue(s.getMessage().contains("must be live"), s.getMessage());
    }
}
