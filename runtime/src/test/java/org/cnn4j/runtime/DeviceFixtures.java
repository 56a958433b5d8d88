package org.cnn4j.runtime;

import org.cnn4j.runtime.spi.Backend;

/**
 * Test seam for devices the selector does not open: a {@link Device} (with its own memory pool) over a
 * backend the test configured itself, such as an OpenCL context opened with forced small limits. The
 * test owns the backend and closes it; the selector never sees the device.
 */
public final class DeviceFixtures {
    private DeviceFixtures() {
    }

    /** A device over {@code backend}, separate from the one {@link Device#of} would return for its spec. */
    public static Device wrap(Backend backend) {
        return new Device(backend);
    }
}
