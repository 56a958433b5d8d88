package org.cnn4j.train;

import java.util.Locale;

/**
 * What one training epoch measured. Train loss and accuracy are averaged over the epoch's examples in
 * training mode (dropout on, batch statistics), as the running figures of the progress bar; test loss and
 * accuracy come from {@link Trainer#evaluate} in evaluation mode, or are {@code NaN} when no test set was given.
 *
 * @param epoch           1-based epoch number
 * @param trainLoss       mean cross-entropy over the epoch's training examples
 * @param trainAccuracy   fraction of training examples classified correctly, in [0, 1]
 * @param testLoss        mean loss over the test set, or NaN
 * @param testAccuracy    test accuracy in [0, 1], or NaN
 * @param trainSeconds    wall time of the training pass (without evaluation)
 * @param seconds         wall time of the whole epoch (training and evaluation)
 * @param images          training examples seen
 * @param learningRate    the learning rate of the first parameter group during the epoch
 * @param skippedSteps    optimizer steps skipped because the loss was not finite
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double testLoss, double testAccuracy,
                           double trainSeconds, double seconds, long images, double learningRate, int skippedSteps) {

    /** Column names of {@link #toCsvRow()}. */
    public static final String CSV_HEADER =
            "epoch,train_loss,train_accuracy,test_loss,test_accuracy,train_seconds,seconds,images,images_per_second,learning_rate,skipped_steps";

    /** Training throughput: {@code images / trainSeconds}. */
    public double imagesPerSecond() {
        return trainSeconds > 0 ? images / trainSeconds : 0;
    }

    /** One CSV row matching {@link #CSV_HEADER}. */
    public String toCsvRow() {
        return String.format(Locale.ROOT, "%d,%.6f,%.8f,%.6f,%.8f,%.3f,%.3f,%d,%.1f,%.6g,%d", epoch, trainLoss, trainAccuracy,
                testLoss, testAccuracy, trainSeconds, seconds, images, imagesPerSecond(), learningRate, skippedSteps);
    }

    /**
     * Parses a row written by {@link #toCsvRow()}.
     *
     * @throws IllegalArgumentException if the row does not have the columns of {@link #CSV_HEADER}
     */
    public static EpochMetrics fromCsvRow(String row) {
        String[] f = row.trim().split(",");
        if (f.length != CSV_HEADER.split(",").length) {
            throw new IllegalArgumentException("EpochMetrics.fromCsvRow: row must have the columns " + CSV_HEADER
                    + ", but got '" + row + "'");
        }
        try {
            return new EpochMetrics(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Double.parseDouble(f[6]),
                    Long.parseLong(f[7]), Double.parseDouble(f[9]), Integer.parseInt(f[10]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("EpochMetrics.fromCsvRow: every column must be a number, but got '" + row + "'", e);
        }
    }

    /** The per-epoch log line: train loss, test loss, test accuracy, seconds, throughput. */
    public String summary(int totalEpochs) {
        return String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f  train acc %.2f%%  test loss %.4f  test acc %.2f%%  %.1f s  %.0f img/s  lr %.3g%s",
                epoch, totalEpochs, trainLoss, 100 * trainAccuracy, testLoss, 100 * testAccuracy, seconds, imagesPerSecond(),
                learningRate, skippedSteps > 0 ? "  skipped " + skippedSteps + " non-finite steps" : "");
    }
}
