package org.cnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.cnn4j.data.DataLoader;
import org.cnn4j.data.Dataset;
import org.cnn4j.data.ShapesDataset;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.train.Evaluation;
import org.cnn4j.train.MetricsCsv;
import org.cnn4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The short end-to-end run CI does: train one epoch on a few hundred images, save, load, evaluate. */
class TrainCommandTest {
    private static final String[] DATA = {"--dataset", "shapes", "--limit", "640", "--test-limit", "256", "--seed", "3"};

    private static String[] args(Path out, String... more) {
        String[] base = {"--device", "cpu", "--epochs", "1", "--batch", "32", "--out", out.toString()};
        String[] all = new String[base.length + DATA.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(DATA, 0, all, base.length, DATA.length);
        System.arraycopy(more, 0, all, base.length + DATA.length, more.length);
        return all;
    }

    @Test
    void trainSaveLoadEvaluate(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainCommand.Result r = TrainCommand.run(args(dir), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");

        // the untrained network (same preset, same seed, so the same initial weights) on the same test images
        Device cpu = Device.cpu();
        Dataset test = DataSets.head(ShapesDataset.generate(2000, 3 + 1_000_003L), 256);
        DataSets.Split split = DataSets.load("shapes", null, 3, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        Evaluation before;
        try (Sequential fresh = Presets.get("reference").build(1, 28, 28, 10, cpu, new Generator(3));
             DataLoader loader = DataLoader.builder(test, cpu).batchSize(256).shuffle(false)
                     .normalize(split.mean(), split.std()).build()) {
            before = Trainer.evaluate(fresh, new CrossEntropyLoss()::apply, loader);
        }
        double after = r.history().get(0).testLoss();
        assertTrue(after < 0.9 * before.loss(), "test loss must fall with training: before " + before.loss() + ", after " + after);

        // outputs
        assertEquals(1, MetricsCsv.read(dir.resolve("metrics.csv")).size());
        BufferedImage curves = ImageIO.read(dir.resolve("curves.png").toFile());
        assertEquals(1200, curves.getWidth());
        assertTrue(Files.size(dir.resolve("model.safetensors")) > 1_000_000);
        assertTrue(Files.exists(dir.resolve("checkpoint.safetensors")));
        String last = lines[lines.length - 1];
        assertTrue(last.matches("\\{\"dataset\":\"shapes\",\"model\":\"reference\",\"device\":\"cpu\",\"epochs\":1,"
                + "\"test_accuracy\":[0-9.]+,\"train_seconds\":[0-9.]+,\"images_per_second\":[0-9.]+}"), last);
        assertTrue(String.join("\n", lines).contains("epoch 1/1  train loss"), "the per-epoch log line");

        // the reloaded model predicts exactly what the trained one did
        ByteArrayOutputStream evalOut = new ByteArrayOutputStream();
        EvaluateCommand.Result e = EvaluateCommand.run(new String[] {"--model-file", dir.resolve("model.safetensors").toString(),
                "--device", "cpu", "--test-limit", "256", "--seed", "3"}, new PrintStream(evalOut, true, StandardCharsets.UTF_8));
        assertArrayEquals(r.testPredictions(), e.predictions());
        assertEquals(r.history().get(0).testAccuracy(), e.evaluation().accuracy(), 1e-12);
        assertEquals(r.history().get(0).testLoss(), e.evaluation().loss(), 1e-5);
    }

    @Test
    void resumeContinuesTheRunAndKeepsItsHistory(@TempDir Path dir) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        TrainCommand.Result straight = TrainCommand.run(args(dir.resolve("a"), "--epochs", "2"), quiet);
        TrainCommand.run(args(dir.resolve("b")), quiet);
        TrainCommand.Result resumed = TrainCommand.run(args(dir.resolve("b"), "--epochs", "2", "--resume",
                dir.resolve("b/checkpoint.safetensors").toString()), quiet);
        assertEquals(2, resumed.history().size());
        assertEquals(straight.history().get(1).testAccuracy(), resumed.history().get(1).testAccuracy(), 1e-12);
        assertEquals(straight.history().get(1).trainLoss(), resumed.history().get(1).trainLoss(), 1e-12);
        assertArrayEquals(straight.testPredictions(), resumed.testPredictions());
        assertEquals(2, MetricsCsv.read(dir.resolve("b/metrics.csv")).size());
    }

    @Test
    void detectAnomalyChecksEveryOpOfARealRunWithoutChangingIt(@TempDir Path dir) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String[] small = {"--limit", "96", "--test-limit", "64"};
        TrainCommand.Result plain = TrainCommand.run(args(dir.resolve("plain"), small), quiet);
        String[] checkedArgs = java.util.Arrays.copyOf(small, small.length + 1);
        checkedArgs[small.length] = "--detect-anomaly";
        TrainCommand.Result checked = TrainCommand.run(args(dir.resolve("checked"), checkedArgs),
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("anomaly detection on"), "the run says the mode is on");
        assertEquals(plain.history().get(0).trainLoss(), checked.history().get(0).trainLoss(), 0.0, "same training loss");
        assertEquals(plain.history().get(0).testLoss(), checked.history().get(0).testLoss(), 0.0, "same test loss");
        assertArrayEquals(plain.testPredictions(), checked.testPredictions());
        assertTrue(!org.cnn4j.runtime.Anomaly.isEnabled(), "the mode is off again after the run");
    }

    @Test
    void everyPresetBuildsForGrayAndColourImagesAndTakesAStep() {
        Device cpu = Device.cpu();
        for (Presets.Preset p : Presets.ALL.values()) {
            for (int[] chw : new int[][] {{1, 28, 28}, {3, 32, 32}}) {
                try (org.cnn4j.runtime.Scope s = org.cnn4j.runtime.Scope.open();
                     Sequential model = p.build(chw[0], chw[1], chw[2], 10, cpu, new Generator(1))) {
                    org.cnn4j.runtime.Tensor x = cpu.normal(new Generator(2), 0f, 1f, 4, chw[0], chw[1], chw[2]);
                    org.cnn4j.runtime.Tensor logits = model.forward(x);
                    assertArrayEquals(new int[] {4, 10}, logits.shape().toArray(), p.name());
                    new CrossEntropyLoss().apply(logits, cpu.fromArray(new float[] {0, 1, 2, 3}, 4)).backward();
                    model.parameters().forEach(q -> assertTrue(q.grad() != null, p.name() + ": " + q.name() + " gets a gradient"));
                }
            }
        }
    }

    @Test
    void badOptionsAreRefusedByName(@TempDir Path dir) {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainCommand.run(args(dir, "--model", "vgg"), quiet))
                .getMessage().contains("--model must be one of [reference"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainCommand.run(args(dir, "--epochs", "0"), quiet))
                .getMessage().contains("--epochs must be >= 1, but got 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainCommand.run(args(dir, "--optimizer", "lbfgs"), quiet))
                .getMessage().contains("--optimizer must be one of"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainCommand.run(args(dir, "--bogus"), quiet))
                .getMessage().contains("got --bogus"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                // --device cpu: this JVM then never loads an OpenCL driver (a CI run once ended in a segfault
                // after the automatic device choice had loaded PoCL here; see the issue note)
                () -> TrainCommand.run(new String[] {"--device", "cpu", "--dataset", "fashion-mnist", "--data", dir.toString()},
                        quiet))
                .getMessage().contains("does not have them"));
    }
}
