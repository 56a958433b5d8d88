package org.cnn4j.runtime.spi;

import java.util.List;

/**
 * Entry point of a backend, found with {@link java.util.ServiceLoader}: the {@code cpu-fallback} and
 * {@code kernels-cl} modules each register one in {@code META-INF/services}.
 */
public interface BackendProvider {
    /** Backend id used in device specs: {@code "cpu"} or {@code "opencl"}. */
    String id();

    /**
     * Lists the devices this backend can use, in a stable order (the index in a spec is the position here).
     *
     * @throws BackendUnavailableException when the backend cannot run on this machine, with the reason
     */
    List<DeviceInfo> devices() throws BackendUnavailableException;

    /**
     * Opens a backend on one of the devices {@link #devices()} listed.
     *
     * @throws BackendUnavailableException when the device cannot be opened (e.g. context creation fails)
     */
    Backend open(DeviceInfo device) throws BackendUnavailableException;
}
