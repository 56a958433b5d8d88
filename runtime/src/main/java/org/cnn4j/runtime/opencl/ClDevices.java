package org.cnn4j.runtime.opencl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.cnn4j.runtime.spi.DeviceType;
import org.jocl.CL;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enumerates OpenCL devices across all platforms in a stable order: platforms in the order
 * {@code clGetPlatformIDs} returns them, and each platform's devices in {@code clGetDeviceIDs} order.
 * A device's index in that list is the {@code N} of the device spec {@code opencl:N}.
 *
 * <p>Every way OpenCL can be missing becomes a {@link BackendUnavailableException} with a one-line
 * reason: JOCL or {@code libOpenCL} not loadable, no ICD vendor driver ({@code CL_PLATFORM_NOT_FOUND_KHR}),
 * no platform, no device.
 */
public final class ClDevices {
    private static final Logger LOG = LoggerFactory.getLogger(ClDevices.class);
    private static final String UNAVAILABLE = "OpenCL is unavailable: ";
    private static volatile String loadFailure;

    private ClDevices() {
    }

    /**
     * Loads JOCL and turns its exceptions off, so that every status goes through {@link ClCheck}.
     *
     * @throws BackendUnavailableException when JOCL's native library or {@code libOpenCL} cannot be loaded
     */
    static void loadNative() throws BackendUnavailableException {
        String failed = loadFailure;
        if (failed != null) {
            throw new BackendUnavailableException(failed);
        }
        try {
            CL.setExceptionsEnabled(false);
        } catch (Throwable t) { // NOSONAR: JOCL reports a missing native library as any LinkageError or Error
            String reason = UNAVAILABLE + "the OpenCL library could not be loaded (" + t.getClass().getSimpleName() + ": "
                    + firstLine(t.getMessage()) + ")" + sonameHint();
            loadFailure = reason;   // later attempts only see "Could not initialize class org.jocl.CL"
            throw new BackendUnavailableException(reason, t);
        }
    }

    /**
     * JOCL 2.0.5 opens the ICD loader by the exact name {@code libOpenCL.so}, which only the loader's
     * development package installs; a system with just {@code libOpenCL.so.1} needs a hint.
     */
    private static String sonameHint() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return "";
        }
        List<String> dirs = new ArrayList<>(List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64",
                "/usr/lib", "/usr/local/lib", "/lib/x86_64-linux-gnu"));
        String ldPath = System.getenv("LD_LIBRARY_PATH");
        if (ldPath != null) {
            dirs.addAll(0, List.of(ldPath.split(":")));
        }
        String versioned = null;
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            if (Files.exists(Path.of(dir, "libOpenCL.so"))) {
                return "";
            }
            if (versioned == null && Files.exists(Path.of(dir, "libOpenCL.so.1"))) {
                versioned = dir + "/libOpenCL.so.1";
            }
        }
        return versioned == null ? "; no libOpenCL.so.1 found either: install an OpenCL ICD loader and driver"
                : "; JOCL opens 'libOpenCL.so' by that name but only " + versioned + " exists: install the ICD loader's "
                + "development package (e.g. ocl-icd-opencl-dev) or put a libOpenCL.so symlink to it on LD_LIBRARY_PATH";
    }

    /**
     * All devices of all platforms, in the stable order described on the type.
     *
     * @throws BackendUnavailableException when OpenCL is missing or reports no device
     */
    public static List<ClDevice> enumerate() throws BackendUnavailableException {
        loadNative();
        cl_platform_id[] platforms;
        try {
            platforms = platforms();
        } catch (Throwable t) { // NOSONAR: a broken ICD loader may fail in native code in any way
            if (t instanceof BackendUnavailableException b) {
                throw b;
            }
            throw new BackendUnavailableException(UNAVAILABLE + "clGetPlatformIDs failed ("
                    + t.getClass().getSimpleName() + ": " + firstLine(t.getMessage()) + ")", t);
        }
        List<ClDevice> devices = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (cl_platform_id platform : platforms) {
            try {
                addDevices(platform, devices);
            } catch (OpenClException e) {
                LOG.warn("Skipping an OpenCL platform whose devices cannot be queried: {}", e.getMessage());
                skipped.add(e.getMessage());
            }
        }
        if (devices.isEmpty()) {
            throw new BackendUnavailableException(UNAVAILABLE + platforms.length
                    + " platform(s) found but no device" + (skipped.isEmpty() ? "" : " (" + skipped.get(0) + ")"));
        }
        return List.copyOf(devices);
    }

    private static cl_platform_id[] platforms() throws BackendUnavailableException {
        int[] count = new int[1];
        int status = CL.clGetPlatformIDs(0, null, count);
        if (status == -1001) {
            throw new BackendUnavailableException(UNAVAILABLE + "no OpenCL platform found (clGetPlatformIDs returned "
                    + ClStatus.describe(status) + ": the ICD loader found no vendor driver; check /etc/OpenCL/vendors "
                    + "or OCL_ICD_VENDORS)");
        }
        if (status != 0) {
            throw new BackendUnavailableException(UNAVAILABLE + "clGetPlatformIDs failed with " + ClStatus.describe(status));
        }
        if (count[0] == 0) {
            throw new BackendUnavailableException(UNAVAILABLE + "no OpenCL platform found (clGetPlatformIDs returned 0)");
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        ClCheck.check(CL.clGetPlatformIDs(platforms.length, platforms, null), "clGetPlatformIDs", () -> "listing platforms");
        return platforms;
    }

    private static void addDevices(cl_platform_id platform, List<ClDevice> out) {
        String platformName = ClInfo.platformString(platform, CL.CL_PLATFORM_NAME, "CL_PLATFORM_NAME");
        String platformVersion = ClInfo.platformString(platform, CL.CL_PLATFORM_VERSION, "CL_PLATFORM_VERSION");
        int[] count = new int[1];
        int status = CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, 0, null, count);
        if (status == CL.CL_DEVICE_NOT_FOUND || (status == 0 && count[0] == 0)) {
            LOG.debug("OpenCL platform {} has no devices", platformName);
            return;
        }
        ClCheck.check(status, "clGetDeviceIDs", () -> "platform " + platformName);
        cl_device_id[] ids = new cl_device_id[count[0]];
        ClCheck.check(CL.clGetDeviceIDs(platform, CL.CL_DEVICE_TYPE_ALL, ids.length, ids, null),
                "clGetDeviceIDs", () -> "platform " + platformName);
        for (cl_device_id id : ids) {
            out.add(describe(platform, id, out.size(), platformName, platformVersion));
        }
    }

    private static ClDevice describe(cl_platform_id platform, cl_device_id id, int index, String platformName,
                                     String platformVersion) {
        String name = ClInfo.deviceString(id, CL.CL_DEVICE_NAME, "CL_DEVICE_NAME");
        DeviceInfo info = new DeviceInfo("opencl", index, name,
                type(ClInfo.deviceUlong(id, CL.CL_DEVICE_TYPE, "CL_DEVICE_TYPE")),
                ClInfo.deviceString(id, CL.CL_DEVICE_VENDOR, "CL_DEVICE_VENDOR"),
                ClInfo.deviceString(id, CL.CL_DRIVER_VERSION, "CL_DRIVER_VERSION"),
                platformName + " " + platformVersion,
                ClInfo.deviceUint(id, CL.CL_DEVICE_MAX_COMPUTE_UNITS, "CL_DEVICE_MAX_COMPUTE_UNITS"),
                ClInfo.deviceUlong(id, CL.CL_DEVICE_GLOBAL_MEM_SIZE, "CL_DEVICE_GLOBAL_MEM_SIZE"));
        int dims = ClInfo.deviceUint(id, CL.CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS, "CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS");
        return new ClDevice(platform, id, info, platformVersion,
                ClInfo.deviceString(id, CL.CL_DEVICE_OPENCL_C_VERSION, "CL_DEVICE_OPENCL_C_VERSION"),
                ClInfo.deviceSize(id, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE, "CL_DEVICE_MAX_WORK_GROUP_SIZE"),
                ClInfo.deviceSizes(id, CL.CL_DEVICE_MAX_WORK_ITEM_SIZES, Math.max(dims, 3), "CL_DEVICE_MAX_WORK_ITEM_SIZES"),
                ClInfo.deviceUlong(id, CL.CL_DEVICE_LOCAL_MEM_SIZE, "CL_DEVICE_LOCAL_MEM_SIZE"),
                ClInfo.deviceUlong(id, CL.CL_DEVICE_MAX_MEM_ALLOC_SIZE, "CL_DEVICE_MAX_MEM_ALLOC_SIZE"),
                ClInfo.deviceUint(id, CL.CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT, "CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT"));
    }

    /** Maps the {@code CL_DEVICE_TYPE} bitfield to the SPI's {@link DeviceType}. */
    static DeviceType type(long bits) {
        if ((bits & CL.CL_DEVICE_TYPE_GPU) != 0) {
            return DeviceType.GPU;
        }
        if ((bits & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0) {
            return DeviceType.ACCELERATOR;
        }
        if ((bits & CL.CL_DEVICE_TYPE_CPU) != 0) {
            return DeviceType.CPU;
        }
        return DeviceType.OTHER;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
