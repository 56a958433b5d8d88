/**
 * Modules and layers of cnn4j (convolution, pooling, normalization, dropout, linear, activations,
 * losses). They use only the public runtime API ({@link org.cnn4j.runtime.Tensor},
 * {@link org.cnn4j.runtime.Device}) and never a concrete backend.
 *
 * <p>This module is part of the build from the start so that the dependency structure of
 * ../shared/DESIGN.md holds; its layers arrive with the CNN-operations issue (#3).
 */
package org.cnn4j.layers;
