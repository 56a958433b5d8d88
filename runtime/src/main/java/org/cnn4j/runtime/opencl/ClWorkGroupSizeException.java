package org.cnn4j.runtime.opencl;

/**
 * A launch shape the device or kernel does not allow: {@code CL_INVALID_WORK_GROUP_SIZE} or
 * {@code CL_INVALID_WORK_ITEM_SIZE}, returned by the driver or found by {@link ClLaunch#enqueue(ClNdRange)}
 * before the call (a work-group larger than {@link ClKernel#maxWorkGroupSize()} or a dimension above
 * {@code CL_DEVICE_MAX_WORK_ITEM_SIZES}). Carries the kernel and the launch sizes.
 */
public class ClWorkGroupSizeException extends OpenClException {
    private static final long serialVersionUID = 1L;

    /**
     * @param call the OpenCL function that failed
     * @param status the status it returned
     * @param kernel the kernel being launched, or null when the call launches none
     * @param range the launch sizes, or null when the call launches nothing
     * @param context kernel, device and sizes, in words
     */
    public ClWorkGroupSizeException(String call, int status, String kernel, ClNdRange range, String context) {
        super(call, status, kernel, range, context);
    }
}
