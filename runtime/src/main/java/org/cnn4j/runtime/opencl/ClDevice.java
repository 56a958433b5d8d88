package org.cnn4j.runtime.opencl;

import java.util.Arrays;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device found by {@link ClDevices#enumerate()}: its {@link DeviceInfo} and the limits the
 * launchers size their work-groups and tiles by. Immutable; opening it is {@link ClContext#open}'s job.
 */
public final class ClDevice {
    private final cl_platform_id platform;
    private final cl_device_id id;
    private final DeviceInfo info;
    private final String platformVersion;
    private final String openclCVersion;
    private final long maxWorkGroupSize;
    private final long[] maxWorkItemSizes;
    private final long localMemBytes;
    private final long maxAllocBytes;
    private final int preferredFloatVectorWidth;

    @SuppressWarnings("java:S107") // one field per device property
    ClDevice(cl_platform_id platform, cl_device_id id, DeviceInfo info, String platformVersion,
             String openclCVersion, long maxWorkGroupSize, long[] maxWorkItemSizes, long localMemBytes,
             long maxAllocBytes) {
        this(platform, id, info, platformVersion, openclCVersion, maxWorkGroupSize, maxWorkItemSizes, localMemBytes,
                maxAllocBytes, 1);
    }

    @SuppressWarnings("java:S107") // one field per device property
    ClDevice(cl_platform_id platform, cl_device_id id, DeviceInfo info, String platformVersion,
             String openclCVersion, long maxWorkGroupSize, long[] maxWorkItemSizes, long localMemBytes,
             long maxAllocBytes, int preferredFloatVectorWidth) {
        this.platform = platform;
        this.id = id;
        this.info = info;
        this.platformVersion = platformVersion;
        this.openclCVersion = openclCVersion;
        this.maxWorkGroupSize = maxWorkGroupSize;
        this.maxWorkItemSizes = maxWorkItemSizes.clone();
        this.localMemBytes = localMemBytes;
        this.maxAllocBytes = maxAllocBytes;
        this.preferredFloatVectorWidth = Math.max(1, preferredFloatVectorWidth);
    }

    /** What the SPI sees of this device. */
    public DeviceInfo info() {
        return info;
    }

    /** {@code opencl:N (name)}, for messages and logs. */
    public String label() {
        return info.spec() + " (" + info.name() + ")";
    }

    /** {@code CL_PLATFORM_VERSION}, part of the binary-cache key. */
    public String platformVersion() {
        return platformVersion;
    }

    /** {@code CL_DEVICE_OPENCL_C_VERSION}, e.g. {@code OpenCL C 1.2 PoCL}. */
    public String openclCVersion() {
        return openclCVersion;
    }

    /** Whether the device compiles OpenCL C 1.2, which every cnn4j kernel is written in. */
    public boolean supportsOpenClC12() {
        String[] words = openclCVersion.split("\\s+");
        if (words.length < 3) {
            return false;
        }
        String[] parts = words[2].split("\\.");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return major > 1 || (major == 1 && minor >= 2);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** {@code CL_DEVICE_MAX_WORK_GROUP_SIZE}. */
    public long maxWorkGroupSize() {
        return maxWorkGroupSize;
    }

    /** {@code CL_DEVICE_MAX_WORK_ITEM_SIZES}, one entry per dimension (at least 3). */
    public long[] maxWorkItemSizes() {
        return maxWorkItemSizes.clone();
    }

    /** {@code CL_DEVICE_LOCAL_MEM_SIZE} in bytes. */
    public long localMemBytes() {
        return localMemBytes;
    }

    /** {@code CL_DEVICE_MAX_MEM_ALLOC_SIZE} in bytes. */
    public long maxAllocBytes() {
        return maxAllocBytes;
    }

    /**
     * {@code CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT} (at least 1): the float vector the device's SIMD unit holds,
     * e.g. 16 for PoCL on AVX-512, 8 on AVX2. Kernels written for CPU devices size their {@code floatN} by it.
     */
    public int preferredFloatVectorWidth() {
        return preferredFloatVectorWidth;
    }

    cl_platform_id platform() {
        return platform;
    }

    cl_device_id id() {
        return id;
    }

    @Override
    public String toString() {
        return "ClDevice[" + info.describe() + ", maxWorkGroupSize=" + maxWorkGroupSize + ", maxWorkItemSizes="
                + Arrays.toString(maxWorkItemSizes) + ", localMem=" + localMemBytes + "]";
    }
}
