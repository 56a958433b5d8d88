package org.cnn4j.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cnn4j.data.CifarReader;
import org.cnn4j.data.Dataset;
import org.cnn4j.data.IdxReader;
import org.cnn4j.data.ShapesDataset;

/**
 * Finds and reads the data sets the command line knows: {@code fashion-mnist} and {@code mnist} (IDX files,
 * plain or gzip), {@code cifar10} (binary batches) and {@code shapes}, the embedded procedural set that needs
 * no download. {@code auto} takes Fashion-MNIST from {@link #FASHION_MNIST_DIR} when it is installed and the
 * shapes otherwise, and says which.
 */
final class DataSets {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Normalisation constants (mean, std of the training pixels in [0, 1]). */
    static final float[] FASHION_MNIST_NORM = {0.2860f, 0.3530f};
    static final float[] MNIST_NORM = {0.1307f, 0.3081f};
    static final float[] CIFAR10_NORM = {0.4734f, 0.2516f};

    /** A train/test pair with its name and normalisation. */
    record Split(String name, Dataset train, Dataset test, float mean, float std) {
    }

    private DataSets() {
    }

    /**
     * Loads {@code name} ({@code auto}, {@code fashion-mnist}, {@code mnist}, {@code cifar10}, {@code shapes}) from
     * {@code dir} (null: the default place), printing what it found to {@code log}.
     */
    static Split load(String name, Path dir, long seed, java.io.PrintStream log) {
        switch (name) {
            case "auto" -> {
                Path d = dir != null ? dir : FASHION_MNIST_DIR;
                if (idxPresent(d, "train")) {
                    return load("fashion-mnist", d, seed, log);
                }
                if (dir != null && CifarReader.isPresent(dir)) {
                    return load("cifar10", dir, seed, log);
                }
                log.println("no data set found in " + d + " (install Fashion-MNIST with `apt-get install dataset-fashion-mnist`"
                        + " or pass --data DIR); training on the embedded procedural 'shapes' data set instead");
                return load("shapes", null, seed, log);
            }
            case "fashion-mnist", "mnist" -> {
                Path d = dir != null ? dir : FASHION_MNIST_DIR;
                if (!idxPresent(d, "train") || !idxPresent(d, "t10k")) {
                    throw new IllegalArgumentException("train: --data must be a folder with train-images-idx3-ubyte[.gz], "
                            + "train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz], but "
                            + d + " does not have them");
                }
                Dataset train = IdxReader.read(idx(d, "train-images-idx3-ubyte"), idx(d, "train-labels-idx1-ubyte"));
                Dataset test = IdxReader.read(idx(d, "t10k-images-idx3-ubyte"), idx(d, "t10k-labels-idx1-ubyte"));
                float[] norm = name.equals("mnist") ? MNIST_NORM : FASHION_MNIST_NORM;
                log.println("data: " + name + " from " + d + " (" + train.size() + " train, " + test.size() + " test images)");
                return new Split(name, train, test, norm[0], norm[1]);
            }
            case "cifar10" -> {
                if (dir == null) {
                    throw new IllegalArgumentException("train: --dataset cifar10 needs --data DIR (the cifar-10-batches-bin folder)");
                }
                Dataset train = CifarReader.readTrain(dir);
                Dataset test = CifarReader.readTest(dir);
                log.println("data: cifar10 from " + dir + " (" + train.size() + " train, " + test.size() + " test images)");
                return new Split(name, train, test, CIFAR10_NORM[0], CIFAR10_NORM[1]);
            }
            case "shapes" -> {
                Dataset train = ShapesDataset.generate(12000, seed);
                Dataset test = ShapesDataset.generate(2000, seed + 1_000_003L);
                log.println("data: shapes, embedded and generated (" + train.size() + " train, " + test.size()
                        + " test images of " + ShapesDataset.CLASS_NAMES.size() + " classes)");
                float mean = mean(train);
                return new Split(name, train, test, mean, std(train, mean));
            }
            default -> throw new IllegalArgumentException("train: --dataset must be one of auto, fashion-mnist, mnist, cifar10, "
                    + "shapes, but got '" + name + "'");
        }
    }

    /** The first {@code n} examples of {@code d} (or {@code d} itself when it is not larger). */
    static Dataset head(Dataset d, int n) {
        if (n >= d.size()) {
            return d;
        }
        int per = d.imageSize();
        float[] images = java.util.Arrays.copyOf(d.images(), n * per);
        float[] labels = java.util.Arrays.copyOf(d.labels(), n);
        return new Dataset(images, labels, d.channels(), d.height(), d.width(), d.numClasses());
    }

    private static boolean idxPresent(Path d, String prefix) {
        return Files.exists(d.resolve(prefix + "-images-idx3-ubyte.gz")) || Files.exists(d.resolve(prefix + "-images-idx3-ubyte"));
    }

    private static Path idx(Path d, String stem) {
        Path gz = d.resolve(stem + ".gz");
        return Files.exists(gz) ? gz : d.resolve(stem);
    }

    private static float mean(Dataset d) {
        double s = 0;
        for (float v : d.images()) {
            s += v;
        }
        return (float) (s / d.images().length);
    }

    private static float std(Dataset d, double m) {
        double s = 0;
        for (float v : d.images()) {
            s += (v - m) * (v - m);
        }
        return (float) Math.sqrt(s / d.images().length);
    }
}
