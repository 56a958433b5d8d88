package org.cnn4j.runtime.opencl;

import org.cnn4j.runtime.spi.BackendException;

/**
 * An OpenCL call returned an error status. The message names the call, the symbolic status, and the
 * context the caller supplied: the kernel, the device and the launch sizes, for example
 * {@code clEnqueueNDRangeKernel failed with CL_INVALID_WORK_GROUP_SIZE (-54) (kernel gemm_tiled on
 * opencl:0 (pthread-haswell), global=[64, 16, 1], local=[32, 8, 1])}.
 *
 * <p>The kinds of failure a caller may want to tell apart have their own subclasses, chosen from the
 * status by {@link #of}:
 * <ul>
 *   <li>{@link ClBuildException}: a program did not compile; carries the build log.</li>
 *   <li>{@link ClOutOfResourcesException}: {@code CL_MEM_OBJECT_ALLOCATION_FAILURE},
 *       {@code CL_OUT_OF_RESOURCES} or {@code CL_OUT_OF_HOST_MEMORY}.</li>
 *   <li>{@link ClWorkGroupSizeException}: {@code CL_INVALID_WORK_GROUP_SIZE} or
 *       {@code CL_INVALID_WORK_ITEM_SIZE}, a launch shape the device or kernel does not allow.</li>
 *   <li>{@link ClDeviceLostException}: {@code CL_DEVICE_NOT_AVAILABLE} or {@code CL_CONTEXT_TERMINATED_KHR};
 *       the device is gone and the context cannot be used again.</li>
 * </ul>
 * Every other status is a plain {@code OpenClException}.
 */
public class OpenClException extends BackendException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int status;
    private final String kernel;
    private final transient ClNdRange range;

    /**
     * @param call the OpenCL function that failed, e.g. {@code clEnqueueNDRangeKernel}
     * @param status the status it returned
     * @param context kernel, device and sizes, in words
     */
    public OpenClException(String call, int status, String context) {
        this(call, status, null, null, context);
    }

    /**
     * @param call the OpenCL function that failed
     * @param status the status it returned
     * @param kernel the kernel being launched, or null when the call launches none
     * @param range the launch sizes, or null when the call launches nothing
     * @param context kernel, device and sizes, in words
     */
    public OpenClException(String call, int status, String kernel, ClNdRange range, String context) {
        this(call + " failed with " + ClStatus.describe(status) + " (" + context + ")", call, status, kernel, range);
    }

    /** For subclasses that word their own message. */
    protected OpenClException(String message, String call, int status, String kernel, ClNdRange range) {
        super(message);
        this.call = call;
        this.status = status;
        this.kernel = kernel;
        this.range = range;
    }

    /**
     * The exception for {@code status}: the subclass of its kind (see the class javadoc), else a plain
     * {@code OpenClException}. {@code kernel} and {@code range} may be null when the call launches nothing.
     */
    public static OpenClException of(String call, int status, String kernel, ClNdRange range, String context) {
        return switch (status) {
            case -4, -5, -6 -> new ClOutOfResourcesException(call, status, kernel, range, context);
            case -54, -55 -> new ClWorkGroupSizeException(call, status, kernel, range, context);
            case -2, -1121 -> new ClDeviceLostException(call, status, kernel, range, context);
            default -> new OpenClException(call, status, kernel, range, context);
        };
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

    /** The kernel whose launch failed, or null when the call launched none. */
    public String kernel() {
        return kernel;
    }

    /** The global and local sizes of the failed launch, or null when the call launched nothing. */
    public ClNdRange range() {
        return range;
    }
}
