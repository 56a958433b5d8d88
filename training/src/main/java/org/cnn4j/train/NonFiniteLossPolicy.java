package org.cnn4j.train;

/** What the {@link Trainer} does when a batch's loss is NaN or infinite, checked before the backward pass. */
public enum NonFiniteLossPolicy {
    /** Throw {@link NonFiniteLossException}; the weights and optimizer state keep their last finite values. */
    STOP,
    /** Drop the batch's gradients and skip its optimizer step; the count is reported in {@link EpochMetrics}. */
    SKIP_STEP
}
