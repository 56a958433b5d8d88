package org.cnn4j.runtime.spi;

/** The device could not provide the memory asked for; the pool may free cached blocks and retry. */
public class DeviceOutOfMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what was asked for, on which device */
    public DeviceOutOfMemoryException(String message) {
        super(message);
    }

    /**
     * @param message what was asked for, on which device
     * @param cause the backend's own failure
     */
    public DeviceOutOfMemoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
