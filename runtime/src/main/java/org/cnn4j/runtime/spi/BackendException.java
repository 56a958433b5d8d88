package org.cnn4j.runtime.spi;

/** A backend failed in a way the caller could not have prevented by validating its arguments. */
public class BackendException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed, on which device, with which sizes */
    public BackendException(String message) {
        super(message);
    }

    /**
     * @param message what failed, on which device, with which sizes
     * @param cause the underlying failure
     */
    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
