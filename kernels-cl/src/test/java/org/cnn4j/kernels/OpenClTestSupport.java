package org.cnn4j.kernels;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClDevice;
import org.cnn4j.runtime.opencl.ClDevices;
import org.cnn4j.runtime.spi.BackendUnavailableException;

/**
 * Finds the OpenCL devices the tests run on, and decides what a missing device means: a skip with the
 * reason, or (when {@code CNN4J_REQUIRE_OPENCL=true} or {@code -Dcnn4j.requireOpencl=true}, as CI sets)
 * a failure with the reason, so that the OpenCL path never goes silently untested.
 *
 * <p>Backends are opened once per JVM and shared: one per device with the default work-group limits and
 * one with {@code cnn4j.opencl.maxWorkGroupSize} forced to {@value #SMALL_GROUP}, so every kernel family
 * also runs with many small work-groups. {@link #smallLocalMemory()} adds one per device that plans with
 * only {@value #SMALL_LOCAL_MEM} bytes of local memory ({@code cnn4j.opencl.maxLocalMemBytes}), for the
 * families whose kernels use it. Their binary cache is a temporary directory of this JVM.
 */
public final class OpenClTestSupport {
    /** The work-group cap of the second configuration. */
    public static final int SMALL_GROUP = 16;
    /** The local-memory cap of {@link #smallLocalMemory()}, in bytes: two 8 x 8 float tiles. */
    public static final long SMALL_LOCAL_MEM = 512;

    private static final Map<String, TestBackend> OPENED = new ConcurrentHashMap<>();
    private static Path cacheDir;

    /**
     * A backend under test and how it was configured; {@code toString} names the test case. Without a
     * device the sources yield one placeholder whose {@link #backend()} skips (or fails) with the reason,
     * so that every parameterized test reports itself skipped instead of vanishing.
     *
     * @param backend the backend, or null when {@code unavailable} says why there is none
     * @param cap the work-group cap, or 0 for none
     * @param localMem the local-memory cap in bytes, or 0 for none
     * @param unavailable why no OpenCL device is available, or null
     */
    public record TestBackend(OpenClBackend backend, int cap, long localMem, String unavailable) {
        /** The backend; skips the test (fails it when a device is required) when there is none. */
        @Override
        public OpenClBackend backend() {
            if (unavailable != null) {
                skipOrFail(unavailable);
            }
            return backend;
        }

        @Override
        public String toString() {
            return unavailable != null ? "no OpenCL device"
                    : backend.context().device().label() + (cap == 0 ? "" : " maxWorkGroupSize=" + cap)
                    + (localMem == 0 ? "" : " maxLocalMemBytes=" + localMem);
        }
    }

    private OpenClTestSupport() {
    }

    /** Whether a missing OpenCL device must fail the tests. */
    public static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CNN4J_REQUIRE_OPENCL"))
                || "true".equalsIgnoreCase(System.getProperty("cnn4j.requireOpencl"));
    }

    /** All OpenCL devices, or a skip (or failure, when required) that states why there are none. */
    public static List<ClDevice> devicesOrSkip() {
        try {
            return ClDevices.enumerate();
        } catch (BackendUnavailableException e) {
            skipOrFail(e.getMessage());
            throw new AssertionError("unreachable");
        }
    }

    private static void skipOrFail(String reason) {
        if (required()) {
            fail("An OpenCL device is required (CNN4J_REQUIRE_OPENCL=true or -Dcnn4j.requireOpencl=true), but: " + reason);
        }
        assumeTrue(false, "Skipped: no OpenCL device (" + reason + ")");
    }

    private static List<ClDevice> devicesOrEmpty(List<String> reason) {
        try {
            return ClDevices.enumerate();
        } catch (BackendUnavailableException e) {
            reason.add(e.getMessage());
            return List.of();
        }
    }

    /** Every device, twice: default limits and {@value #SMALL_GROUP}-item work-groups. For {@code @MethodSource}. */
    public static Stream<TestBackend> backends() {
        List<String> reason = new ArrayList<>();
        List<TestBackend> all = new ArrayList<>();
        for (ClDevice device : devicesOrEmpty(reason)) {
            all.add(open(device, 0, 0));
            all.add(open(device, SMALL_GROUP, 0));
        }
        return reason.isEmpty() ? all.stream() : Stream.of(new TestBackend(null, 0, 0, reason.get(0)));
    }

    /** Every device with local memory capped at {@value #SMALL_LOCAL_MEM} bytes. For {@code @MethodSource}. */
    public static Stream<TestBackend> smallLocalMemory() {
        List<String> reason = new ArrayList<>();
        List<ClDevice> devices = devicesOrEmpty(reason);
        return reason.isEmpty() ? devices.stream().map(d -> open(d, 0, SMALL_LOCAL_MEM))
                : Stream.of(new TestBackend(null, 0, 0, reason.get(0)));
    }

    /** Every device with default limits. For {@code @MethodSource}. */
    public static Stream<TestBackend> defaultBackends() {
        List<String> reason = new ArrayList<>();
        List<ClDevice> devices = devicesOrEmpty(reason);
        return reason.isEmpty() ? devices.stream().map(d -> open(d, 0, 0)) : Stream.of(new TestBackend(null, 0, 0, reason.get(0)));
    }

    private static TestBackend open(ClDevice device, int cap, long localMem) {
        return OPENED.computeIfAbsent(device.info().spec() + "/" + cap + "/" + localMem, key -> {
            synchronized (OpenClTestSupport.class) {
                String previousCap = System.getProperty(ClContext.MAX_WORK_GROUP_PROPERTY);
                String previousLocal = System.getProperty(ClContext.MAX_LOCAL_MEM_PROPERTY);
                try {
                    setOrClear(ClContext.MAX_WORK_GROUP_PROPERTY, cap > 0 ? Integer.toString(cap) : null);
                    setOrClear(ClContext.MAX_LOCAL_MEM_PROPERTY, localMem > 0 ? Long.toString(localMem) : null);
                    return new TestBackend(new OpenClBackend(ClContext.open(device, cacheDir())), cap, localMem, null);
                } catch (BackendUnavailableException e) {
                    throw new AssertionError("cannot open " + device.label() + ": " + e.getMessage(), e);
                } finally {
                    setOrClear(ClContext.MAX_WORK_GROUP_PROPERTY, previousCap);
                    setOrClear(ClContext.MAX_LOCAL_MEM_PROPERTY, previousLocal);
                }
            }
        });
    }

    private static void setOrClear(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private static synchronized Path cacheDir() {
        if (cacheDir == null) {
            try {
                cacheDir = Files.createTempDirectory("cnn4j-test-kernels");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return cacheDir;
    }
}
