package org.cnn4j.train;

/**
 * Loss and accuracy of a model over a data set, in evaluation mode.
 *
 * @param loss     mean loss per example
 * @param accuracy fraction of examples whose arg-max logit is the label, in [0, 1]
 * @param examples number of examples evaluated
 */
public record Evaluation(double loss, double accuracy, long examples) {
}
