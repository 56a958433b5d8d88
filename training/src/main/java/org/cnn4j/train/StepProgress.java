package org.cnn4j.train;

/**
 * Where the current epoch stands, as reported to {@link TrainingListener#onProgress}.
 *
 * @param epoch           1-based epoch number
 * @param totalEpochs     epochs the run is set to train
 * @param batch           batches done in this epoch
 * @param batches         batches in the epoch
 * @param images          images done in this epoch
 * @param totalImages     images in the epoch
 * @param seconds         seconds since the epoch started
 * @param runningLoss     mean training loss over the epoch so far
 * @param runningAccuracy training accuracy over the epoch so far, in [0, 1]
 */
public record StepProgress(int epoch, int totalEpochs, int batch, int batches, long images, long totalImages, double seconds,
                           double runningLoss, double runningAccuracy) {

    /** Images per second so far in this epoch. */
    public double imagesPerSecond() {
        return seconds > 0 ? images / seconds : 0;
    }

    /** Estimated seconds left in this epoch at the current rate ({@code NaN} before the first image). */
    public double etaSeconds() {
        double rate = imagesPerSecond();
        return rate > 0 ? (totalImages - images) / rate : Double.NaN;
    }
}
