package org.cnn4j.train;

/**
 * The loss of a training batch was NaN or infinite and the policy was {@link NonFiniteLossPolicy#STOP}. Thrown
 * before that batch's backward pass, so no update computed from it reached the weights.
 */
public class NonFiniteLossException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int epoch;
    private final int batch;
    private final float loss;

    /** For the 1-based {@code epoch} and 0-based {@code batch} whose loss was {@code loss}. */
    public NonFiniteLossException(int epoch, int batch, float loss) {
        super("Trainer.trainEpoch: loss must be finite, but got " + loss + " (epoch " + epoch + ", batch " + batch
                + "); the weights keep their values from before this batch. Lower the learning rate, clip gradients "
                + "(clipGradNorm) or choose NonFiniteLossPolicy.SKIP_STEP");
        this.epoch = epoch;
        this.batch = batch;
        this.loss = loss;
    }

    /** The 1-based epoch. */
    public int epoch() {
        return epoch;
    }

    /** The 0-based batch index within the epoch. */
    public int batch() {
        return batch;
    }

    /** The non-finite loss value. */
    public float loss() {
        return loss;
    }
}
