package org.cnn4j.examples;

import java.util.Arrays;
import java.util.Locale;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;

/**
 * Times training steps of the reference CNN of the training issue (two conv-BN-ReLU-pool blocks, dropout,
 * two linear layers) on random 28x28 images: forward, cross-entropy, backward and a plain SGD update, with
 * only the loss value read back each step. Prints the median images per second over the timed steps.
 */
final class TrainingStepTiming {
    private TrainingStepTiming() {
    }

    static void run(Device device, int batch, int steps) {
        Generator gen = new Generator(1);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        try (Scope data = Scope.open(); Sequential model = Presets.referenceCnn(1, 28, 28, 10, device, gen)) {
            Tensor x = device.normal(gen, 0f, 1f, batch, 1, 28, 28);
            float[] labels = new float[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % 10;
            }
            Tensor y = device.fromArray(labels, batch);
            int warmup = 3;
            double[] seconds = new double[steps];
            float loss = 0;
            for (int s = 0; s < warmup + steps; s++) {
                long start = System.nanoTime();
                try (Scope step = Scope.open()) {
                    model.zeroGrad();
                    Tensor l = lossFn.apply(model.forward(x), y);
                    l.backward();
                    try (NoGrad off = NoGrad.enter()) {
                        for (Parameter p : model.parameters()) {
                            p.tensor().copyFrom(p.tensor().sub(p.grad().mul(0.01f)));
                        }
                    }
                    loss = l.item();
                }
                if (s >= warmup) {
                    seconds[s - warmup] = (System.nanoTime() - start) / 1e9;
                }
            }
            Arrays.sort(seconds);
            System.out.printf(Locale.ROOT, "%s batch %d: median %.1f ms/step, %.0f images/s (min %.1f, max %.1f ms; last loss %.3f)%n",
                    device.spec(), batch, seconds[steps / 2] * 1e3, batch / seconds[steps / 2], seconds[0] * 1e3,
                    seconds[steps - 1] * 1e3, loss);
        }
    }
}
