package org.cnn4j.benchmarks;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.DeviceUnavailableException;

/** Opens the device a benchmark parameter names, or skips the benchmark with the reason. */
final class BenchDevices {
    private BenchDevices() {
    }

    /**
     * Raised from a JMH {@code @Setup} when the device is not available here: JMH reports the benchmark as
     * not run with this one-line message (no stack trace) and goes on with the next one.
     */
    static final class DeviceSkipped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DeviceSkipped(String message) {
            super(message, null, false, false);
        }

        @Override
        public String toString() {
            return "SKIPPED: " + getMessage();
        }
    }

    /**
     * The device {@code spec} names ({@code cpu}, {@code opencl}, {@code opencl:<index>}).
     *
     * @throws DeviceSkipped when it is not available, with the reason
     */
    static Device open(String spec) {
        try {
            Device device = Device.of(spec);
            System.out.println("# device " + spec + ": " + device.info().describe());
            return device;
        } catch (DeviceUnavailableException e) {
            throw new DeviceSkipped("device '" + spec + "' is not available here, benchmark skipped (" + e.getMessage() + ")");
        }
    }
}
