package org.cnn4j.data;

import org.cnn4j.runtime.Tensor;

/**
 * One mini-batch on a device: {@code images} of shape {@code [B, C, H, W]} and {@code labels} of shape
 * {@code [B]} (float class indices). The tensors belong to the scope open on the thread that took the
 * batch, or to the caller when none is; {@link #close()} closes both.
 *
 * @param images the images, {@code [B, C, H, W]}
 * @param labels the class indices, {@code [B]}
 */
public record Batch(Tensor images, Tensor labels) implements AutoCloseable {
    /** Number of examples {@code B}. */
    public int size() {
        return labels.dim(0);
    }

    /** Closes both tensors; idempotent. */
    @Override
    public void close() {
        images.close();
        labels.close();
    }
}
