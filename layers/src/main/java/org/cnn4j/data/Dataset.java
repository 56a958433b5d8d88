package org.cnn4j.data;

/**
 * An image classification data set held in host memory: {@code n} images of shape
 * {@code [channels, height, width]} (row-major, concatenated as {@code [n, channels, height, width]})
 * and one class index per image, stored as a float.
 *
 * <p>Labels are validated when the data set is built: each must be an integer in
 * {@code [0, numClasses)}. The arrays are not copied; callers must not modify them afterwards.
 */
public final class Dataset {
    private final float[] images;
    private final float[] labels;
    private final int size;
    private final int channels;
    private final int height;
    private final int width;
    private final int numClasses;

    /**
     * Builds a data set.
     *
     * @param images     {@code size * channels * height * width} pixel values, row-major
     * @param labels     {@code size} class indices in {@code [0, numClasses)}
     * @param channels   channels per image, at least 1
     * @param height     image height, at least 1
     * @param width      image width, at least 1
     * @param numClasses number of classes, at least 1
     * @throws IllegalArgumentException if a dimension is not positive, the array lengths disagree, or a
     *                                  label is not an integer class index below {@code numClasses}
     */
    public Dataset(float[] images, float[] labels, int channels, int height, int width, int numClasses) {
        if (images == null || labels == null) {
            throw new IllegalArgumentException("Dataset: images and labels must be non-null, but got images="
                    + (images == null ? "null" : "float[" + images.length + "]")
                    + ", labels=" + (labels == null ? "null" : "float[" + labels.length + "]"));
        }
        if (channels < 1 || height < 1 || width < 1 || numClasses < 1) {
            throw new IllegalArgumentException("Dataset: channels, height, width and numClasses must be >= 1, but got "
                    + channels + ", " + height + ", " + width + ", " + numClasses);
        }
        long perImage = (long) channels * height * width;
        if ((long) labels.length * perImage != images.length) {
            throw new IllegalArgumentException("Dataset: images length must equal labels (" + labels.length
                    + ") * channels * height * width (" + perImage + ") = " + (labels.length * perImage)
                    + ", but got " + images.length);
        }
        for (int i = 0; i < labels.length; i++) {
            float l = labels[i];
            if (!(l >= 0 && l < numClasses) || l != Math.rint(l)) {
                throw new IllegalArgumentException("Dataset: label must be an integer in [0, " + numClasses
                        + "), but got " + l + " (index " + i + ")");
            }
        }
        this.images = images;
        this.labels = labels;
        this.size = labels.length;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
    }

    /** Number of examples. */
    public int size() {
        return size;
    }

    /** Channels per image. */
    public int channels() {
        return channels;
    }

    /** Image height in pixels. */
    public int height() {
        return height;
    }

    /** Image width in pixels. */
    public int width() {
        return width;
    }

    /** Number of classes; every label is below it. */
    public int numClasses() {
        return numClasses;
    }

    /** Elements per image: {@code channels * height * width}. */
    public int imageSize() {
        return channels * height * width;
    }

    /** The pixel array, {@code [size, channels, height, width]} row-major; shared, not copied. */
    public float[] images() {
        return images;
    }

    /** The label array, {@code [size]}; shared, not copied. */
    public float[] labels() {
        return labels;
    }

    /** The class index of example {@code i}. */
    public int label(int i) {
        return (int) labels[i];
    }

    @Override
    public String toString() {
        return "Dataset(size=" + size + ", shape=[" + channels + ", " + height + ", " + width + "], numClasses="
                + numClasses + ")";
    }
}
