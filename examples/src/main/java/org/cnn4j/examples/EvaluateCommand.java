package org.cnn4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.cnn4j.checkpoint.Checkpoint;
import org.cnn4j.data.DataLoader;
import org.cnn4j.data.Dataset;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Module;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.train.Evaluation;
import org.cnn4j.train.Trainer;

/**
 * {@code evaluate}: rebuilds the network saved by {@code train} ({@code model.safetensors} or
 * {@code checkpoint.safetensors}: the preset, input shape and normalisation are in its metadata), loads the
 * weights and reports loss and accuracy on the test split; the last line is a JSON object.
 */
final class EvaluateCommand {
    static final String USAGE = "evaluate --model-file FILE [--dataset NAME] [--data DIR] [--device SPEC] [--test-limit N] "
            + "[--tta none|flip]";
    private static final Set<String> WITH_VALUE = Set.of("model-file", "dataset", "data", "device", "test-limit", "seed", "tta");

    private EvaluateCommand() {
    }

    /** The evaluation, and the arg-max predictions in test-set order. */
    record Result(Evaluation evaluation, int[] predictions, String json) {
    }

    static Result run(String[] args, PrintStream out) throws IOException {
        Options o = Options.parse("evaluate", args, WITH_VALUE, Set.of());
        if (!o.has("model-file")) {
            throw new IllegalArgumentException("evaluate: --model-file must be given (the model.safetensors written by train)");
        }
        Path file = Path.of(o.string("model-file", ""));
        Checkpoint ck = Checkpoint.load(file);
        Map<String, String> meta = ck.metadata();
        for (String key : new String[] {"preset", "dataset", "input_shape", "classes", "normalize_mean", "normalize_std"}) {
            if (!meta.containsKey(key)) {
                throw new IllegalArgumentException("evaluate: the model file must have metadata '" + key + "' (written by "
                        + "train), but it is missing (" + file + ")");
            }
        }
        Presets.Preset preset = Presets.get(meta.get("preset"));
        String[] shape = meta.get("input_shape").split("x");
        int c = Integer.parseInt(shape[0]);
        int h = Integer.parseInt(shape[1]);
        int w = Integer.parseInt(shape[2]);
        int classes = Integer.parseInt(meta.get("classes"));
        Device device = o.has("device") ? Device.of(o.string("device", "auto")) : Device.defaultDevice();
        Path dataDir = o.has("data") ? Path.of(o.string("data", "")) : null;
        DataSets.Split split = DataSets.load(o.string("dataset", meta.get("dataset")), dataDir, o.integer("seed", 1, 0), out);
        Dataset test = DataSets.head(split.test(), o.integer("test-limit", Integer.MAX_VALUE, 1));
        if (test.channels() != c || test.height() != h || test.width() != w || test.numClasses() != classes) {
            throw new IllegalArgumentException("evaluate: the data set must have images " + meta.get("input_shape") + " and "
                    + classes + " classes as the model, but got " + test);
        }
        float mean = Float.parseFloat(meta.get("normalize_mean"));
        float std = Float.parseFloat(meta.get("normalize_std"));
        try (Sequential model = preset.build(c, h, w, classes, device, new Generator(0));
             DataLoader loader = DataLoader.builder(test, device).batchSize(256).shuffle(false).normalize(mean, std).build()) {
            ck.loadInto(model);
            String tta = o.string("tta", "none");
            if (!tta.equals("none") && !tta.equals("flip")) {
                throw new IllegalArgumentException("evaluate: --tta must be none or flip, but got '" + tta + "'");
            }
            Module evaluated = tta.equals("flip") ? new FlipAveraged(model) : model;
            CrossEntropyLoss ce = new CrossEntropyLoss().checkTargets(false);
            Evaluation e = Trainer.evaluate(evaluated, ce::apply, loader);
            int[] predictions = Trainer.predict(evaluated, loader);
            out.printf(Locale.ROOT, "%s on %s (%d test images, %s, test-time augmentation %s): loss %.4f, accuracy %.2f%%%n",
                    preset.name(), split.name(), e.examples(), device.spec(), tta, e.loss(), 100 * e.accuracy());
            String json = String.format(Locale.ROOT, "{\"dataset\":\"%s\",\"model\":\"%s\",\"device\":\"%s\",\"tta\":\"%s\","
                    + "\"examples\":%d,\"test_loss\":%.4f,\"test_accuracy\":%.4f}", split.name(), preset.name(), device.spec(),
                    tta, e.examples(), e.loss(), e.accuracy());
            out.println(json);
            return new Result(e, predictions, json);
        }
    }
}
