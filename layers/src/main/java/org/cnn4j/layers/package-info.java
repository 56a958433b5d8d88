/**
 * Modules and layers of cnn4j, as PyTorch's {@code torch.nn}: {@link org.cnn4j.layers.Module},
 * {@link org.cnn4j.layers.Sequential}, convolutions ({@link org.cnn4j.layers.Conv2d},
 * {@link org.cnn4j.layers.Conv3d}, {@link org.cnn4j.layers.ConvTranspose2d}), pooling, batch normalization,
 * dropout, linear, activations and losses, and the functional forms in {@link org.cnn4j.layers.F}.
 * They use only the public runtime API and never a concrete backend.
 */
package org.cnn4j.layers;
