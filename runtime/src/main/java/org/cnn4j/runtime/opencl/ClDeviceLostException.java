package org.cnn4j.runtime.opencl;

/**
 * The device is gone: {@code CL_DEVICE_NOT_AVAILABLE} or {@code CL_CONTEXT_TERMINATED_KHR} (a reset,
 * a removed or hung GPU). The context and every buffer in it are unusable; reopen the device to go on.
 */
public class ClDeviceLostException extends OpenClException {
    private static final long serialVersionUID = 1L;

    /**
     * @param call the OpenCL function that failed
     * @param status the status it returned
     * @param kernel the kernel being launched, or null when the call launches none
     * @param range the launch sizes, or null when the call launches nothing
     * @param context kernel, device and sizes, in words
     */
    public ClDeviceLostException(String call, int status, String kernel, ClNdRange range, String context) {
        super(call, status, kernel, range, context);
    }
}
