package org.cnn4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.cnn4j.checkpoint.Checkpoint;
import org.cnn4j.data.Batch;
import org.cnn4j.data.DataLoader;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Module;
import org.cnn4j.optim.GradClip;
import org.cnn4j.optim.LrScheduler;
import org.cnn4j.optim.Optimizer;
import org.cnn4j.runtime.Anomaly;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.NonFiniteValueException;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a classifier: epochs of mini-batch gradient descent over a {@link DataLoader}, evaluation on a test
 * set after each epoch, an optional per-epoch learning-rate schedule, gradient clipping, gradient
 * accumulation, early stopping, a guard against non-finite losses and resumable checkpoints.
 *
 * <p>One optimizer step, with accumulation over {@code A} batches of size {@code B} (effective batch {@code A*B}):
 * <pre>
 *   g = (1/A) sum_{a=1..A} grad L(model(x_a), y_a)     (L = mean loss over the batch)
 *   g = g * min(1, maxNorm / ||g||_2)                  (only with clipGradNorm)
 *   theta = optimizer.update(theta, g)
 * </pre>
 * Batch gradient descent is {@code B = n}, stochastic gradient descent {@code B = 1}, mini-batch anything
 * between; the loader sets {@code B}.
 *
 * <p>Per step the trainer reads one number back from the device: the loss, which feeds the running loss and
 * the non-finite guard (checked before the backward pass, so a NaN never reaches the weights). Correct
 * predictions are counted on the device and read every {@code progressEvery} batches. Everything else stays
 * on the device; the loader uploads each batch once.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(model, new Adam(model.parameters()).lr(1e-3))
 *         .scheduler(LrScheduler.cosine(...)).clipGradNorm(5).listener(new ProgressBar(System.err)).build();
 * List<EpochMetrics> history = trainer.fit(trainLoader, testLoader, 10);
 * trainer.save(Path.of("last.safetensors"));   // later: trainer.resume(...) continues where it stopped
 * }</pre>
 * Users who want their own loop need none of this: {@code model.forward}, {@code loss.backward()} and
 * {@code optimizer.step()} are the plain API.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    static final String META_EPOCHS = "trainer.epochs_completed";
    static final String META_GENERATOR_OFFSET = "trainer.generator_offset";
    static final String META_GENERATOR_SEED = "trainer.generator_seed";
    static final String META_HISTORY = "trainer.history";

    private final Module model;
    private final Optimizer optimizer;
    private final BiFunction<Tensor, Tensor, Tensor> loss;
    private final LrScheduler scheduler;
    private final double clipGradNorm;
    private final int accumulationSteps;
    private final int patience;
    private final double minDelta;
    private final NonFiniteLossPolicy nonFinitePolicy;
    private final boolean detectAnomaly;
    private final Generator generator;
    private final List<TrainingListener> listeners;
    private final int progressEvery;
    private final Path checkpointFile;
    private final Map<String, String> checkpointMetadata;
    private final List<EpochMetrics> history = new ArrayList<>();

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loss = b.loss;
        this.scheduler = b.scheduler;
        this.clipGradNorm = b.clipGradNorm;
        this.accumulationSteps = b.accumulationSteps;
        this.patience = b.patience;
        this.minDelta = b.minDelta;
        this.nonFinitePolicy = b.nonFinitePolicy;
        this.detectAnomaly = b.detectAnomaly;
        this.generator = b.generator;
        this.listeners = List.copyOf(b.listeners);
        this.progressEvery = b.progressEvery;
        this.checkpointFile = b.checkpointFile;
        this.checkpointMetadata = Map.copyOf(b.checkpointMetadata);
    }

    /**
     * Starts configuring a trainer of {@code model} by {@code optimizer} (which must hold the model's
     * parameters). Defaults: cross-entropy loss, no schedule, no clipping, no accumulation, no early stopping,
     * {@link NonFiniteLossPolicy#STOP}, the global {@link Generator} as the random state saved in checkpoints.
     */
    public static Builder builder(Module model, Optimizer optimizer) {
        return new Builder(model, optimizer);
    }

    /** Epochs completed so far (restored by {@link #resume}). */
    public int completedEpochs() {
        return history.size();
    }

    /** The metrics of every completed epoch, oldest first. */
    public List<EpochMetrics> history() {
        return Collections.unmodifiableList(history);
    }

    /** The model trained. */
    public Module model() {
        return model;
    }

    /**
     * Trains until {@code totalEpochs} epochs are complete (counting epochs restored by {@link #resume}), or
     * until early stopping ends the run; evaluates on {@code test} after each epoch when it is non-null.
     *
     * @return the metrics of every completed epoch
     * @throws IllegalArgumentException if {@code totalEpochs < 1} or {@code train} is null
     * @throws NonFiniteLossException   under {@link NonFiniteLossPolicy#STOP} when a loss is NaN or infinite
     * @throws NonFiniteValueException  with {@link Builder#detectAnomaly(boolean)}, at the first op that makes a NaN
     *                                  or an infinity
     */
    public List<EpochMetrics> fit(DataLoader train, DataLoader test, int totalEpochs) {
        if (train == null || totalEpochs < 1) {
            throw new IllegalArgumentException("Trainer.fit: train loader must be non-null and totalEpochs >= 1, but got "
                    + train + ", " + totalEpochs);
        }
        while (history.size() < totalEpochs) {
            trainEpoch(train, test, totalEpochs);
            if (shouldStopEarly()) {
                LOG.info("early stopping after epoch {}: no improvement above {} for {} epochs", history.size(), minDelta,
                        patience);
                break;
            }
        }
        return history();
    }

    /**
     * Trains one epoch (the next one), evaluates on {@code test} if non-null, steps the schedule, notifies the
     * listeners and writes the checkpoint when one is configured.
     *
     * @param totalEpochs the run's planned length, for progress reports only
     */
    public EpochMetrics trainEpoch(DataLoader train, DataLoader test, int totalEpochs) {
        try (Anomaly anomaly = detectAnomaly ? Anomaly.detect() : null) {
            return runEpoch(train, test, totalEpochs);
        }
    }

    private EpochMetrics runEpoch(DataLoader train, DataLoader test, int totalEpochs) {
        int epoch = history.size() + 1;
        double lr = optimizer.learningRate(0);
        long start = System.nanoTime();
        TrainPass pass = trainPass(train, epoch, totalEpochs);
        double trainSeconds = (System.nanoTime() - start) / 1e9;
        Evaluation eval = test == null ? new Evaluation(Double.NaN, Double.NaN, 0) : evaluate(test);
        double seconds = (System.nanoTime() - start) / 1e9;
        EpochMetrics m = new EpochMetrics(epoch, pass.loss, pass.accuracy, eval.loss(), eval.accuracy(), trainSeconds,
                seconds, pass.images, lr, pass.skipped);
        history.add(m);
        if (scheduler != null) {
            scheduler.step();
        }
        for (TrainingListener l : listeners) {
            l.onEpochEnd(m, Math.max(totalEpochs, epoch));
        }
        if (checkpointFile != null) {
            try {
                save(checkpointFile, checkpointMetadata);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("Trainer.trainEpoch: could not write checkpoint " + checkpointFile, e);
            }
        }
        return m;
    }

    private record TrainPass(double loss, double accuracy, long images, int skipped) {
    }

    private TrainPass trainPass(DataLoader train, int epoch, int totalEpochs) {
        model.train();
        optimizer.zeroGrad();
        int batches = train.batchesPerEpoch();
        long totalImages = train.examplesPerEpoch();
        listeners.forEach(l -> l.onEpochStart(epoch, totalEpochs, batches, totalImages));
        long start = System.nanoTime();
        double lossSum = 0;
        long seen = 0;
        long correctSeen = 0;
        int skipped = 0;
        int pending = 0;
        try (Scope epochScope = Scope.open()) {
            Tensor correct = null;
            Iterator<Batch> it = train.epoch(epoch - 1);
            for (int batch = 0; it.hasNext(); batch++) {
                Batch next = it.next();
                if (correct == null) {
                    correct = next.images().device().zeros(1); // owned by epochScope
                }
                try (Batch b = next; Scope step = Scope.open()) {
                    Tensor logits = model.forward(b.images());
                    Tensor l = loss.apply(logits, b.labels());
                    float value = l.item();
                    if (!Float.isFinite(value)) {
                        optimizer.zeroGrad();
                        pending = 0;
                        if (nonFinitePolicy == NonFiniteLossPolicy.STOP) {
                            throw new NonFiniteLossException(epoch, batch, value);
                        }
                        skipped++;
                        LOG.warn("epoch {} batch {}: loss is {}; skipping this optimizer step", epoch, batch, value);
                        continue;
                    }
                    (accumulationSteps > 1 ? l.mul(1f / accumulationSteps) : l).backward();
                    pending++;
                    if (pending == accumulationSteps || batch == batches - 1) {
                        applyUpdate();
                        pending = 0;
                    }
                    try (NoGrad off = NoGrad.enter()) {
                        correct.copyFrom(correct.add(correctCount(logits, b.labels())));
                    }
                    lossSum += (double) value * b.size();
                    seen += b.size();
                    if ((batch + 1) % progressEvery == 0 || batch == batches - 1) {
                        correctSeen = (long) correct.item();
                        report(epoch, totalEpochs, batch + 1, batches, seen, totalImages, start, lossSum, correctSeen);
                    }
                }
            }
            if (pending > 0) {
                applyUpdate();
            }
            if (correct != null) {
                correctSeen = (long) correct.item();
            }
        }
        return new TrainPass(seen == 0 ? Double.NaN : lossSum / seen, seen == 0 ? Double.NaN : (double) correctSeen / seen,
                seen, skipped);
    }

    private void applyUpdate() {
        if (clipGradNorm > 0) {
            GradClip.clipGradNorm(model.parameters(), clipGradNorm, 2);
        }
        optimizer.step();
        optimizer.zeroGrad();
    }

    private void report(int epoch, int totalEpochs, int batch, int batches, long seen, long totalImages, long start,
                        double lossSum, long correct) {
        StepProgress p = new StepProgress(epoch, totalEpochs, batch, batches, seen, totalImages,
                (System.nanoTime() - start) / 1e9, lossSum / seen, (double) correct / seen);
        listeners.forEach(l -> l.onProgress(p));
    }

    /**
     * Number of rows of {@code logits [N, K]} whose arg-max equals the label in {@code labels [N]}, as a
     * one-element tensor: {@code sum_n (1 - min(|argmax(logits_n) - y_n|, 1))}.
     */
    static Tensor correctCount(Tensor logits, Tensor labels) {
        return logits.argmax(1, false).sub(labels).abs().clampMax(1f).rsub(1f).sum();
    }

    /**
     * Mean loss and accuracy of the model over every batch of {@code data}, in evaluation mode (dropout off,
     * running batch-norm statistics) and without autograd; the model's mode is restored afterwards. Reads two
     * numbers back from the device in all.
     */
    public Evaluation evaluate(DataLoader data) {
        if (data == null) {
            throw new IllegalArgumentException("Trainer.evaluate: data loader must be non-null, but got null");
        }
        return evaluate(model, loss, data);
    }

    /** As {@link #evaluate(DataLoader)} for any classifier {@code model} and loss. */
    public static Evaluation evaluate(Module model, BiFunction<Tensor, Tensor, Tensor> loss, DataLoader data) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try (NoGrad off = NoGrad.enter(); Scope scope = Scope.open()) {
            Tensor lossSum = null;
            Tensor correct = null;
            long n = 0;
            for (Iterator<Batch> it = data.epoch(0); it.hasNext(); ) {
                Batch next = it.next();
                if (lossSum == null) {
                    lossSum = next.images().device().zeros(1); // owned by the evaluation scope
                    correct = next.images().device().zeros(1);
                }
                try (Batch b = next; Scope step = Scope.open()) {
                    Tensor logits = model.forward(b.images());
                    lossSum.copyFrom(lossSum.add(loss.apply(logits, b.labels()).mul((float) b.size())));
                    correct.copyFrom(correct.add(correctCount(logits, b.labels())));
                    n += b.size();
                }
            }
            if (n == 0) {
                return new Evaluation(Double.NaN, Double.NaN, 0);
            }
            return new Evaluation((double) lossSum.item() / n, (double) correct.item() / n, n);
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
    }

    /**
     * The arg-max class of each image in {@code data}, in order (evaluation mode, no autograd); read back once
     * per batch.
     */
    public static int[] predict(Module model, DataLoader data) {
        boolean wasTraining = model.isTraining();
        model.eval();
        int[] out = new int[(int) data.examplesPerEpoch()];
        int k = 0;
        try (NoGrad off = NoGrad.enter()) {
            for (Iterator<Batch> it = data.epoch(0); it.hasNext(); ) {
                try (Batch b = it.next(); Scope step = Scope.open()) {
                    for (float c : model.forward(b.images()).argmax(1, false).toArray()) {
                        out[k++] = (int) c;
                    }
                }
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        return out;
    }

    private boolean shouldStopEarly() {
        if (patience <= 0 || history.size() <= patience) {
            return false;
        }
        boolean hasTest = !Double.isNaN(history.get(history.size() - 1).testAccuracy());
        double best = Double.NEGATIVE_INFINITY;
        int bestEpoch = 0;
        for (EpochMetrics m : history) {
            double score = hasTest ? m.testAccuracy() : -m.trainLoss();
            if (score > best + minDelta) {
                best = score;
                bestEpoch = m.epoch();
            }
        }
        return history.size() - bestEpoch >= patience;
    }

    /**
     * Writes a resumable checkpoint (safetensors, atomic): the model's parameters and buffers, the
     * optimizer's state, and as metadata the epochs completed, the generator's offset and the history.
     *
     * @param extraMetadata more metadata entries (e.g. the model preset), may be empty
     */
    public void save(Path file, Map<String, String> extraMetadata) throws IOException {
        try (Scope scope = Scope.open()) {
            Checkpoint.Builder b = Checkpoint.builder().model(model).section(Checkpoint.OPTIMIZER, optimizer.stateDict());
            extraMetadata.forEach(b::metadata);
            StringBuilder rows = new StringBuilder();
            history.forEach(m -> rows.append(m.toCsvRow()).append('\n'));
            b.metadata(META_EPOCHS, Integer.toString(history.size()))
                    .metadata(META_GENERATOR_SEED, Long.toString(generator.seed()))
                    .metadata(META_GENERATOR_OFFSET, Long.toString(generator.offset()))
                    .metadata(META_HISTORY, rows.toString());
            b.build().save(file);
        }
    }

    /** As {@link #save(Path, Map)} with no extra metadata. */
    public void save(Path file) throws IOException {
        save(file, Map.of());
    }

    /**
     * Continues from a checkpoint written by {@link #save}: restores the model, the optimizer state, the
     * generator offset, the history (and so the epoch to train next) and advances the schedule to that epoch.
     * With the same data loader seed the run then goes on as if it had never stopped (bit for bit on the CPU
     * backend). All-or-nothing: if anything does not match, nothing is changed.
     *
     * @return the checkpoint's metadata
     * @throws IOException                             if the file cannot be read
     * @throws org.cnn4j.checkpoint.CheckpointFormatException if it is corrupt or truncated
     * @throws IllegalArgumentException                if it does not match the model, optimizer or schedule
     */
    public Map<String, String> resume(Path file) throws IOException {
        String op = "Trainer.resume";
        Checkpoint ck = Checkpoint.load(file);
        Map<String, String> meta = ck.metadata();
        for (String key : List.of(META_EPOCHS, META_GENERATOR_OFFSET, META_GENERATOR_SEED, META_HISTORY)) {
            if (!meta.containsKey(key)) {
                throw new IllegalArgumentException(op + ": checkpoint must have metadata '" + key + "' (written by "
                        + "Trainer.save), but it is missing (" + file + ")");
            }
        }
        int epochs = Integer.parseInt(meta.get(META_EPOCHS));
        List<EpochMetrics> restored = new ArrayList<>();
        meta.get(META_HISTORY).lines().filter(row -> !row.isBlank()).map(EpochMetrics::fromCsvRow).forEach(restored::add);
        if (restored.size() != epochs) {
            throw new IllegalArgumentException(op + ": history must have " + epochs + " rows, but got " + restored.size()
                    + " (" + file + ")");
        }
        long seed = Long.parseLong(meta.get(META_GENERATOR_SEED));
        if (seed != generator.seed()) {
            throw new IllegalArgumentException(op + ": generator seed must be " + seed + " as in the checkpoint, but got "
                    + generator.seed() + " (" + file + ")");
        }
        if (scheduler != null && scheduler.epoch() > epochs) {
            throw new IllegalArgumentException(op + ": the schedule must not be past epoch " + epochs
                    + ", but it is at epoch " + scheduler.epoch());
        }
        Map<String, float[]> before = snapshot(model);
        ck.loadInto(model);
        try (Scope scope = Scope.open()) {
            optimizer.loadStateDict(ck.hasSection(Checkpoint.OPTIMIZER)
                    ? ck.tensors(Checkpoint.OPTIMIZER, model.parameters().get(0).tensor().device()) : Map.of());
        } catch (RuntimeException e) {
            restore(model, before);
            throw e;
        }
        generator.setOffset(Long.parseLong(meta.get(META_GENERATOR_OFFSET)));
        history.clear();
        history.addAll(restored);
        while (scheduler != null && scheduler.epoch() < epochs) {
            scheduler.step();
        }
        LOG.info("resumed from {} after epoch {}", file, epochs);
        return meta;
    }

    private static Map<String, float[]> snapshot(Module model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, t) -> out.put(k, t.toArray()));
        return out;
    }

    private static void restore(Module model, Map<String, float[]> saved) {
        Map<String, Tensor> own = model.stateDict();
        saved.forEach((k, v) -> own.get(k).copyFrom(v));
    }

    @Override
    public String toString() {
        return "Trainer(optimizer=" + optimizer + ", scheduler=" + (scheduler == null ? "none" : scheduler.getClass().getSimpleName())
                + ", clipGradNorm=" + clipGradNorm + ", accumulationSteps=" + accumulationSteps + ", patience=" + patience
                + ", nonFinite=" + nonFinitePolicy + (detectAnomaly ? ", detectAnomaly" : "") + ")";
    }

    /** Configures a {@link Trainer}; every setter validates its argument. */
    public static final class Builder {
        private final Module model;
        private final Optimizer optimizer;
        private BiFunction<Tensor, Tensor, Tensor> loss = new CrossEntropyLoss().checkTargets(false)::apply;
        private LrScheduler scheduler;
        private double clipGradNorm;
        private int accumulationSteps = 1;
        private int patience;
        private double minDelta;
        private NonFiniteLossPolicy nonFinitePolicy = NonFiniteLossPolicy.STOP;
        private boolean detectAnomaly;
        private Generator generator = Generator.global();
        private final List<TrainingListener> listeners = new ArrayList<>();
        private int progressEvery = 20;
        private Path checkpointFile;
        private Map<String, String> checkpointMetadata = Map.of();

        private Builder(Module model, Optimizer optimizer) {
            if (model == null || optimizer == null) {
                throw new IllegalArgumentException("Trainer.builder: model and optimizer must be non-null, but got model="
                        + model + ", optimizer=" + optimizer);
            }
            if (model.parameters().isEmpty()) {
                throw new IllegalArgumentException("Trainer.builder: model must have parameters, but got none (" + model + ")");
            }
            this.model = model;
            this.optimizer = optimizer;
        }

        /**
         * The loss of logits {@code [N, K]} against labels {@code [N]}, reduced to the batch mean. Default:
         * cross-entropy without the per-call label check (labels are validated when a {@code Dataset} is made).
         */
        public Builder loss(BiFunction<Tensor, Tensor, Tensor> loss) {
            if (loss == null) {
                throw new IllegalArgumentException("Trainer.Builder.loss: loss must be non-null, but got null");
            }
            this.loss = loss;
            return this;
        }

        /** A schedule stepped once at the end of every epoch; null for none. */
        public Builder scheduler(LrScheduler scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        /** Clips the global L2 norm of the gradients to {@code maxNorm} before each step; 0 turns it off. */
        public Builder clipGradNorm(double maxNorm) {
            if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) {
                throw new IllegalArgumentException("Trainer.Builder.clipGradNorm: maxNorm must be finite and >= 0, but got "
                        + maxNorm);
            }
            this.clipGradNorm = maxNorm;
            return this;
        }

        /** Sums the gradients of {@code steps} batches (each loss scaled by 1/steps) per optimizer step. */
        public Builder accumulationSteps(int steps) {
            if (steps < 1) {
                throw new IllegalArgumentException("Trainer.Builder.accumulationSteps: steps must be >= 1, but got " + steps);
            }
            this.accumulationSteps = steps;
            return this;
        }

        /**
         * Stops when the test accuracy (or, without a test set, the negated training loss) has not improved by
         * more than {@code minDelta} for {@code patience} epochs; {@code patience = 0} turns it off.
         */
        public Builder earlyStopping(int patience, double minDelta) {
            if (patience < 0 || !(minDelta >= 0)) {
                throw new IllegalArgumentException("Trainer.Builder.earlyStopping: patience and minDelta must be >= 0, but got "
                        + patience + ", " + minDelta);
            }
            this.patience = patience;
            this.minDelta = minDelta;
            return this;
        }

        /** What to do when a loss is NaN or infinite (default {@link NonFiniteLossPolicy#STOP}). */
        public Builder onNonFiniteLoss(NonFiniteLossPolicy policy) {
            if (policy == null) {
                throw new IllegalArgumentException("Trainer.Builder.onNonFiniteLoss: policy must be non-null, but got null");
            }
            this.nonFinitePolicy = policy;
            return this;
        }

        /**
         * Runs every epoch (training and evaluation) in {@link Anomaly} mode: the first op whose output or
         * gradient holds a NaN or an infinity throws a {@link NonFiniteValueException} naming the op, the layer
         * and the shape, before the loss guard of {@link #onNonFiniteLoss} would see it. Several times slower;
         * for debugging. Default off ({@code false} leaves the process-wide mode as it is, e.g. switched on by
         * {@code -Dcnn4j.detectAnomaly=true}).
         */
        public Builder detectAnomaly(boolean on) {
            this.detectAnomaly = on;
            return this;
        }

        /** The generator the model's dropout layers draw from, whose position checkpoints save (default global). */
        public Builder generator(Generator generator) {
            if (generator == null) {
                throw new IllegalArgumentException("Trainer.Builder.generator: generator must be non-null, but got null");
            }
            this.generator = generator;
            return this;
        }

        /** Adds a listener (progress bar, metrics file, ...). */
        public Builder listener(TrainingListener listener) {
            if (listener == null) {
                throw new IllegalArgumentException("Trainer.Builder.listener: listener must be non-null, but got null");
            }
            listeners.add(listener);
            return this;
        }

        /** Reports progress (and reads the correct-prediction count back) every {@code batches} batches (default 20). */
        public Builder progressEvery(int batches) {
            if (batches < 1) {
                throw new IllegalArgumentException("Trainer.Builder.progressEvery: batches must be >= 1, but got " + batches);
            }
            this.progressEvery = batches;
            return this;
        }

        /** Saves a resumable checkpoint to {@code file} (atomically) after every epoch; null for none. */
        public Builder checkpointEveryEpoch(Path file) {
            return checkpointEveryEpoch(file, Map.of());
        }

        /** As {@link #checkpointEveryEpoch(Path)}, with {@code metadata} added to every checkpoint. */
        public Builder checkpointEveryEpoch(Path file, Map<String, String> metadata) {
            if (metadata == null) {
                throw new IllegalArgumentException("Trainer.Builder.checkpointEveryEpoch: metadata must be non-null, but got null");
            }
            this.checkpointFile = file;
            this.checkpointMetadata = Map.copyOf(metadata);
            return this;
        }

        /** The trainer. */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}
