package org.cnn4j.runtime.opencl;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.spi.DeviceOutOfMemoryException;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_mem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One opened OpenCL device: a context, one in-order command queue, the buffers allocated in it and
 * its {@link ProgramCache}. Transfers and fills are enqueued on the queue; {@link #read} blocks until
 * the data is on the host. Offsets and lengths count float32 elements.
 */
public final class ClContext implements AutoCloseable {
    /** System property capping every work-group size (tests set it small to exercise multi-group paths). */
    public static final String MAX_WORK_GROUP_PROPERTY = "cnn4j.opencl.maxWorkGroupSize";
    /**
     * System property capping the local memory launchers plan with, in bytes (tests set it small to run the
     * local-memory kernels as they would run on a device with little of it). The device's own
     * {@code CL_DEVICE_LOCAL_MEM_SIZE} is still the limit when it is smaller.
     */
    public static final String MAX_LOCAL_MEM_PROPERTY = "cnn4j.opencl.maxLocalMemBytes";

    static final Logger LOG = LoggerFactory.getLogger(ClContext.class);

    private final ClDevice device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final ProgramCache programs;
    private final long workGroupCap;
    private final long localMemCap;
    private final Set<ClBuffer> live = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private ClContext(ClDevice device, cl_context context, cl_command_queue queue, BinaryCache disk, long workGroupCap,
                      long localMemCap) {
        this.device = device;
        this.context = context;
        this.queue = queue;
        this.workGroupCap = workGroupCap;
        this.localMemCap = localMemCap;
        this.programs = new ProgramCache(this, disk);
    }

    /**
     * Opens {@code device} with the binary cache configured by {@link BinaryCache#configuredDirectory()}.
     *
     * @throws BackendUnavailableException when the device cannot be opened
     */
    public static ClContext open(ClDevice device) throws BackendUnavailableException {
        return open(device, BinaryCache.configuredDirectory().orElse(null));
    }

    /**
     * Opens {@code device} with the binary cache in {@code kernelCache}, or none when it is null.
     *
     * @throws BackendUnavailableException when OpenCL cannot load, the device lacks OpenCL C 1.2, or
     *         the context or queue cannot be created
     */
    public static ClContext open(ClDevice device, Path kernelCache) throws BackendUnavailableException {
        ClDevices.loadNative();
        if (!device.supportsOpenClC12()) {
            throw new BackendUnavailableException("cannot open " + device.label() + ": it supports " + device.openclCVersion()
                    + ", and cnn4j's kernels need OpenCL C 1.2");
        }
        long cap = positiveProperty(MAX_WORK_GROUP_PROPERTY);
        long localCap = positiveProperty(MAX_LOCAL_MEM_PROPERTY);
        cl_context_properties properties = new cl_context_properties();
        properties.addProperty(CL.CL_CONTEXT_PLATFORM, device.platform());
        int[] err = ClCheck.errSlot();
        cl_context context = CL.clCreateContext(properties, 1, new cl_device_id[] {device.id()}, null, null, err);
        if (err[0] != 0 || context == null) {
            throw new BackendUnavailableException("cannot open " + device.label() + ": clCreateContext failed with "
                    + ClStatus.describe(err[0]));
        }
        @SuppressWarnings("deprecation") // clCreateCommandQueueWithProperties is OpenCL 2.0; 1.2 devices lack it
        cl_command_queue queue = CL.clCreateCommandQueue(context, device.id(), 0, err);
        if (err[0] != 0 || queue == null) {
            CL.clReleaseContext(context);
            throw new BackendUnavailableException("cannot open " + device.label() + ": clCreateCommandQueue failed with "
                    + ClStatus.describe(err[0]));
        }
        LOG.debug("opened {} (kernel cache {}, work-group cap {}, local memory cap {})", device.label(),
                kernelCache == null ? "off" : kernelCache, cap == Long.MAX_VALUE ? "none" : cap,
                localCap == Long.MAX_VALUE ? "none" : localCap);
        return new ClContext(device, context, queue, kernelCache == null ? null : new BinaryCache(kernelCache), cap, localCap);
    }

    /** The value of system property {@code name}, {@code Long.MAX_VALUE} when unset. */
    private static long positiveProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            long cap = Long.parseLong(value.trim());
            if (cap >= 1) {
                return cap;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("ClContext.open: system property " + name
                + " must be a positive integer, but got '" + value + "'");
    }

    /** The device this context computes on. */
    public ClDevice device() {
        return device;
    }

    /** The user cap on work-group sizes ({@value #MAX_WORK_GROUP_PROPERTY}), {@code Long.MAX_VALUE} when unset. */
    public long workGroupCap() {
        return workGroupCap;
    }

    /**
     * The local memory launchers may plan with, in bytes: {@code CL_DEVICE_LOCAL_MEM_SIZE}, or the cap set by
     * {@value #MAX_LOCAL_MEM_PROPERTY} when that is smaller.
     */
    public long localMemBytes() {
        return Math.min(device.localMemBytes(), localMemCap);
    }

    /** This context's program cache. */
    public ProgramCache programCache() {
        return programs;
    }

    /**
     * The program built from {@code source} with {@code defines}, compiled (or loaded from the binary
     * cache) on first request and kept for the life of the context.
     *
     * @param file the kernel file name, for logs, errors and cache file names
     * @param source the OpenCL C source
     * @param defines {@code -D} defines; sorted before use
     * @throws ClBuildException when the source does not compile
     */
    public ClProgram program(String file, String source, Map<String, String> defines) {
        ensureOpen();
        return programs.get(file, source, defines);
    }

    /**
     * Allocates {@code elements} float32 elements (contents undefined). Drivers may allocate lazily, so
     * a later transfer or launch may be what fails.
     *
     * @throws DeviceOutOfMemoryException when the driver refuses the allocation
     */
    public ClBuffer allocate(long elements) {
        ensureOpen();
        if (elements < 0) {
            throw new IllegalArgumentException("ClContext.allocate: elements must be >= 0, but got " + elements
                    + " (" + device.label() + ")");
        }
        long bytes = Math.max(1, elements) * Sizeof.cl_float;
        int[] err = ClCheck.errSlot();
        cl_mem mem = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, bytes, null, err);
        if (err[0] != 0 || mem == null) {
            String message = "ClContext.allocate: cannot allocate " + bytes + " bytes (" + elements + " floats) on "
                    + device.label() + ": clCreateBuffer failed with " + ClStatus.describe(err[0]) + " (max single allocation "
                    + device.maxAllocBytes() + " bytes, global memory " + device.info().globalMemoryBytes() + " bytes)";
            if (ClStatus.isOutOfMemory(err[0])) {
                throw new DeviceOutOfMemoryException(message,
                        OpenClException.of("clCreateBuffer", err[0], null, null, bytes + " bytes on " + device.label()));
            }
            throw OpenClException.of("clCreateBuffer", err[0], null, null, bytes + " bytes on " + device.label());
        }
        ClBuffer buffer = new ClBuffer(this, mem, elements);
        live.add(buffer);
        return buffer;
    }

    /** Releases {@code buffer}; idempotent, never throws (a failed release is logged at WARN). */
    public void release(ClBuffer buffer) {
        if (buffer.owner() != this || !buffer.markReleased()) {
            return;
        }
        live.remove(buffer);
        int status = CL.clReleaseMemObject(buffer.mem());
        if (status != 0) {
            LOG.warn("clReleaseMemObject failed with {} for {}", ClStatus.describe(status), buffer);
        }
    }

    /** Host to device, blocking: {@code dst[dstOffset + i] = src[srcOffset + i]} for {@code i < length}. */
    public void write(float[] src, int srcOffset, ClBuffer dst, long dstOffset, int length) {
        checkHostRange("write", "src", src, srcOffset, length);
        checkRange("write", "dst", dst, dstOffset, length);
        if (length == 0) {
            return;
        }
        int status = CL.clEnqueueWriteBuffer(queue, dst.mem(), true, dstOffset * Sizeof.cl_float,
                (long) length * Sizeof.cl_float, Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.cl_float),
                0, null, null);
        ClCheck.check(status, "clEnqueueWriteBuffer", () -> length + " floats at offset " + dstOffset + " of " + dst);
    }

    /** Device to host, blocking: {@code dst[dstOffset + i] = src[srcOffset + i]} for {@code i < length}. */
    public void read(ClBuffer src, long srcOffset, float[] dst, int dstOffset, int length) {
        checkRange("read", "src", src, srcOffset, length);
        checkHostRange("read", "dst", dst, dstOffset, length);
        if (length == 0) {
            return;
        }
        int status = CL.clEnqueueReadBuffer(queue, src.mem(), true, srcOffset * Sizeof.cl_float,
                (long) length * Sizeof.cl_float, Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.cl_float),
                0, null, null);
        ClCheck.check(status, "clEnqueueReadBuffer", () -> length + " floats at offset " + srcOffset + " of " + src);
    }

    /** Device to device: {@code dst[dstOffset + i] = src[srcOffset + i]}; the ranges must not overlap. */
    public void copy(ClBuffer src, long srcOffset, ClBuffer dst, long dstOffset, long length) {
        checkRange("copy", "src", src, srcOffset, length);
        checkRange("copy", "dst", dst, dstOffset, length);
        if (length == 0) {
            return;
        }
        int status = CL.clEnqueueCopyBuffer(queue, src.mem(), dst.mem(), srcOffset * Sizeof.cl_float,
                dstOffset * Sizeof.cl_float, length * Sizeof.cl_float, 0, null, null);
        ClCheck.check(status, "clEnqueueCopyBuffer", () -> length + " floats from offset " + srcOffset + " of " + src
                + " to offset " + dstOffset + " of " + dst);
    }

    /** {@code dst[offset + i] = value} for {@code i < length}, by {@code clEnqueueFillBuffer}. */
    public void fill(ClBuffer dst, long offset, long length, float value) {
        checkRange("fill", "dst", dst, offset, length);
        if (length == 0) {
            return;
        }
        int status = CL.clEnqueueFillBuffer(queue, dst.mem(), Pointer.to(new float[] {value}), Sizeof.cl_float,
                offset * Sizeof.cl_float, length * Sizeof.cl_float, 0, null, null);
        ClCheck.check(status, "clEnqueueFillBuffer", () -> length + " floats at offset " + offset + " of " + dst);
    }

    /** Blocks until everything enqueued so far has finished. */
    public void finish() {
        ensureOpen();
        ClCheck.check(CL.clFinish(queue), "clFinish", device::label);
    }

    /** Number of buffers allocated and not yet released. */
    public int liveBuffers() {
        return live.size();
    }

    /** Whether {@link #close()} has been called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Finishes the queue and releases the programs, kernels, remaining buffers, queue and context.
     * Idempotent; never throws (failures are logged at WARN).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        warnIfFailed(CL.clFinish(queue), "clFinish");
        try {
            programs.releaseAll();
        } catch (RuntimeException e) {
            LOG.warn("Releasing the programs of {} failed: {}", device.label(), e.toString());
        }
        List<ClBuffer> leftovers = new ArrayList<>(live);
        if (!leftovers.isEmpty()) {
            LOG.debug("releasing {} buffers still allocated on {}", leftovers.size(), device.label());
        }
        for (ClBuffer buffer : leftovers) {
            if (buffer.markReleased()) {
                warnIfFailed(CL.clReleaseMemObject(buffer.mem()), "clReleaseMemObject");
            }
        }
        live.clear();
        warnIfFailed(CL.clReleaseCommandQueue(queue), "clReleaseCommandQueue");
        warnIfFailed(CL.clReleaseContext(context), "clReleaseContext");
    }

    private void warnIfFailed(int status, String call) {
        if (status != 0) {
            LOG.warn("{} failed with {} while closing {}", call, ClStatus.describe(status), device.label());
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("ClContext: the context of " + device.label() + " must be open, but it was closed");
        }
    }

    private void checkRange(String method, String name, ClBuffer buffer, long offset, long length) {
        ensureOpen();
        if (buffer.owner() != this) {
            throw new IllegalArgumentException("ClContext." + method + ": " + name + " must belong to " + device.label()
                    + ", but got " + buffer);
        }
        if (buffer.isReleased()) {
            throw new IllegalStateException("ClContext." + method + ": " + name + " must be live, but got " + buffer);
        }
        if (offset < 0 || length < 0 || offset + length > buffer.elements()) {
            throw new IllegalArgumentException("ClContext." + method + ": " + name + " range [offset, offset + length) must lie in [0, "
                    + buffer.elements() + "), but got offset=" + offset + ", length=" + length + " (" + device.label() + ")");
        }
    }

    private void checkHostRange(String method, String name, float[] array, int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > array.length) {
            throw new IllegalArgumentException("ClContext." + method + ": " + name + " range [offset, offset + length) must lie in [0, "
                    + array.length + "), but got offset=" + offset + ", length=" + length + " (" + device.label() + ")");
        }
    }

    cl_context handle() {
        return context;
    }

    cl_command_queue queue() {
        return queue;
    }

    @Override
    public String toString() {
        return "ClContext[" + device.label() + (closed ? ", closed" : "") + "]";
    }
}
