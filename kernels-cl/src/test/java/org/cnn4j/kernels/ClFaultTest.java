package org.cnn4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.opencl.ClNdRange;
import org.cnn4j.runtime.opencl.ClWorkGroupSizeException;
import org.cnn4j.runtime.opencl.OpenClException;
import org.cnn4j.runtime.spi.DeviceOutOfMemoryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Device faults provoked for real on every OpenCL device, and the typed exceptions they become: a launch
 * the driver itself refuses with {@code CL_INVALID_WORK_GROUP_SIZE}, and an allocation above
 * {@code CL_DEVICE_MAX_MEM_ALLOC_SIZE}. Build failures are in {@link ProgramCacheTest}, launches refused
 * before the call in {@link ClLaunchTest}, kinds that cannot be provoked (a lost device,
 * {@code CL_OUT_OF_RESOURCES}) in {@link ClStatusTest}.
 */
class ClFaultTest {
    /** A kernel that demands work-groups of exactly 8 items; any other local size is the driver's error. */
    private static final String FIXED_GROUP = """
            __kernel __attribute__((reqd_work_group_size(8, 1, 1)))
            void fixed_group(__global float* out) {
                out[get_global_id(0)] = (float) get_local_id(0);
            }
            """;

    static Stream<TestBackend> backends() {
        return OpenClTestSupport.defaultBackends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void driverRefusalOfAWorkGroupSizeIsTypedWithKernelAndSizes(TestBackend tb) {
        ClContext context = tb.backend().context();
        ClKernel kernel = context.program("fault-test.cl", FIXED_GROUP, Map.of()).kernel("fixed_group");
        assumeTrue(kernel.maxWorkGroupSize() >= 8, tb + " allows work-groups of at most " + kernel.maxWorkGroupSize()
                + " items, fewer than the 8 the kernel requires");
        ClBuffer out = context.allocate(16);
        try {
            try (ClLaunch l = kernel.begin()) {
                l.arg(out).enqueue(new ClNdRange(new long[] {16}, new long[] {8}));
            }
            float[] ids = new float[16];
            context.read(out, 0, ids, 0, 16);
            assertEquals(7f, ids[15], "the required shape launches (local id of item 15) on " + tb);

            ClNdRange wrong = new ClNdRange(new long[] {16}, new long[] {4});
            try (ClLaunch l = kernel.begin()) {
                l.arg(out);
                // 4 items are within every limit ClLaunch checks, so this is the driver's own refusal
                ClWorkGroupSizeException e = assertThrows(ClWorkGroupSizeException.class, () -> l.enqueue(wrong));
                assertEquals("CL_INVALID_WORK_GROUP_SIZE", e.statusName(), e.getMessage());
                assertEquals("clEnqueueNDRangeKernel", e.call());
                assertEquals("fixed_group", e.kernel());
                assertEquals(wrong, e.range());
                assertEquals("clEnqueueNDRangeKernel failed with CL_INVALID_WORK_GROUP_SIZE (-54) (kernel fixed_group of "
                        + "fault-test.cl on " + context.device().label() + ", global=[16], local=[4])", e.getMessage());
            }
        } finally {
            context.release(out);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void allocationAboveTheDeviceMaximumIsTypedWithTheSizes(TestBackend tb) {
        OpenClBackend b = tb.backend();
        long maxBytes = b.context().device().maxAllocBytes();
        long elements = maxBytes / Float.BYTES + 1024;
        long bytes = elements * Float.BYTES;
        DeviceOutOfMemoryException e = null;
        try {
            b.release(b.allocate(elements));
        } catch (DeviceOutOfMemoryException expected) {
            e = expected;
        }
        assumeTrue(e != null, "the driver of " + tb + " accepted " + bytes + " bytes, above its CL_DEVICE_MAX_MEM_ALLOC_SIZE of "
                + maxBytes + " (the OpenCL spec says it must refuse with CL_INVALID_BUFFER_SIZE)");
        assertTrue(e.getMessage().contains("cannot allocate " + bytes + " bytes (" + elements + " floats)"), e.getMessage());
        assertTrue(e.getMessage().contains("max single allocation " + maxBytes + " bytes"), e.getMessage());
        assertTrue(e.getCause() instanceof OpenClException, "the cause carries the OpenCL status: " + e.getCause());
        OpenClException cause = (OpenClException) e.getCause();
        assertEquals("clCreateBuffer", cause.call());
        assertTrue(cause.statusName().equals("CL_INVALID_BUFFER_SIZE") || cause.statusName().equals("CL_MEM_OBJECT_ALLOCATION_FAILURE"),
                cause.getMessage());
        assertTrue(e.getMessage().contains(cause.statusName()), e.getMessage());
    }
}
