/**
 * The training loop: {@link org.cnn4j.train.Trainer} (epochs, evaluation, schedule, clipping, accumulation,
 * early stopping, non-finite guard, resumable checkpoints) and its listeners ({@link org.cnn4j.train.ProgressBar},
 * {@link org.cnn4j.train.MetricsCsv}). This module is the one place that depends on both layers and optimizers.
 */
package org.cnn4j.train;
