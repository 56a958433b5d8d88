package org.cnn4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.ServiceLoader;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BackendProvider;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.junit.jupiter.api.Test;

/** The provider is found by ServiceLoader and reports a missing OpenCL as BackendUnavailableException, never a crash. */
class OpenClBackendProviderTest {
    private static BackendProvider provider() {
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if ("opencl".equals(p.id())) {
                return p;
            }
        }
        return fail("ServiceLoader must find the opencl BackendProvider, but it did not");
    }

    @Test
    void devicesOrAReasonNeverAnotherException() {
        BackendProvider provider = provider();
        try {
            List<DeviceInfo> devices = provider.devices();
            assertFalse(devices.isEmpty());
            for (int i = 0; i < devices.size(); i++) {
                DeviceInfo d = devices.get(i);
                assertEquals("opencl", d.backend());
                assertEquals(i, d.index());
                assertEquals("opencl:" + i, d.spec());
                assertFalse(d.name().isBlank());
                assertTrue(d.computeUnits() > 0 && d.globalMemoryBytes() > 0, d.describe());
            }
            assertEquals(devices, provider.devices(), "enumeration order must be stable");
        } catch (BackendUnavailableException e) {
            assertFalse(e.getMessage().isBlank());
            assertFalse(e.getMessage().contains("\n"), "one-line reason: " + e.getMessage());
            System.out.println("OpenCL unavailable, as reported by the provider: " + e.getMessage());
            if (OpenClTestSupport.required()) {
                fail("An OpenCL device is required (CNN4J_REQUIRE_OPENCL=true), but: " + e.getMessage(), e);
            }
        }
    }

    @Test
    void opensEveryDevice() throws BackendUnavailableException {
        OpenClTestSupport.devicesOrSkip();
        BackendProvider provider = provider();
        for (DeviceInfo d : provider.devices()) {
            try (Backend backend = provider.open(d)) {
                assertEquals(d, backend.info());
                backend.synchronize();
            }
        }
    }

    @Test
    void unknownDeviceIsUnavailable() {
        OpenClTestSupport.devicesOrSkip();
        DeviceInfo ghost = new DeviceInfo("opencl", 99, "no such device", org.cnn4j.runtime.spi.DeviceType.GPU, "x", "1", "p", 1, 1);
        try {
            provider().open(ghost).close();
            fail("opening a device that does not exist must fail");
        } catch (BackendUnavailableException e) {
            assertTrue(e.getMessage().contains("opencl:99"), e.getMessage());
        }
        assumeTrue(true);
    }
}
