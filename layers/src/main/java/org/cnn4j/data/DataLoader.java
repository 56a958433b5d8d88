package org.cnn4j.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cnn4j.runtime.Device;

/**
 * Iterates a {@link Dataset} in mini-batches on a device, with per-epoch seeded shuffling, optional
 * drop-last, normalization {@code x' = (x - mean) / std} and optional {@link Augmentation} (applied
 * before normalization, so padded pixels become {@code -mean / std}).
 *
 * <p>Shuffling uses a {@link SplittableRandom} seeded from {@code (seed, epoch)}, independent of the
 * runtime's {@code Generator}: the same seed and epoch always give the same order and augmentation.
 *
 * <p>Each batch costs exactly two host-to-device transfers (images and labels, via
 * {@link Device#fromArray}). Host arrays are reused (two sets, double-buffered), and the next batch's
 * host arrays are prepared on a single background thread while the caller computes on the current one.
 * Only one epoch iterator may be active at a time: starting a new one abandons the previous one.
 * {@link #close()} stops the background thread.
 *
 * <pre>{@code
 * try (DataLoader loader = DataLoader.builder(train, device).batchSize(64).seed(1).normalize(0.286f, 0.353f).build()) {
 *     for (int epoch = 0; epoch < 10; epoch++) {
 *         for (Iterator<Batch> it = loader.epoch(epoch); it.hasNext(); ) {
 *             try (Batch b = it.next()) { ... }
 *         }
 *     }
 * }
 * }</pre>
 */
public final class DataLoader implements AutoCloseable {
    private final Dataset dataset;
    private final Device device;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final float mean;
    private final float std;
    private final Augmentation augmentation;
    private final ExecutorService executor;
    private final float[][] imageBuffers = new float[2][];
    private final float[][] labelBuffers = new float[2][];
    private float[] tailImages;
    private float[] tailLabels;
    private Future<?> pending;
    private int generation;
    private int nextEpoch;
    private boolean closed;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.device = b.device;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.mean = b.mean;
        this.std = b.std;
        this.augmentation = b.augmentation;
        for (int i = 0; i < 2; i++) {
            imageBuffers[i] = new float[batchSize * dataset.imageSize()];
            labelBuffers[i] = new float[batchSize];
        }
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cnn4j-data-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts building a loader over {@code dataset} that uploads batches to {@code device}.
     *
     * @throws IllegalArgumentException if either is null
     */
    public static Builder builder(Dataset dataset, Device device) {
        return new Builder(dataset, device);
    }

    /** The data set iterated. */
    public Dataset dataset() {
        return dataset;
    }

    /** Number of batches per epoch: {@code floor(n / B)} with drop-last, else {@code ceil(n / B)}. */
    public int batchesPerEpoch() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Examples per epoch: {@code batchesPerEpoch() * B} with drop-last, else the data set size. */
    public long examplesPerEpoch() {
        return dropLast ? (long) batchesPerEpoch() * batchSize : dataset.size();
    }

    /** Examples per batch (the last batch of an epoch may be smaller unless drop-last is set). */
    public int batchSize() {
        return batchSize;
    }

    /** The example order of {@code epoch}: a seeded permutation when shuffling, else the identity. */
    int[] order(int epoch) {
        int n = dataset.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = epochRandom(epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int tmp = idx[i];
                idx[i] = idx[j];
                idx[j] = tmp;
            }
        }
        return idx;
    }

    private SplittableRandom epochRandom(int epoch) {
        return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1L)));
    }

    /** The iterator of the next epoch (0, 1, 2, ... on successive calls). */
    public Iterator<Batch> nextEpoch() {
        return epoch(nextEpoch);
    }

    /**
     * The batches of epoch {@code epoch}, in its seeded order; abandons any earlier iterator.
     *
     * @throws IllegalArgumentException if {@code epoch < 0}
     * @throws IllegalStateException    if the loader is closed
     */
    public synchronized Iterator<Batch> epoch(int epoch) {
        if (closed) {
            throw new IllegalStateException("DataLoader.epoch: loader must be open, but it is closed");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("DataLoader.epoch: epoch must be >= 0, but got " + epoch);
        }
        awaitPending();
        nextEpoch = epoch + 1;
        generation++;
        return new EpochIterator(epoch, generation);
    }

    private void awaitPending() {
        if (pending != null) {
            try {
                pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // the abandoned iterator's failure is not the new one's
            }
            pending = null;
        }
    }

    /** Stops the background thread; idempotent. Later iteration throws {@link IllegalStateException}. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "DataLoader(batchSize=" + batchSize + ", shuffle=" + shuffle + ", seed=" + seed + ", dropLast="
                + dropLast + ", mean=" + mean + ", std=" + std + ", augmentation=" + augmentation + ", dataset="
                + dataset + ", device=" + device.spec() + ")";
    }

    /** Fills host arrays for one batch, on the background thread. */
    private void fill(int[] order, int start, int count, float[] images, float[] labels, SplittableRandom augRng) {
        int size = dataset.imageSize();
        float[] src = dataset.images();
        float inv = 1f / std;
        for (int b = 0; b < count; b++) {
            int ex = order[start + b];
            int dst = b * size;
            if (augmentation.isIdentity()) {
                System.arraycopy(src, ex * size, images, dst, size);
            } else {
                augmentation.apply(src, ex * size, images, dst, dataset.channels(), dataset.height(),
                        dataset.width(), augRng);
            }
            for (int i = dst; i < dst + size; i++) {
                images[i] = (images[i] - mean) * inv;
            }
            labels[b] = dataset.labels()[ex];
        }
    }

    private final class EpochIterator implements Iterator<Batch> {
        private final int[] order;
        private final int batches;
        private final int gen;
        private final SplittableRandom augRng;
        private int next;

        EpochIterator(int epoch, int gen) {
            this.order = order(epoch);
            this.batches = batchesPerEpoch();
            this.gen = gen;
            this.augRng = epochRandom(epoch).split().split();
            if (batches > 0) {
                submit(0);
            }
        }

        private int count(int batch) {
            return Math.min(batchSize, dataset.size() - batch * batchSize);
        }

        private float[][] buffers(int batch) {
            int c = count(batch);
            if (c == batchSize) {
                return new float[][] {imageBuffers[batch % 2], labelBuffers[batch % 2]};
            }
            if (tailImages == null || tailLabels.length != c) {
                tailImages = new float[c * dataset.imageSize()];
                tailLabels = new float[c];
            }
            return new float[][] {tailImages, tailLabels};
        }

        private void submit(int batch) {
            float[][] buf = buffers(batch);
            int c = count(batch);
            pending = executor.submit(() -> fill(order, batch * batchSize, c, buf[0], buf[1], augRng));
        }

        @Override
        public boolean hasNext() {
            synchronized (DataLoader.this) {
                return gen == generation && !closed && next < batches;
            }
        }

        @Override
        public Batch next() {
            synchronized (DataLoader.this) {
                if (closed) {
                    throw new IllegalStateException("DataLoader.next: loader must be open, but it is closed");
                }
                if (gen != generation) {
                    throw new IllegalStateException("DataLoader.next: iterator must be the latest epoch's, but a "
                            + "newer epoch was started");
                }
                if (next >= batches) {
                    throw new NoSuchElementException("DataLoader.next: epoch has " + batches + " batches");
                }
                try {
                    pending.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("DataLoader.next: interrupted while preparing batch " + next, e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("DataLoader.next: preparing batch " + next + " failed: "
                            + e.getCause(), e.getCause());
                }
                pending = null;
                int batch = next++;
                float[][] buf = buffers(batch);
                int c = count(batch);
                var images = device.fromArray(buf[0], c, dataset.channels(), dataset.height(), dataset.width());
                var labels = device.fromArray(buf[1], c);
                if (next < batches) {
                    submit(next);
                }
                return new Batch(images, labels);
            }
        }
    }

    /** Builder of a {@link DataLoader}; defaults: batch size 32, shuffle on, seed 0, keep last, mean 0, std 1, no augmentation. */
    public static final class Builder {
        private final Dataset dataset;
        private final Device device;
        private int batchSize = 32;
        private boolean shuffle = true;
        private long seed;
        private boolean dropLast;
        private float mean;
        private float std = 1f;
        private Augmentation augmentation = Augmentation.NONE;

        private Builder(Dataset dataset, Device device) {
            if (dataset == null || device == null) {
                throw new IllegalArgumentException("DataLoader.builder: dataset and device must be non-null, but got "
                        + "dataset=" + dataset + ", device=" + device);
            }
            this.dataset = dataset;
            this.device = device;
        }

        /** Examples per batch, at least 1. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("DataLoader.batchSize: batchSize must be >= 1, but got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Whether to shuffle each epoch (default true). */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Seed of the shuffling and augmentation (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Whether to drop a last batch smaller than the batch size (default false). */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Normalization {@code (x - mean) / std}; {@code std} must be positive and finite. */
        public Builder normalize(float mean, float std) {
            if (!(std > 0) || Float.isInfinite(std) || !Float.isFinite(mean)) {
                throw new IllegalArgumentException("DataLoader.normalize: std must be finite and > 0 and mean finite, "
                        + "but got mean=" + mean + ", std=" + std);
            }
            this.mean = mean;
            this.std = std;
            return this;
        }

        /** Augmentation applied before normalization (default {@link Augmentation#NONE}). */
        public Builder augmentation(Augmentation augmentation) {
            if (augmentation == null) {
                throw new IllegalArgumentException("DataLoader.augmentation: augmentation must be non-null, but got null");
            }
            this.augmentation = augmentation;
            return this;
        }

        /** Builds the loader; it owns a background thread until closed. */
        public DataLoader build() {
            return new DataLoader(this);
        }
    }
}
