package org.cnn4j.runtime.opencl;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jocl.CL;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * A built {@code cl_program}: one kernel file compiled with one set of {@code -D} defines for one
 * device. Its kernels are created on first use and kept until the context closes.
 */
public final class ClProgram {
    private final ClContext context;
    private final cl_program program;
    private final String file;
    private final SortedMap<String, String> defines;
    private final Map<String, ClKernel> kernels = new HashMap<>();

    ClProgram(ClContext context, cl_program program, String file, SortedMap<String, String> defines) {
        this.context = context;
        this.program = program;
        this.file = file;
        this.defines = new TreeMap<>(defines);
    }

    /** The kernel file, e.g. {@code gemm.cl}. */
    public String file() {
        return file;
    }

    /** The {@code -D} defines it was built with, sorted by name. */
    public SortedMap<String, String> defines() {
        return new TreeMap<>(defines);
    }

    /**
     * The kernel called {@code name}, created once and reused.
     *
     * @throws OpenClException when the program has no such kernel ({@code CL_INVALID_KERNEL_NAME})
     */
    public synchronized ClKernel kernel(String name) {
        ClKernel kernel = kernels.get(name);
        if (kernel == null) {
            context.ensureOpen();
            int[] err = ClCheck.errSlot();
            cl_kernel handle = CL.clCreateKernel(program, name, err);
            ClCheck.created(handle, err, "clCreateKernel", () -> "kernel " + name + " of " + file + defines + " on "
                    + context.device().label());
            kernel = new ClKernel(context, this, handle, name);
            kernels.put(name, kernel);
        }
        return kernel;
    }

    cl_program handle() {
        return program;
    }

    synchronized void release() {
        for (ClKernel kernel : kernels.values()) {
            kernel.release();
        }
        kernels.clear();
        int status = CL.clReleaseProgram(program);
        if (status != 0) {
            ClContext.LOG.warn("clReleaseProgram failed with {} for {} on {}", ClStatus.describe(status), file,
                    context.device().label());
        }
    }

    @Override
    public String toString() {
        return "ClProgram[" + file + defines + " on " + context.device().label() + "]";
    }
}
