package org.cnn4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.api.Test;

class FlipAveragedTest {
    @Test
    void averagesTheLogitsOfTheImageAndItsMirrorImage() {
        Device cpu = Device.cpu();
        int n = 2;
        int c = 2;
        int h = 3;
        int w = 5;
        try (Scope s = Scope.open(); Sequential model = new Sequential(new Flatten(), new Linear(c * h * w, 4, true, cpu,
                new Generator(1)))) {
            float[] x = cpu.normal(new Generator(2), 0f, 1f, n, c, h, w).toArray();
            float[] mirrored = new float[x.length];
            for (int row = 0; row < n * c * h; row++) {
                for (int col = 0; col < w; col++) {
                    mirrored[row * w + col] = x[row * w + (w - 1 - col)];
                }
            }
            float[] a = model.forward(cpu.fromArray(x, n, c, h, w)).toArray();
            float[] b = model.forward(cpu.fromArray(mirrored, n, c, h, w)).toArray();
            float[] expected = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                expected[i] = (a[i] + b[i]) / 2;
            }
            Tensor y = new FlipAveraged(model).forward(cpu.fromArray(x, n, c, h, w));
            assertArrayEquals(expected, y.toArray(), 1e-5f);
        }
    }
}
