package org.cnn4j.runtime.opencl;

import java.util.function.Supplier;

/**
 * The one place where OpenCL status codes are checked. JOCL's own exceptions are off
 * ({@code CL.setExceptionsEnabled(false)}), so every call's status passes through here and a failure
 * becomes an {@link OpenClException} (of the subclass its status calls for, see {@link OpenClException#of})
 * that names the call, the status and the caller's context.
 */
final class ClCheck {
    private ClCheck() {
    }

    /**
     * Throws unless {@code status} is {@code CL_SUCCESS}.
     *
     * @param status what the call returned
     * @param call the OpenCL function
     * @param context kernel, device and sizes; only evaluated on failure
     */
    static void check(int status, String call, Supplier<String> context) {
        if (status != 0) {
            throw OpenClException.of(call, status, null, null, context.get());
        }
    }

    /**
     * Throws unless the launch of {@code kernel} over {@code range} returned {@code CL_SUCCESS}.
     *
     * @param status what {@code clEnqueueNDRangeKernel} returned
     * @param kernel the kernel's name
     * @param range the launch sizes
     * @param context program, device and sizes in words; only evaluated on failure
     */
    static void checkLaunch(int status, String kernel, ClNdRange range, Supplier<String> context) {
        if (status != 0) {
            throw OpenClException.of("clEnqueueNDRangeKernel", status, kernel, range, context.get());
        }
    }

    /** A fresh {@code errcode_ret} slot for the {@code clCreate*} calls. */
    static int[] errSlot() {
        return new int[1];
    }

    /** Checks the {@code errcode_ret} of a {@code clCreate*} call and returns the created object. */
    static <T> T created(T object, int[] err, String call, Supplier<String> context) {
        check(err[0], call, context);
        if (object == null) {
            throw new OpenClException(call, -59, context.get() + "; returned no object");
        }
        return object;
    }
}
