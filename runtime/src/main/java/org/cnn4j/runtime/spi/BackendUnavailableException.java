package org.cnn4j.runtime.spi;

/** A backend cannot run here at all (for OpenCL: no library, no platform, no device, no context); the message says why. */
public class BackendUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    /** @param reason why the backend is unavailable, in one line */
    public BackendUnavailableException(String reason) {
        super(reason);
    }

    /**
     * @param reason why the backend is unavailable, in one line
     * @param cause the underlying failure
     */
    public BackendUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
