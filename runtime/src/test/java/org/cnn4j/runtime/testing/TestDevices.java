package org.cnn4j.runtime.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.junit.jupiter.api.Named;

/**
 * The devices every backend contract test runs on: the CPU fallback always, plus every OpenCL device
 * found. Use as {@code @MethodSource("org.cnn4j.runtime.testing.TestDevices#all")} with
 * {@code @ParameterizedTest(name = "{0}")}, so test names show the backend ({@code cpu}, {@code opencl:0}).
 *
 * <p>When OpenCL is required ({@code CNN4J_REQUIRE_OPENCL=true} in the environment, as CI sets it, or
 * {@code -Dcnn4j.requireOpencl=true}), finding no OpenCL device fails the tests instead of silently
 * running them on the CPU alone.
 */
public final class TestDevices {
    private static List<Device> devices;

    private TestDevices() {
    }

    /** True when a missing OpenCL device must fail the build. */
    public static boolean openclRequired() {
        return Boolean.parseBoolean(System.getenv("CNN4J_REQUIRE_OPENCL")) || Boolean.getBoolean("cnn4j.requireOpencl");
    }

    /** All test devices, as named arguments. */
    public static Stream<Named<Device>> all() {
        return devices().stream().map(d -> Named.of(d.spec(), d));
    }

    /**
     * The OpenCL test devices only (empty when there are none and OpenCL is not required). Not for a
     * {@code @MethodSource}: JUnit rejects an empty source; iterate {@link #all()} and skip the cpu instead.
     */
    public static Stream<Named<Device>> opencl() {
        return devices().stream().filter(d -> !d.spec().equals("cpu")).map(d -> Named.of(d.spec(), d));
    }

    /** The CPU fallback. */
    public static Device cpu() {
        return Device.cpu();
    }

    /** The test devices, opened once. */
    public static synchronized List<Device> devices() {
        if (devices == null) {
            List<Device> list = new ArrayList<>();
            list.add(Device.cpu());
            for (DeviceInfo info : Device.available()) {
                if (info.backend().equals("opencl")) {
                    list.add(Device.of(info.spec()));
                }
            }
            if (list.size() == 1 && openclRequired()) {
                throw new AssertionError("OpenCL is required (CNN4J_REQUIRE_OPENCL=true) but no OpenCL device was found; "
                        + "install pocl-opencl-icd and ocl-icd-libopencl1, and see the WARN line of DeviceSelector for the reason");
            }
            devices = List.copyOf(list);
        }
        return devices;
    }
}
