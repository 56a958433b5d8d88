package org.cnn4j.runtime.opencl;

import java.util.Arrays;
import org.cnn4j.runtime.spi.StridedLayout;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets one launch's arguments in order, with typed setters matching the kernel's parameter types, and
 * enqueues it. Holds the kernel's lock from {@link ClKernel#begin()} until {@link #close()}.
 *
 * <p>Strided layouts travel as {@code int8} dims and {@code long8} strides, right-aligned: the last
 * (innermost) dimension is component {@code s7}; unused leading components are dim 1, stride 0.
 */
public final class ClLaunch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClLaunch.class);

    private final ClKernel kernel;
    private int index;
    private boolean closed;

    ClLaunch(ClKernel kernel) {
        this.kernel = kernel;
    }

    /** A {@code __global float*} argument. */
    public ClLaunch arg(ClBuffer buffer) {
        if (buffer.owner() != kernel.context()) {
            throw new IllegalArgumentException("ClLaunch.arg: buffer must belong to " + kernel.context().device().label()
                    + ", but got " + buffer + " (kernel " + kernel.name() + ", argument " + index + ")");
        }
        if (buffer.isReleased()) {
            throw new IllegalStateException("ClLaunch.arg: buffer must be live, but got " + buffer + " (kernel "
                    + kernel.name() + ", argument " + index + ")");
        }
        if (unchanged(buffer)) {
            return this;
        }
        return set(Sizeof.cl_mem, Pointer.to(buffer.mem()), "buffer", null, buffer);
    }

    /** An {@code int} (or {@code uint}) argument. */
    public ClLaunch arg(int value) {
        Integer boxed = value;
        if (unchanged(boxed)) {
            return this;
        }
        return set(Sizeof.cl_int, Pointer.to(new int[] {value}), "int", value, boxed);
    }

    /** A {@code long} (or {@code ulong}) argument, e.g. an element offset. */
    public ClLaunch arg(long value) {
        Long boxed = value;
        if (unchanged(boxed)) {
            return this;
        }
        return set(Sizeof.cl_long, Pointer.to(new long[] {value}), "long", value, boxed);
    }

    /** A {@code float} argument. */
    public ClLaunch arg(float value) {
        Float boxed = value;       // Float.equals compares the bits: -0 and 0 differ, NaN equals NaN
        if (unchanged(boxed)) {
            return this;
        }
        return set(Sizeof.cl_float, Pointer.to(new float[] {value}), "float", value, boxed);
    }

    /** An {@code int8} argument: up to 8 values right-aligned, leading components padded with {@code pad}. */
    public ClLaunch argInt8(int[] values, int pad) {
        return set(Sizeof.cl_int * 8L, Pointer.to(rightAlign(values, pad)), "int8", values, null);
    }

    /** A {@code long8} argument: up to 8 values right-aligned, leading components padded with {@code pad}. */
    public ClLaunch argLong8(long[] values, long pad) {
        return set(Sizeof.cl_long * 8L, Pointer.to(rightAlign(values, pad)), "long8", values, null);
    }

    /** A layout's dims as {@code int8}, unused dims 1. */
    public ClLaunch dims8(StridedLayout layout) {
        return argInt8(layout.dims(), 1);
    }

    /** A layout's strides as {@code long8}, unused strides 0. */
    public ClLaunch strides8(StridedLayout layout) {
        return argLong8(layout.strides(), 0);
    }

    /** A {@code __local} buffer of {@code bytes} bytes. */
    public ClLaunch local(long bytes) {
        return set(bytes, null, "__local", bytes, null);
    }

    /** Launches over {@code n} items in 1-D, with a work-group size chosen from the limits. */
    public void enqueue1d(long n) {
        enqueueAuto(new long[] {n});
    }

    /** Launches over {@code nx * ny} items in 2-D, with a work-group shape chosen from the limits. */
    public void enqueue2d(long nx, long ny) {
        enqueueAuto(new long[] {nx, ny});
    }

    /** Launches over {@code nx * ny * nz} items in 3-D, with a work-group shape chosen from the limits. */
    public void enqueue3d(long nx, long ny, long nz) {
        enqueueAuto(new long[] {nx, ny, nz});
    }

    /** Launches over {@code work} items with the given work-group shape (global rounded up to it). */
    public void enqueue(long[] work, long[] local) {
        enqueue(ClNdRange.covering(work, local));
    }

    /**
     * Launches {@code range} after checking it against the device's and kernel's limits.
     *
     * @throws ClWorkGroupSizeException when the work-group is larger than {@link ClKernel#maxWorkGroupSize()}
     *         ({@code CL_INVALID_WORK_GROUP_SIZE}) or a dimension exceeds {@code CL_DEVICE_MAX_WORK_ITEM_SIZES}
     *         ({@code CL_INVALID_WORK_ITEM_SIZE}), found before the call; or when the driver returns either
     * @throws ClOutOfResourcesException when the driver lacks the memory or resources for the launch
     * @throws ClDeviceLostException when the device is gone
     */
    public void enqueue(ClNdRange range) {
        checkOpen();
        ClContext context = kernel.context();
        long[] maxItems = context.device().maxWorkItemSizes();
        long groupSize = 1;
        for (int d = 0; d < range.rank(); d++) {
            groupSize *= range.local()[d];
            if (range.local()[d] > maxItems[d]) {
                throw rejected(-55, "local size must be at most CL_DEVICE_MAX_WORK_ITEM_SIZES=" + Arrays.toString(maxItems)
                        + " in every dimension", range);
            }
        }
        if (groupSize > kernel.maxWorkGroupSize()) {
            throw rejected(-54, "work-group size " + groupSize + " must be at most " + kernel.maxWorkGroupSize()
                    + ", the least of CL_DEVICE_MAX_WORK_GROUP_SIZE, CL_KERNEL_WORK_GROUP_SIZE and the cap", range);
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("launch {} ({}) on {}: {}", kernel.name(), kernel.program().file(), context.device().label(), range);
        }
        int status = CL.clEnqueueNDRangeKernel(context.queue(), kernel.handle(), range.rank(), null,
                range.global(), range.local(), 0, null, null);
        ClCheck.checkLaunch(status, kernel.name(), range, () -> where(range));
    }

    /** A launch refused before the call, with the status the driver would have returned. */
    private ClWorkGroupSizeException rejected(int status, String why, ClNdRange range) {
        return new ClWorkGroupSizeException("clEnqueueNDRangeKernel", status, kernel.name(), range,
                "rejected before the call: " + why + "; " + where(range));
    }

    private String where(ClNdRange range) {
        return "kernel " + kernel.name() + " of " + kernel.program().file() + " on " + kernel.context().device().label()
                + ", " + range;
    }

    private void enqueueAuto(long[] work) {
        long[] local = ClNdRange.autoLocal(work, kernel.maxWorkGroupSize(), kernel.context().device().maxWorkItemSizes());
        enqueue(ClNdRange.covering(work, local));
    }

    /** Whether the next argument already holds {@code value} (then it is skipped, not set again). */
    private boolean unchanged(Object value) {
        checkOpen();
        if (kernel.argIs(index, value)) {
            index++;
            return true;
        }
        return false;
    }

    /**
     * Sets argument {@code index}; {@code type} and {@code shown} describe it in an error message, which is built only
     * on failure (a string per argument would cost every launch). {@code remembered} is recorded in the kernel once
     * the call succeeds, so that the same value is not set again ({@link ClKernel#argIs}); null for arguments that
     * are always set (vectors, local memory).
     */
    private ClLaunch set(long size, Pointer value, String type, Object shown, Object remembered) {
        checkOpen();
        int at = index++;
        kernel.argSet(at, null);            // unknown until the call succeeds
        int status = CL.clSetKernelArg(kernel.handle(), at, size, value);
        if (status != 0) {
            String what = shown == null ? type : type + " " + (shown instanceof int[] a ? Arrays.toString(a)
                    : shown instanceof long[] a ? Arrays.toString(a) : String.valueOf(shown))
                    + ("__local".equals(type) ? " bytes" : "");
            ClCheck.check(status, "clSetKernelArg", () -> "kernel " + kernel.name() + ", argument " + at + " (" + what
                    + ") on " + kernel.context().device().label());
        }
        kernel.argSet(at, remembered);
        return this;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("ClLaunch: launch of kernel " + kernel.name() + " must be open, but it was closed");
        }
    }

    static int[] rightAlign(int[] values, int pad) {
        if (values.length > 8) {
            throw new IllegalArgumentException("ClLaunch.argInt8: values must have at most 8 entries, but got "
                    + Arrays.toString(values));
        }
        int[] out = new int[8];
        Arrays.fill(out, pad);
        System.arraycopy(values, 0, out, 8 - values.length, values.length);
        return out;
    }

    static long[] rightAlign(long[] values, long pad) {
        if (values.length > 8) {
            throw new IllegalArgumentException("ClLaunch.argLong8: values must have at most 8 entries, but got "
                    + Arrays.toString(values));
        }
        long[] out = new long[8];
        Arrays.fill(out, pad);
        System.arraycopy(values, 0, out, 8 - values.length, values.length);
        return out;
    }

    /** Releases the kernel's lock. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            kernel.unlock();
        }
    }
}
