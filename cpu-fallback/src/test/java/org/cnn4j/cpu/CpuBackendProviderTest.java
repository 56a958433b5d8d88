package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.ServiceLoader;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BackendProvider;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.cnn4j.runtime.spi.DeviceType;
import org.junit.jupiter.api.Test;

/** The provider is found by {@link ServiceLoader} and describes one CPU device. */
class CpuBackendProviderTest {

    @Test
    void registeredAsService() {
        List<String> ids = ServiceLoader.load(BackendProvider.class).stream().map(p -> p.get().id()).toList();
        assertTrue(ids.contains("cpu"), "ServiceLoader must find the cpu provider, but found " + ids);
    }

    @Test
    void oneCpuDevice() throws BackendUnavailableException {
        CpuBackendProvider provider = new CpuBackendProvider();
        List<DeviceInfo> devices = provider.devices();
        assertEquals(1, devices.size());
        DeviceInfo d = devices.get(0);
        assertEquals("cpu", d.backend());
        assertEquals(0, d.index());
        assertEquals(DeviceType.CPU, d.type());
        assertEquals(CpuParallel.threads(), d.computeUnits());
        assertEquals("Java CPU (" + CpuParallel.threads() + " threads)", d.name());
        assertEquals("pure Java, " + System.getProperty("os.arch"), d.platform());
        assertEquals(Runtime.getRuntime().maxMemory(), d.globalMemoryBytes());
        assertEquals("cpu", d.spec());
        try (Backend backend = provider.open(d)) {
            assertEquals(d, backend.info());
            backend.synchronize();
        }
    }

    @Test
    void openRejectsAnotherDevice() {
        DeviceInfo other = new DeviceInfo("opencl", 0, "gpu", DeviceType.GPU, "v", "1", "p", 1, 1);
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> new CpuBackendProvider().open(other));
        assertTrue(e.getMessage().startsWith("CpuBackendProvider.open: device must be cpu:0"), e.getMessage());
    }
}
