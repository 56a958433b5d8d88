package org.cnn4j.runtime;

/**
 * The device a user asked for explicitly (by code, {@code -Dcnn4j.device} or {@code CNN4J_DEVICE}) does not
 * exist or cannot be opened. Automatic selection never throws this: it falls back to the CPU.
 */
public class DeviceUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message which spec was asked for, why it failed, and which devices exist */
    public DeviceUnavailableException(String message) {
        super(message);
    }

    /**
     * @param message which spec was asked for, why it failed, and which devices exist
     * @param cause the backend's failure
     */
    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
