package org.cnn4j.train;

/**
 * Receives the {@link Trainer}'s events; every method has an empty default. Called on the training thread.
 */
public interface TrainingListener {
    /** A training epoch ({@code epoch} 1-based) of {@code batches} batches is about to start. */
    default void onEpochStart(int epoch, int totalEpochs, int batches, long images) {
    }

    /** Progress inside an epoch, every few batches and after the last one. */
    default void onProgress(StepProgress progress) {
    }

    /** An epoch (training and, when a test set is given, evaluation) has finished. */
    default void onEpochEnd(EpochMetrics metrics, int totalEpochs) {
    }
}
