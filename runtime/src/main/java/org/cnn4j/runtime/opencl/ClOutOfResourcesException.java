package org.cnn4j.runtime.opencl;

/**
 * The device or host ran out of memory or resources for a call: {@code CL_MEM_OBJECT_ALLOCATION_FAILURE},
 * {@code CL_OUT_OF_RESOURCES} or {@code CL_OUT_OF_HOST_MEMORY}. On a launch, drivers return these when
 * a kernel needs more registers, local memory or lazily allocated buffer memory than the device has
 * left; some drivers also report a kernel that crashed this way.
 */
public class ClOutOfResourcesException extends OpenClException {
    private static final long serialVersionUID = 1L;

    /**
     * @param call the OpenCL function that failed
     * @param status the status it returned
     * @param kernel the kernel being launched, or null when the call launches none
     * @param range the launch sizes, or null when the call launches nothing
     * @param context kernel, device and sizes, in words
     */
    public ClOutOfResourcesException(String call, int status, String kernel, ClNdRange range, String context) {
        super(call, status, kernel, range, context);
    }
}
