package org.cnn4j.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts host/device transfers made through the runtime on one device, so tests and benchmarks can
 * check that a training step moves only what the user asked for.
 */
public final class TransferStats {
    private final AtomicLong hostToDevice = new AtomicLong();
    private final AtomicLong hostToDeviceBytes = new AtomicLong();
    private final AtomicLong deviceToHost = new AtomicLong();
    private final AtomicLong deviceToHostBytes = new AtomicLong();

    void recordUpload(long elements) {
        hostToDevice.incrementAndGet();
        hostToDeviceBytes.addAndGet(elements * Float.BYTES);
    }

    void recordDownload(long elements) {
        deviceToHost.incrementAndGet();
        deviceToHostBytes.addAndGet(elements * Float.BYTES);
    }

    /** Number of host-to-device transfers so far. */
    public long hostToDeviceTransfers() {
        return hostToDevice.get();
    }

    /** Bytes moved host to device so far. */
    public long hostToDeviceBytes() {
        return hostToDeviceBytes.get();
    }

    /** Number of device-to-host transfers so far. */
    public long deviceToHostTransfers() {
        return deviceToHost.get();
    }

    /** Bytes moved device to host so far. */
    public long deviceToHostBytes() {
        return deviceToHostBytes.get();
    }

    @Override
    public String toString() {
        return "TransferStats[hostToDevice=" + hostToDevice + " (" + hostToDeviceBytes + " B), deviceToHost="
                + deviceToHost + " (" + deviceToHostBytes + " B)]";
    }
}
