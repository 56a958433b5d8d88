package org.cnn4j.runtime.opencl;

import org.cnn4j.runtime.spi.BackendException;

/**
 * An OpenCL call returned an error status. The message names the call, the symbolic status, and the
 * context the caller supplied: the kernel, the device and the launch sizes, for example
 * {@code clEnqueueNDRangeKernel failed with CL_INVALID_WORK_GROUP_SIZE (-54) (kernel gemm_tiled on
 * opencl:0 (pthread-haswell), global=[64, 16, 1], local=[32, 8, 1])}.
 */
public class OpenClException extends BackendException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int status;

    /**
     * @param call the OpenCL function that failed, e.g. {@code clEnqueueNDRangeKernel}
     * @param status the status it returned
     * @param context kernel, device and sizes, in words
     */
    public OpenClException(String call, int status, String context) {
        super(call + " failed with " + ClStatus.describe(status) + " (" + context + ")");
        this.call = call;
        this.status = status;
    }

    /** The OpenCL function that failed. */
    public String call() {
        return call;
    }

    /** The status code it returned. */
    public int status() {
        return status;
    }

    /** The symbolic name of {@link #status()}. */
    public String statusName() {
        return ClStatus.name(status);
    }
}
