package org.cnn4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuildException;
import org.cnn4j.runtime.opencl.ClDeviceLostException;
import org.cnn4j.runtime.opencl.ClNdRange;
import org.cnn4j.runtime.opencl.ClOutOfResourcesException;
import org.cnn4j.runtime.opencl.ClStatus;
import org.cnn4j.runtime.opencl.ClWorkGroupSizeException;
import org.cnn4j.runtime.opencl.OpenClException;
import org.cnn4j.runtime.spi.BackendException;
import org.junit.jupiter.api.Test;

/**
 * Status names, the OpenCL exceptions' messages and the status-to-type mapping; needs no device. Lost
 * devices and {@code CL_OUT_OF_RESOURCES} cannot be provoked on demand, so their mapping is checked here;
 * {@link ClFaultTest} provokes the others on a real device.
 */
class ClStatusTest {
    @Test
    void namesCoreAndExtensionCodes() {
        assertEquals("CL_SUCCESS", ClStatus.name(0));
        assertEquals("CL_DEVICE_NOT_FOUND", ClStatus.name(-1));
        assertEquals("CL_MEM_OBJECT_ALLOCATION_FAILURE", ClStatus.name(-4));
        assertEquals("CL_OUT_OF_RESOURCES", ClStatus.name(-5));
        assertEquals("CL_BUILD_PROGRAM_FAILURE", ClStatus.name(-11));
        assertEquals("CL_INVALID_VALUE", ClStatus.name(-30));
        assertEquals("CL_INVALID_KERNEL_ARGS", ClStatus.name(-52));
        assertEquals("CL_INVALID_WORK_GROUP_SIZE", ClStatus.name(-54));
        assertEquals("CL_INVALID_BUFFER_SIZE", ClStatus.name(-61));
        assertEquals("CL_INVALID_GLOBAL_WORK_SIZE", ClStatus.name(-63));
        assertEquals("CL_MAX_SIZE_RESTRICTION_EXCEEDED", ClStatus.name(-72));
        assertEquals("CL_PLATFORM_NOT_FOUND_KHR", ClStatus.name(-1001));
        assertEquals("CL_UNKNOWN_ERROR", ClStatus.name(-12345));
        assertEquals("CL_INVALID_WORK_GROUP_SIZE (-54)", ClStatus.describe(-54));
    }

    @Test
    void everyCoreCodeHasAName() {
        for (int code = 0; code >= -19; code--) {
            assertFalse(ClStatus.name(code).equals("CL_UNKNOWN_ERROR"), "code " + code);
        }
        for (int code = -30; code >= -72; code--) {
            assertFalse(ClStatus.name(code).equals("CL_UNKNOWN_ERROR"), "code " + code);
        }
    }

    @Test
    void outOfMemoryCodes() {
        assertTrue(ClStatus.isOutOfMemory(-4));
        assertTrue(ClStatus.isOutOfMemory(-5));
        assertTrue(ClStatus.isOutOfMemory(-6));
        assertTrue(ClStatus.isOutOfMemory(-61));
        assertFalse(ClStatus.isOutOfMemory(-54));
    }

    @Test
    void openClExceptionNamesCallStatusAndContext() {
        OpenClException e = new OpenClException("clEnqueueNDRangeKernel", -54,
                "kernel gemm_tiled of gemm.cl on opencl:0 (dev), global=[64, 16, 1], local=[32, 8, 1]");
        assertTrue(e instanceof BackendException);
        assertEquals("clEnqueueNDRangeKernel failed with CL_INVALID_WORK_GROUP_SIZE (-54) (kernel gemm_tiled of gemm.cl on "
                + "opencl:0 (dev), global=[64, 16, 1], local=[32, 8, 1])", e.getMessage());
        assertEquals("CL_INVALID_WORK_GROUP_SIZE", e.statusName());
        assertEquals(-54, e.status());
        assertEquals("clEnqueueNDRangeKernel", e.call());
    }

    @Test
    void buildExceptionCarriesFileDefinesDeviceAndLog() {
        ClBuildException e = new ClBuildException("gemm.cl", Map.of("WPT", "4", "TS", "16"), "opencl:0 (dev)", -11,
                "gemm.cl:3:1: error: expected ';'");
        assertTrue(e instanceof BackendException);
        assertEquals("clBuildProgram failed with CL_BUILD_PROGRAM_FAILURE (-11) for gemm.cl (defines={TS=16, WPT=4}, "
                + "device=opencl:0 (dev)); build log:\ngemm.cl:3:1: error: expected ';'", e.getMessage());
    }

    @Test
    void eachFailureKindMapsToItsTypeWithStatusKernelAndSizes() {
        ClNdRange range = new ClNdRange(new long[] {64, 16}, new long[] {32, 8});
        Map<Integer, Class<?>> kinds = Map.of(
                -4, ClOutOfResourcesException.class,
                -5, ClOutOfResourcesException.class,
                -6, ClOutOfResourcesException.class,
                -54, ClWorkGroupSizeException.class,
                -55, ClWorkGroupSizeException.class,
                -2, ClDeviceLostException.class,
                -1121, ClDeviceLostException.class,
                -30, OpenClException.class,
                -52, OpenClException.class);
        kinds.forEach((status, type) -> {
            OpenClException e = OpenClException.of("clEnqueueNDRangeKernel", status, "conv_forward", range,
                    "kernel conv_forward of conv.cl on opencl:0 (dev), " + range);
            assertEquals(type, e.getClass(), "status " + ClStatus.describe(status));
            assertEquals(status, e.status());
            assertEquals("conv_forward", e.kernel());
            assertEquals(range, e.range());
            assertEquals("clEnqueueNDRangeKernel failed with " + ClStatus.describe(status) + " (kernel conv_forward of conv.cl on "
                    + "opencl:0 (dev), global=[64, 16], local=[32, 8])", e.getMessage());
        });
    }

    @Test
    void callsThatLaunchNothingHaveNoKernelOrSizes() {
        OpenClException e = OpenClException.of("clFinish", -5, null, null, "opencl:0 (dev)");
        assertTrue(e instanceof ClOutOfResourcesException, e.getClass().getName());
        assertEquals("CL_OUT_OF_RESOURCES", e.statusName());
        assertNull(e.kernel());
        assertNull(e.range());
        ClBuildException b = new ClBuildException("gemm.cl", Map.of(), "opencl:0 (dev)", -11, "log");
        assertTrue(b instanceof OpenClException, "a build failure is an OpenClException too");
        assertEquals("clBuildProgram", b.call());
        assertEquals("CL_BUILD_PROGRAM_FAILURE", b.statusName());
    }
}
