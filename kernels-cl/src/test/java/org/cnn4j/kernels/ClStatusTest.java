package org.cnn4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuildException;
import org.cnn4j.runtime.opencl.ClStatus;
import org.cnn4j.runtime.opencl.OpenClException;
import org.cnn4j.runtime.spi.BackendException;
import org.junit.jupiter.api.Test;

/** Status names and the OpenCL exceptions' messages; needs no device. */
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
}
