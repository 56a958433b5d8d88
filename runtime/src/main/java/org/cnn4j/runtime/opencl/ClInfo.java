package org.cnn4j.runtime.opencl;

import java.nio.charset.StandardCharsets;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_platform_id;

/** Typed queries of {@code clGetPlatformInfo}, {@code clGetDeviceInfo} and {@code clGetKernelWorkGroupInfo}. */
final class ClInfo {
    private ClInfo() {
    }

    /** A string property of a platform, without its trailing NUL. */
    static String platformString(cl_platform_id platform, int param, String what) {
        long[] size = new long[1];
        ClCheck.check(CL.clGetPlatformInfo(platform, param, 0, null, size), "clGetPlatformInfo", () -> what);
        byte[] bytes = new byte[(int) size[0]];
        ClCheck.check(CL.clGetPlatformInfo(platform, param, bytes.length, Pointer.to(bytes), null),
                "clGetPlatformInfo", () -> what);
        return text(bytes);
    }

    /** A string property of a device, without its trailing NUL. */
    static String deviceString(cl_device_id device, int param, String what) {
        long[] size = new long[1];
        ClCheck.check(CL.clGetDeviceInfo(device, param, 0, null, size), "clGetDeviceInfo", () -> what);
        byte[] bytes = new byte[(int) size[0]];
        ClCheck.check(CL.clGetDeviceInfo(device, param, bytes.length, Pointer.to(bytes), null),
                "clGetDeviceInfo", () -> what);
        return text(bytes);
    }

    /** A {@code cl_uint} (or {@code cl_bool}) property of a device. */
    static int deviceUint(cl_device_id device, int param, String what) {
        int[] value = new int[1];
        ClCheck.check(CL.clGetDeviceInfo(device, param, Sizeof.cl_uint, Pointer.to(value), null),
                "clGetDeviceInfo", () -> what);
        return value[0];
    }

    /** A {@code cl_ulong} or {@code cl_bitfield} property of a device. */
    static long deviceUlong(cl_device_id device, int param, String what) {
        long[] value = new long[1];
        ClCheck.check(CL.clGetDeviceInfo(device, param, Sizeof.cl_ulong, Pointer.to(value), null),
                "clGetDeviceInfo", () -> what);
        return value[0];
    }

    /** A {@code size_t} property of a device (JOCL runs on 64-bit JVMs only, so size_t is 8 bytes). */
    static long deviceSize(cl_device_id device, int param, String what) {
        long[] value = new long[1];
        ClCheck.check(CL.clGetDeviceInfo(device, param, Sizeof.size_t, Pointer.to(value), null),
                "clGetDeviceInfo", () -> what);
        return value[0];
    }

    /** A {@code size_t[count]} property of a device. */
    static long[] deviceSizes(cl_device_id device, int param, int count, String what) {
        long[] value = new long[count];
        ClCheck.check(CL.clGetDeviceInfo(device, param, (long) Sizeof.size_t * count, Pointer.to(value), null),
                "clGetDeviceInfo", () -> what);
        return value;
    }

    /** A {@code size_t} property of a kernel on a device. */
    static long kernelSize(cl_kernel kernel, cl_device_id device, int param, String what) {
        long[] value = new long[1];
        ClCheck.check(CL.clGetKernelWorkGroupInfo(kernel, device, param, Sizeof.size_t, Pointer.to(value), null),
                "clGetKernelWorkGroupInfo", () -> what);
        return value[0];
    }

    /** A {@code cl_ulong} property of a kernel on a device. */
    static long kernelUlong(cl_kernel kernel, cl_device_id device, int param, String what) {
        long[] value = new long[1];
        ClCheck.check(CL.clGetKernelWorkGroupInfo(kernel, device, param, Sizeof.cl_ulong, Pointer.to(value), null),
                "clGetKernelWorkGroupInfo", () -> what);
        return value[0];
    }

    private static String text(byte[] bytes) {
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).trim();
    }
}
