/**
 * Optimizers, weight decay, gradient clipping and learning-rate schedules of cnn4j. They see only the
 * runtime ({@code Parameter} lives there), never the layers module or a concrete backend.
 *
 * <p>This module is part of the build from the start so that the dependency structure of
 * ../shared/DESIGN.md holds; its optimizers arrive with the optimizers issue (#4).
 */
package org.cnn4j.optim;
