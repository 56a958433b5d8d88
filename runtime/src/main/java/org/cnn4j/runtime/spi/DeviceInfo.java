package org.cnn4j.runtime.spi;

/**
 * What a backend says about the device it runs on.
 *
 * @param backend backend id, {@code "cpu"} or {@code "opencl"}
 * @param index index among the backend's devices (OpenCL: across all platforms, in platform order)
 * @param name device name as the driver reports it
 * @param type {@link DeviceType}
 * @param vendor vendor name
 * @param driverVersion driver version string
 * @param platform platform (OpenCL) or runtime (CPU) description
 * @param computeUnits compute units (OpenCL) or worker threads (CPU)
 * @param globalMemoryBytes device memory size in bytes
 */
public record DeviceInfo(String backend, int index, String name, DeviceType type, String vendor,
                         String driverVersion, String platform, int computeUnits, long globalMemoryBytes) {

    /** The device spec that selects this device: {@code cpu} or {@code opencl:<index>}. */
    public String spec() {
        return "cpu".equals(backend) ? "cpu" : backend + ":" + index;
    }

    /** One line for logs: spec, name, type, driver. */
    public String describe() {
        return spec() + " (" + name + ", " + type + ", " + vendor + ", driver " + driverVersion + ", " + platform + ")";
    }
}
