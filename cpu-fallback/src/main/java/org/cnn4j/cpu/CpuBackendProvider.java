package org.cnn4j.cpu;

import java.util.List;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BackendProvider;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.cnn4j.runtime.spi.DeviceType;

/**
 * Provider of the pure-Java backend, id {@code "cpu"}: one device, the JVM itself, with
 * {@link CpuParallel#threads()} worker threads and the maximum heap as its memory. Always available.
 * Registered in {@code META-INF/services/org.cnn4j.runtime.spi.BackendProvider}.
 */
public final class CpuBackendProvider implements BackendProvider {
    /** Backend id of this provider. */
    public static final String ID = "cpu";

    /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
    public CpuBackendProvider() {
        // nothing to set up
    }

    @Override
    public String id() {
        return ID;
    }

    /** The single CPU device: {@code DeviceInfo("cpu", 0, "Java CPU (<threads> threads)", CPU, vm vendor, vm version, "pure Java, <os.arch>", threads, max heap)}. */
    @Override
    public List<DeviceInfo> devices() {
        int threads = CpuParallel.threads();
        return List.of(new DeviceInfo(ID, 0, "Java CPU (" + threads + " threads)", DeviceType.CPU,
                System.getProperty("java.vm.vendor"), System.getProperty("java.vm.version"),
                "pure Java, " + System.getProperty("os.arch"), threads, Runtime.getRuntime().maxMemory()));
    }

    /**
     * Opens the backend on the CPU device.
     *
     * @throws BackendUnavailableException when {@code device} is not this provider's device
     */
    @Override
    public Backend open(DeviceInfo device) throws BackendUnavailableException {
        if (device == null || !ID.equals(device.backend()) || device.index() != 0) {
            throw new BackendUnavailableException("CpuBackendProvider.open: device must be cpu:0 from devices(), but got "
                    + (device == null ? "null" : device.describe()));
        }
        return new CpuBackend(device);
    }
}
