package org.cnn4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.cnn4j.data.DataLoader;
import org.cnn4j.data.Dataset;
import org.cnn4j.data.ShapesDataset;
import org.cnn4j.layers.Activations;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Dropout;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.MaxPool2d;
import org.cnn4j.layers.Padding;
import org.cnn4j.layers.Sequential;
import org.cnn4j.optim.Adam;
import org.cnn4j.optim.LrScheduler;
import org.cnn4j.optim.SGD;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TrainerTest {
    private static final Dataset TRAIN = ShapesDataset.generate(384, 11);
    private static final Dataset TEST = ShapesDataset.generate(128, 12);

    static java.util.stream.Stream<org.junit.jupiter.api.Named<Device>> devices() {
        return TestDevices.all();
    }

    /** Conv-BN-ReLU-pool, dropout, linear: every kind of state a checkpoint must carry. */
    static Sequential smallCnn(Device device, Generator gen, boolean withNormAndDropout) {
        int[] k3 = {3, 3};
        int[] one = {1, 1};
        if (!withNormAndDropout) {
            return new Sequential(new Conv2d(1, 4, k3, one, Padding.of(1), one, 1, true, device, gen), Activations.relu(),
                    new MaxPool2d(2), new Flatten(), new Linear(4 * 14 * 14, 10, true, device, gen));
        }
        return new Sequential(new Conv2d(1, 4, k3, one, Padding.of(1), one, 1, true, device, gen),
                new BatchNorm2d(4, 1e-5f, 0.1f, true, device), Activations.relu(), new MaxPool2d(2), new Flatten(),
                new Dropout(0.25f, gen), new Linear(4 * 14 * 14, 10, true, device, gen));
    }

    static DataLoader loader(Dataset data, Device device, int batch, boolean shuffle) {
        return DataLoader.builder(data, device).batchSize(batch).shuffle(shuffle).seed(5).normalize(0.2f, 0.4f).build();
    }

    @ParameterizedTest
    @MethodSource("devices")
    void lossFallsAndAccuracyRisesAboveChance(Device device) {
        Generator gen = new Generator(3);
        List<StepProgress> progress = new ArrayList<>();
        try (Sequential model = smallCnn(device, gen, true); Adam adam = new Adam(model.parameters()).lr(3e-3);
             DataLoader train = loader(TRAIN, device, 32, true); DataLoader test = loader(TEST, device, 64, false)) {
            Trainer trainer = Trainer.builder(model, adam).generator(gen).progressEvery(4)
                    .listener(new TrainingListener() {
                        @Override
                        public void onProgress(StepProgress p) {
                            progress.add(p);
                        }
                    }).build();
            Evaluation before = trainer.evaluate(test);
            List<EpochMetrics> history = trainer.fit(train, test, 4);
            assertEquals(4, history.size());
            assertTrue(history.get(3).trainLoss() < 0.7 * history.get(0).trainLoss(),
                    "train loss must fall, but got " + history);
            assertTrue(history.get(3).testLoss() < before.loss(), "test loss must fall below " + before + ": " + history);
            assertTrue(history.get(3).testAccuracy() > 0.4, "test accuracy must be well above chance (0.1): " + history);
            assertEquals(128, history.get(3).images() / 3, "each epoch sees the whole training set");
            // the evaluation helper agrees with a host-side count from predictions
            int[] predicted = Trainer.predict(model, test);
            int correct = 0;
            for (int i = 0; i < predicted.length; i++) {
                correct += predicted[i] == TEST.label(i) ? 1 : 0;
            }
            assertEquals((double) correct / TEST.size(), trainer.evaluate(test).accuracy(), 1e-9);
            StepProgress last = progress.get(progress.size() - 1);
            assertEquals(12, last.batch());
            assertEquals(384, last.images());
            assertTrue(last.runningAccuracy() >= 0 && last.runningAccuracy() <= 1);
        }
    }

    /** Trains {@code first} epochs, or trains them, saves, rebuilds everything and resumes, then trains on to {@code total}. */
    private static Map<String, float[]> run(Device device, int total, Path checkpointAfter, int first) throws Exception {
        Generator gen = new Generator(9);
        Sequential model = smallCnn(device, gen, true);
        Adam adam = new Adam(model.parameters()).lr(2e-3);
        LrScheduler schedule = LrScheduler.step(adam, 1, 0.7);
        try (DataLoader train = loader(TRAIN, device, 32, true); DataLoader test = loader(TEST, device, 64, false)) {
            Trainer trainer = Trainer.builder(model, adam).generator(gen).scheduler(schedule).build();
            if (checkpointAfter != null) {
                trainer.fit(train, test, first);
                trainer.save(checkpointAfter, Map.of("note", "resume test"));
                model.close();
                adam.close();
                // a new process would start from fresh objects with the same seeds
                gen = new Generator(9);
                model = smallCnn(device, gen, true);
                adam = new Adam(model.parameters()).lr(2e-3);
                schedule = LrScheduler.step(adam, 1, 0.7);
                trainer = Trainer.builder(model, adam).generator(gen).scheduler(schedule).build();
                Map<String, String> meta = trainer.resume(checkpointAfter);
                assertEquals("resume test", meta.get("note"));
                assertEquals(first, trainer.completedEpochs());
            }
            trainer.fit(train, test, total);
            Map<String, float[]> state = new LinkedHashMap<>();
            try (Scope steps = Scope.open()) {    // owns the step-count scalars stateDict makes
                model.stateDict().forEach((k, t) -> state.put(k, t.toArray()));
                adam.stateDict().forEach((k, t) -> state.put("adam/" + k, t.toArray()));
            }
            state.put("lr", new float[] {(float) adam.learningRate(0)});
            state.put("genOffset", new float[] {gen.offset()});
            state.put("testAccuracy", new float[] {(float) trainer.history().get(total - 1).testAccuracy()});
            model.close();
            adam.close();
            return state;
        }
    }

    @ParameterizedTest
    @MethodSource("devices")
    void resumingFromACheckpointContinuesBitForBit(Device device, @TempDir Path dir) throws Exception {
        Map<String, float[]> straight = run(device, 3, null, 0);
        Map<String, float[]> resumed = run(device, 3, dir.resolve("ck.safetensors"), 1);
        assertSameState(straight, resumed, "after resume must equal the uninterrupted run on " + device.spec());
    }

    /**
     * Determinism: with the same seeds, two training runs (weights, batch-norm statistics, Adam state, shuffling,
     * dropout and augmentation all drawn from the seeded generator) end bit-identical on the same device.
     */
    @ParameterizedTest
    @MethodSource("devices")
    void twoRunsWithTheSameSeedEndBitIdentical(Device device) throws Exception {
        Map<String, float[]> first = run(device, 2, null, 0);
        Map<String, float[]> second = run(device, 2, null, 0);
        assertSameState(first, second, "of a second run with the same seed must equal the first on " + device.spec());
    }

    private static void assertSameState(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), k + " " + what));
    }

    @Test
    void resumeRefusesAMismatchedCheckpointAndChangesNothing(@TempDir Path dir) throws Exception {
        Device cpu = TestDevices.cpu();
        Generator gen = new Generator(1);
        Path file = dir.resolve("other.safetensors");
        try (Sequential other = smallCnn(cpu, gen, false); Adam adam = new Adam(other.parameters())) {
            Trainer.builder(other, adam).generator(gen).build().save(file);
        }
        try (Sequential model = smallCnn(cpu, gen, true); Adam adam = new Adam(model.parameters())) {
            Trainer trainer = Trainer.builder(model, adam).generator(gen).build();
            Map<String, float[]> before = new LinkedHashMap<>();
            model.stateDict().forEach((k, t) -> before.put(k, t.toArray()));
            long offset = gen.offset();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.resume(file));
            assertTrue(e.getMessage().contains("Checkpoint.loadInto"), e.getMessage());
            model.stateDict().forEach((k, t) -> assertArrayEquals(before.get(k), t.toArray(), k));
            assertEquals(offset, gen.offset());
            assertEquals(0, trainer.completedEpochs());
        }
    }

    @Test
    void aNonFiniteLossStopsBeforeTouchingTheWeights() {
        Device cpu = TestDevices.cpu();
        Generator gen = new Generator(4);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        AtomicInteger calls = new AtomicInteger();
        try (Sequential model = smallCnn(cpu, gen, false); SGD sgd = new SGD(model.parameters(), 0.05);
             DataLoader train = loader(TRAIN, cpu, 32, true)) {
            Map<String, float[]> atFailure = new LinkedHashMap<>();
            Trainer trainer = Trainer.builder(model, sgd).generator(gen).loss((logits, y) -> {
                Tensor l = ce.apply(logits, y);
                if (calls.incrementAndGet() == 5) {
                    model.stateDict().forEach((k, t) -> atFailure.put(k, t.toArray()));
                    return l.neg().sub(1f).log(); // log of a negative number: NaN
                }
                return l;
            }).build();
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> trainer.fit(train, null, 1));
            assertEquals(1, e.epoch());
            assertEquals(4, e.batch());
            assertTrue(e.getMessage().contains("loss must be finite, but got NaN (epoch 1, batch 4)"), e.getMessage());
            model.stateDict().forEach((k, t) -> assertArrayEquals(atFailure.get(k), t.toArray(), k));
        }
    }

    @Test
    void detectAnomalyNamesTheLayerWhoseWeightIsNaNInsteadOfOnlyStoppingAtTheLoss() {
        Device cpu = TestDevices.cpu();
        Generator gen = new Generator(4);
        try (Sequential model = smallCnn(cpu, gen, false); SGD sgd = new SGD(model.parameters(), 0.05);
             DataLoader train = loader(TRAIN, cpu, 32, true)) {
            Tensor w = model.namedParameters().get("4.weight").tensor();
            float[] values = w.toArray();
            values[7] = Float.NaN;
            try (org.cnn4j.runtime.NoGrad off = org.cnn4j.runtime.NoGrad.enter()) {
                w.copyFrom(values);
            }
            Trainer plain = Trainer.builder(model, sgd).generator(gen).build();
            assertThrows(NonFiniteLossException.class, () -> plain.fit(train, null, 1), "without the option: the loss guard");
            Trainer checked = Trainer.builder(model, sgd).generator(gen).detectAnomaly(true).build();
            org.cnn4j.runtime.NonFiniteValueException e = assertThrows(org.cnn4j.runtime.NonFiniteValueException.class,
                    () -> checked.fit(train, null, 1));
            assertEquals("Tensor.matmul", e.op(), e.getMessage());
            assertEquals("4 (Linear)", e.layer(), e.getMessage());
            assertEquals(org.cnn4j.runtime.Shape.of(32, 10), e.shape(), e.getMessage());
            assertEquals(32, e.nanCount(), e.getMessage());                // one NaN weight: one output column
            assertTrue(e.getMessage().contains("input 1 (weight [10, 784]) already held non-finite values"), e.getMessage());
            assertTrue(!org.cnn4j.runtime.Anomaly.isEnabled(), "the trainer restores the mode it found");
        }
    }

    @Test
    void skipStepPolicyDropsOnlyTheBadBatches() {
        Device cpu = TestDevices.cpu();
        Generator gen = new Generator(4);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        AtomicInteger calls = new AtomicInteger();
        try (Sequential model = smallCnn(cpu, gen, false); SGD sgd = new SGD(model.parameters(), 0.05);
             DataLoader train = loader(TRAIN, cpu, 32, true)) {
            Trainer trainer = Trainer.builder(model, sgd).generator(gen).onNonFiniteLoss(NonFiniteLossPolicy.SKIP_STEP)
                    .loss((logits, y) -> calls.incrementAndGet() % 4 == 0 ? ce.apply(logits, y).mul(0f).log().neg() /* -log 0 = +inf */
                            : ce.apply(logits, y)).build();
            EpochMetrics m = trainer.fit(train, null, 1).get(0);
            assertEquals(3, m.skippedSteps());
            assertEquals(9 * 32, m.images());
            assertTrue(Double.isFinite(m.trainLoss()));
            model.parameters().forEach(p -> {
                for (float v : p.tensor().toArray()) {
                    assertTrue(Float.isFinite(v), p.name());
                }
            });
        }
    }

    @Test
    void accumulatingTwoHalfBatchesEqualsOneFullBatch() {
        Device cpu = TestDevices.cpu();
        Dataset small = ShapesDataset.generate(64, 21);
        Map<String, float[]> full = new LinkedHashMap<>();
        Map<String, float[]> accumulated = new LinkedHashMap<>();
        for (int accumulate : new int[] {1, 2}) {
            Generator gen = new Generator(8);
            try (Sequential model = smallCnn(cpu, gen, false); SGD sgd = new SGD(model.parameters(), 0.1).momentum(0.9);
                 DataLoader train = DataLoader.builder(small, cpu).batchSize(32 / accumulate).shuffle(false).build()) {
                Trainer.builder(model, sgd).accumulationSteps(accumulate).clipGradNorm(1.0).build().fit(train, null, 2);
                model.stateDict().forEach((k, t) -> (accumulate == 1 ? full : accumulated).put(k, t.toArray()));
            }
        }
        full.forEach((k, v) -> {
            float[] a = accumulated.get(k);
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], a[i], 1e-5 + 1e-4 * Math.abs(v[i]), k + "[" + i + "]");
            }
        });
    }

    @Test
    void earlyStoppingEndsARunThatStopsImproving() {
        Device cpu = TestDevices.cpu();
        Generator gen = new Generator(2);
        try (Sequential model = smallCnn(cpu, gen, false); SGD sgd = new SGD(model.parameters(), 0.0);
             DataLoader train = loader(TRAIN, cpu, 64, true); DataLoader test = loader(TEST, cpu, 64, false)) {
            List<EpochMetrics> history = Trainer.builder(model, sgd).earlyStopping(2, 1e-3).build().fit(train, test, 10);
            assertEquals(3, history.size(), "lr 0 never improves: epoch 1 is best, stop after 2 more");
        }
    }

    @Test
    void builderRejectsBadSettingsByName() {
        Device cpu = TestDevices.cpu();
        try (Sequential model = smallCnn(cpu, new Generator(1), false); SGD sgd = new SGD(model.parameters(), 0.1)) {
            Trainer.Builder b = Trainer.builder(model, sgd);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.accumulationSteps(0)).getMessage()
                    .contains("Trainer.Builder.accumulationSteps: steps must be >= 1, but got 0"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.clipGradNorm(Double.NaN)).getMessage()
                    .contains("clipGradNorm: maxNorm must be finite"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> b.earlyStopping(-1, 0)).getMessage()
                    .contains("earlyStopping"));
            assertThrows(IllegalArgumentException.class, () -> Trainer.builder(null, sgd));
        }
    }
}
