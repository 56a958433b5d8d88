package org.cnn4j.checkpoint;

import java.io.IOException;

/**
 * A checkpoint file that cannot be read: truncated, malformed, inconsistent or corrupted. The message
 * names the first problem found, in the form {@code Checkpoint.load: <what> must <constraint>, but got
 * <actual> (file <path>)}.
 */
public class CheckpointFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}. */
    public CheckpointFormatException(String message) {
        super(message);
    }

    /** An exception with {@code message} and its {@code cause}. */
    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
