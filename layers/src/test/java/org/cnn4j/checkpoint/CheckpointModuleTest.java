package org.cnn4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints of real modules. Needs a backend on the test class path (the layers module has none of its
 * own); skipped otherwise. Run with {@code -Dmaven.test.additionalClasspath=<cpu-fallback classes>}.
 */
class CheckpointModuleTest {
    @TempDir
    Path dir;

    static Sequential net() {
        return new Sequential(new Conv2d(2, 3, 3, 1), new BatchNorm2d(3), new Flatten(), new Linear(3 * 4 * 4, 5));
    }

    static Map<String, float[]> snapshot(Sequential m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((n, t) -> out.put(n, t.toArray()));
        return out;
    }

    static void assertSame(Map<String, float[]> a, Map<String, float[]> b) {
        assertTrue(a.keySet().equals(b.keySet()));
        a.forEach((n, v) -> assertArrayEquals(v, b.get(n), n));
    }

    static float[] output(Sequential m, Tensor x) {
        try (Scope s = Scope.open()) {
            return m.forward(x).toArray();
        }
    }

    @Test
    void roundTripGivesIdenticalOutputsAndRefusesCorruptionWithoutTouchingTheModel() throws Exception {
        Device cpu = Device.cpu();
        float[] xs = new float[2 * 2 * 4 * 4];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) Math.sin(i * 0.37);
        }
        try (Sequential a = net(); Sequential b = net(); Tensor x = cpu.fromArray(xs, 2, 2, 4, 4)) {
            output(a, x); // a training step of batch norm moves the running statistics
            a.eval();
            b.eval();
            Path f = dir.resolve("model.safetensors");
            Checkpoint.builder().model(a).metadata("epoch", "1").build().save(f);
            Checkpoint.load(f, b);
            assertArrayEquals(output(a, x), output(b, x));
            assertSame(snapshot(a), snapshot(b));

            try (Sequential c = net()) {
                Map<String, float[]> before = snapshot(c);
                byte[] good = Files.readAllBytes(f);
                byte[] flipped = good.clone();
                flipped[flipped.length - 1] ^= 1;
                Files.write(f, flipped);
                assertThrows(CheckpointFormatException.class, () -> Checkpoint.load(f, c));
                Files.write(f, java.util.Arrays.copyOf(good, good.length - 4));
                assertThrows(CheckpointFormatException.class, () -> Checkpoint.load(f, c));
                assertSame(before, snapshot(c));

                // a checkpoint of another architecture: wrong shape for this model
                try (Sequential other = new Sequential(new Conv2d(2, 4, 3, 1), new BatchNorm2d(4), new Flatten(),
                        new Linear(4 * 4 * 4, 5))) {
                    Checkpoint.save(f, other);
                }
                String m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(f, c)).getMessage();
                assertTrue(m.contains("'0.weight' must have shape [3, 2, 3, 3], but got [4, 2, 3, 3] (file " + f + ")"), m);
                assertSame(before, snapshot(c));

                // missing and unexpected entries
                try (Sequential smaller = new Sequential(new Conv2d(2, 3, 3, 1))) {
                    Checkpoint.save(f, smaller);
                }
                m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(f, c)).getMessage();
                assertTrue(m.contains("but it is missing"), m);
                try (Sequential bigger = new Sequential(new Conv2d(2, 3, 3, 1), new BatchNorm2d(3), new Flatten(),
                        new Linear(3 * 4 * 4, 5), new Linear(5, 2))) {
                    Checkpoint.save(f, bigger);
                }
                m = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(f, c)).getMessage();
                assertTrue(m.contains("unexpected '4."), m);
                assertSame(before, snapshot(c));
            }
        }
    }
}
