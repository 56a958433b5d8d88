/**
 * Data sets and batching: {@link org.cnn4j.data.Dataset} (images and class labels in host memory),
 * {@link org.cnn4j.data.IdxReader} (MNIST / Fashion-MNIST IDX files, plain or gzip),
 * {@link org.cnn4j.data.CifarReader} (CIFAR-10 binary batches, plain or gzip),
 * {@link org.cnn4j.data.ShapesDataset} (a procedurally generated default needing no download) and
 * {@link org.cnn4j.data.DataLoader} (shuffled, normalized, optionally augmented batches on a device).
 */
package org.cnn4j.data;
