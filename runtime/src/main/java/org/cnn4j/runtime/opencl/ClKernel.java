package org.cnn4j.runtime.opencl;

import java.util.concurrent.locks.ReentrantLock;
import org.jocl.CL;
import org.jocl.cl_kernel;

/**
 * One {@code cl_kernel}, created once per program and reused for every launch. Kernel objects hold
 * their arguments, so they are not thread-safe: {@link #begin()} takes this kernel's lock, and the
 * {@link ClLaunch} it returns releases it when closed. Typical use:
 * <pre>
 *   try (ClLaunch l = kernel.begin()) {
 *       l.arg(n).arg(x).arg(xOff).arg(y).arg(yOff).enqueue1d(n);
 *   }
 * </pre>
 */
public final class ClKernel {
    private final ClContext context;
    private final ClProgram program;
    private final cl_kernel kernel;
    private final String name;
    private final long kernelWorkGroupSize;
    private final long localMemBytes;
    private final ReentrantLock lock = new ReentrantLock();
    /**
     * The value each argument was last set to (guarded by {@link #lock}): a kernel object keeps its arguments between
     * launches, so {@link ClLaunch} skips {@code clSetKernelArg} for an unchanged scalar or buffer (about half a
     * microsecond each through JOCL, and most arguments repeat from step to step).
     */
    private Object[] lastArgs = new Object[0];

    ClKernel(ClContext context, ClProgram program, cl_kernel kernel, String name) {
        this.context = context;
        this.program = program;
        this.kernel = kernel;
        this.name = name;
        String where = "kernel " + name + " of " + program.file() + " on " + context.device().label();
        this.kernelWorkGroupSize = ClInfo.kernelSize(kernel, context.device().id(), CL.CL_KERNEL_WORK_GROUP_SIZE, where);
        this.localMemBytes = ClInfo.kernelUlong(kernel, context.device().id(), CL.CL_KERNEL_LOCAL_MEM_SIZE, where);
    }

    /** The kernel function's name. */
    public String name() {
        return name;
    }

    /** The program (file and defines) it comes from. */
    public ClProgram program() {
        return program;
    }

    /** The context it launches in. */
    public ClContext context() {
        return context;
    }

    /**
     * The largest work-group this kernel may use here: the minimum of {@code CL_DEVICE_MAX_WORK_GROUP_SIZE},
     * {@code CL_KERNEL_WORK_GROUP_SIZE} and the cap set by {@code cnn4j.opencl.maxWorkGroupSize}.
     */
    public long maxWorkGroupSize() {
        return Math.min(Math.min(context.device().maxWorkGroupSize(), kernelWorkGroupSize), context.workGroupCap());
    }

    /** {@code CL_KERNEL_LOCAL_MEM_SIZE}: local memory the kernel uses statically, in bytes. */
    public long localMemBytes() {
        return localMemBytes;
    }

    /** Takes this kernel's lock and starts setting arguments from index 0; close the result to unlock. */
    public ClLaunch begin() {
        context.ensureOpen();
        lock.lock();
        return new ClLaunch(this);
    }

    cl_kernel handle() {
        return kernel;
    }

    /** Whether argument {@code index} was last set to {@code value} (a boxed scalar or a ClBuffer); caller holds the lock. */
    boolean argIs(int index, Object value) {
        return index < lastArgs.length && lastArgs[index] != null && lastArgs[index].equals(value);
    }

    /** Records argument {@code index}'s value, or null when it must be set again next time; caller holds the lock. */
    void argSet(int index, Object value) {
        if (index >= lastArgs.length) {
            lastArgs = java.util.Arrays.copyOf(lastArgs, Math.max(index + 1, 2 * lastArgs.length));
        }
        lastArgs[index] = value;
    }

    void unlock() {
        lock.unlock();
    }

    void release() {
        int status = CL.clReleaseKernel(kernel);
        if (status != 0) {
            ClContext.LOG.warn("clReleaseKernel failed with {} for kernel {} on {}", ClStatus.describe(status), name,
                    context.device().label());
        }
    }

    @Override
    public String toString() {
        return "ClKernel[" + name + " of " + program.file() + program.defines() + " on " + context.device().label() + "]";
    }
}
