package org.cnn4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cnn4j.checkpoint.Checkpoint;
import org.cnn4j.data.Augmentation;
import org.cnn4j.data.DataLoader;
import org.cnn4j.data.Dataset;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Sequential;
import org.cnn4j.optim.Adagrad;
import org.cnn4j.optim.Adam;
import org.cnn4j.optim.AdamW;
import org.cnn4j.optim.LrScheduler;
import org.cnn4j.optim.Optimizer;
import org.cnn4j.optim.RMSprop;
import org.cnn4j.optim.SGD;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.train.EpochMetrics;
import org.cnn4j.train.MetricsCsv;
import org.cnn4j.train.ProgressBar;
import org.cnn4j.train.Trainer;
import org.cnn4j.train.TrainingListener;

/**
 * {@code train}: trains a preset on a data set and writes, in the output folder, {@code metrics.csv},
 * {@code curves.png}, {@code checkpoint.safetensors} (resumable, after every epoch) and {@code model.safetensors}
 * (the final weights with what {@code evaluate} needs to rebuild the network); the last line on standard output
 * is one JSON object with the results.
 */
final class TrainCommand {
    static final String USAGE = "train [--model " + String.join("|", Presets.ALL.keySet()) + "] "
            + "[--dataset auto|fashion-mnist|mnist|cifar10|shapes] [--data DIR] [--epochs N] [--batch N] "
            + "[--optimizer adam|adamw|sgd|nesterov|rmsprop|adagrad] [--lr X] [--momentum X] [--weight-decay X] "
            + "[--schedule none|cosine|step] [--crop-padding P] [--flip|--no-flip] [--label-smoothing X] [--clip X] "
            + "[--accumulate N] [--patience N] [--device cpu|opencl|opencl:N] [--seed N] [--out DIR] [--limit N] "
            + "[--test-limit N] [--resume FILE] [--detect-anomaly]";
    private static final Set<String> WITH_VALUE = Set.of("model", "dataset", "data", "epochs", "batch", "optimizer", "lr",
            "momentum", "weight-decay", "schedule", "crop-padding", "label-smoothing", "clip", "accumulate", "patience",
            "device", "seed", "out", "limit", "test-limit", "resume");
    private static final Set<String> FLAGS = Set.of("flip", "no-flip", "detect-anomaly");

    private TrainCommand() {
    }

    /** What a run produced, for tests and the JSON line. */
    record Result(String dataset, String model, String device, List<EpochMetrics> history, Path outDir, String json,
                  int[] testPredictions) {
    }

    static Result run(String[] args, PrintStream out) throws IOException {
        Options o = Options.parse("train", args, WITH_VALUE, FLAGS);
        Presets.Preset preset = Presets.get(o.string("model", "reference"));
        Presets.Recipe r = preset.recipe();
        int epochs = o.integer("epochs", r.epochs(), 1);
        int batch = o.integer("batch", r.batch(), 1);
        long seed = o.integer("seed", 1, 0);
        Device device = o.has("device") ? Device.of(o.string("device", "auto")) : Device.defaultDevice();
        Path dataDir = o.has("data") ? Path.of(o.string("data", "")) : null;
        DataSets.Split split = DataSets.load(o.string("dataset", "auto"), dataDir, seed, out);
        Dataset train = DataSets.head(split.train(), o.integer("limit", Integer.MAX_VALUE, 1));
        Dataset test = DataSets.head(split.test(), o.integer("test-limit", Integer.MAX_VALUE, 1));
        Path outDir = Path.of(o.string("out", "runs/" + preset.name() + "-" + split.name()));
        Files.createDirectories(outDir);

        Generator gen = new Generator(seed);
        int cropPadding = o.integer("crop-padding", r.cropPadding(), 0);
        boolean flip = o.has("flip") || (r.flip() && !o.has("no-flip"));
        double smoothing = o.number("label-smoothing", r.labelSmoothing(), 0);
        try (Sequential model = preset.build(train.channels(), train.height(), train.width(), train.numClasses(), device, gen);
             Optimizer optimizer = optimizer(o, r, model);
             DataLoader trainLoader = DataLoader.builder(train, device).batchSize(batch).shuffle(true).seed(seed)
                     .normalize(split.mean(), split.std()).augmentation(new Augmentation(cropPadding, flip)).build();
             DataLoader testLoader = DataLoader.builder(test, device).batchSize(256).shuffle(false)
                     .normalize(split.mean(), split.std()).build()) {
            LrScheduler schedule = schedule(o.string("schedule", r.schedule()), optimizer, epochs);
            CrossEntropyLoss ce = new CrossEntropyLoss((float) smoothing, true).checkTargets(false);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("preset", preset.name());
            meta.put("dataset", split.name());
            meta.put("input_shape", train.channels() + "x" + train.height() + "x" + train.width());
            meta.put("classes", Integer.toString(train.numClasses()));
            meta.put("normalize_mean", Float.toString(split.mean()));
            meta.put("normalize_std", Float.toString(split.std()));
            Path checkpoint = outDir.resolve("checkpoint.safetensors");
            Trainer.Builder tb = Trainer.builder(model, optimizer).generator(gen).scheduler(schedule).loss(ce::apply)
                    .clipGradNorm(o.number("clip", 0, 0)).accumulationSteps(o.integer("accumulate", 1, 1))
                    .earlyStopping(o.integer("patience", 0, 0), 1e-4).listener(new ProgressBar(out))
                    .checkpointEveryEpoch(checkpoint, meta).detectAnomaly(o.has("detect-anomaly"));
            MetricsCsv csv = new MetricsCsv(outDir.resolve("metrics.csv"), List.of());
            String modelName = preset.name();
            tb.listener(csv).listener(new TrainingListener() {
                @Override
                public void onEpochEnd(EpochMetrics m, int totalEpochs) {
                    try {
                        CurvesPlot.write(csv.rows(), modelName + " on " + split.name(), outDir.resolve("curves.png"));
                    } catch (IOException e) {
                        throw new UncheckedIOException("train: could not write " + outDir.resolve("curves.png"), e);
                    }
                }
            });
            Trainer trainer = tb.build();
            if (o.has("resume")) {
                trainer.resume(Path.of(o.string("resume", "")));
                csv.restart(trainer.history());
                out.println("resumed after epoch " + trainer.completedEpochs() + " from " + o.string("resume", ""));
            }
            out.printf(Locale.ROOT, "model: %s (%,d parameters), %s%n", modelName, model.parameterCount(), preset.description());
            out.printf(Locale.ROOT, "training on %s: %d epochs, batch %d, %s, schedule %s, crop padding %d, flip %s, "
                    + "label smoothing %s%n", device.spec(), epochs, batch, optimizer, o.string("schedule", r.schedule()),
                    cropPadding, flip, smoothing);
            if (o.has("detect-anomaly")) {
                out.println("anomaly detection on: every op's output and gradient is checked for NaN and infinity (slow)");
            }
            List<EpochMetrics> history = trainer.fit(trainLoader, testLoader, epochs);
            Checkpoint.Builder finalModel = Checkpoint.builder().model(model);
            meta.forEach(finalModel::metadata);
            finalModel.build().save(outDir.resolve("model.safetensors"));
            int[] predictions = Trainer.predict(model, testLoader);
            String json = json(split.name(), modelName, device.spec(), history);
            out.println("wrote " + outDir.resolve("metrics.csv") + ", " + outDir.resolve("curves.png") + ", "
                    + outDir.resolve("model.safetensors") + ", " + checkpoint);
            out.println(json);
            return new Result(split.name(), modelName, device.spec(), history, outDir, json, predictions);
        }
    }

    static String json(String dataset, String model, String device, List<EpochMetrics> history) {
        double seconds = history.stream().mapToDouble(EpochMetrics::trainSeconds).sum();
        long images = history.stream().mapToLong(EpochMetrics::images).sum();
        EpochMetrics last = history.get(history.size() - 1);
        return String.format(Locale.ROOT, "{\"dataset\":\"%s\",\"model\":\"%s\",\"device\":\"%s\",\"epochs\":%d,"
                        + "\"test_accuracy\":%.4f,\"train_seconds\":%.1f,\"images_per_second\":%.1f}",
                dataset, model, device, history.size(), last.testAccuracy(), seconds, seconds > 0 ? images / seconds : 0);
    }

    private static Optimizer optimizer(Options o, Presets.Recipe r, Sequential model) {
        String name = o.string("optimizer", r.optimizer());
        double lr = o.number("lr", r.lr(), 0);
        double wd = o.number("weight-decay", r.weightDecay(), 0);
        double momentum = o.number("momentum", 0.9, 0);
        return switch (name) {
            case "adam" -> new Adam(model.parameters()).lr(lr).weightDecay(wd);
            case "adamw" -> new AdamW(model.parameters()).lr(lr).weightDecay(wd);
            case "sgd" -> new SGD(model.parameters(), lr).momentum(momentum).weightDecay(wd);
            case "nesterov" -> new SGD(model.parameters(), lr).momentum(momentum).nesterov(true).weightDecay(wd);
            case "rmsprop" -> new RMSprop(model.parameters()).lr(lr).weightDecay(wd);
            case "adagrad" -> new Adagrad(model.parameters()).lr(lr).weightDecay(wd);
            default -> throw new IllegalArgumentException("train: --optimizer must be one of adam, adamw, sgd, nesterov, "
                    + "rmsprop, adagrad, but got '" + name + "'");
        };
    }

    private static LrScheduler schedule(String name, Optimizer opt, int epochs) {
        return switch (name) {
            case "none" -> null;
            case "cosine" -> LrScheduler.cosine(opt, epochs, 0);
            case "step" -> LrScheduler.step(opt, Math.max(1, epochs / 3), 0.1);
            default -> throw new IllegalArgumentException("train: --schedule must be one of none, cosine, step, but got '"
                    + name + "'");
        };
    }
}
