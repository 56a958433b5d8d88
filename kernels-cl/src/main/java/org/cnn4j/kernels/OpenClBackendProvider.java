package org.cnn4j.kernels;

import java.util.List;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClDevice;
import org.cnn4j.runtime.opencl.ClDevices;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BackendProvider;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.spi.DeviceInfo;

/**
 * The {@code opencl} backend provider, registered in {@code META-INF/services}. Devices are listed
 * across all OpenCL platforms in a stable order ({@link ClDevices}); a machine without OpenCL gets a
 * {@link BackendUnavailableException} with the reason, never a crash.
 */
public final class OpenClBackendProvider implements BackendProvider {
    /** The backend id in device specs ({@code opencl:N}). */
    public static final String ID = "opencl";

    /** Needed by {@link java.util.ServiceLoader}. */
    public OpenClBackendProvider() {
        // stateless: every call enumerates afresh, so a driver installed later is seen
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<DeviceInfo> devices() throws BackendUnavailableException {
        return ClDevices.enumerate().stream().map(ClDevice::info).toList();
    }

    @Override
    public Backend open(DeviceInfo device) throws BackendUnavailableException {
        if (!ID.equals(device.backend())) {
            throw new IllegalArgumentException("OpenClBackendProvider.open: device must belong to backend '" + ID
                    + "', but got " + device.describe());
        }
        List<ClDevice> devices = ClDevices.enumerate();
        for (ClDevice candidate : devices) {
            if (candidate.info().index() == device.index() && candidate.info().name().equals(device.name())) {
                return new OpenClBackend(ClContext.open(candidate));
            }
        }
        throw new BackendUnavailableException("cannot open " + device.spec() + " (" + device.name()
                + "): no such OpenCL device now (" + devices.size() + " device(s) found)");
    }
}
