package org.cnn4j.benchmarks;

import org.cnn4j.layers.Activations;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.Dropout;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.MaxPool2d;
import org.cnn4j.layers.Padding;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;

/**
 * The reference CNN of the training issue for 1x28x28 images and 10 classes, the same network as the
 * {@code reference} preset of the command line and {@code ReferenceCnn} in {@code benchmarks/python/bench_torch.py}:
 * Conv2d(1,32,3,pad 1), BatchNorm2d, ReLU, MaxPool2d(2), Conv2d(32,64,3,pad 1), BatchNorm2d, ReLU,
 * MaxPool2d(2), Flatten, Dropout(0.25), Linear(3136,128), ReLU, Dropout(0.5), Linear(128,10).
 */
final class ReferenceCnn {
    /** Input image shape {@code [C, H, W]}. */
    static final int CHANNELS = 1;
    static final int SIZE = 28;
    static final int CLASSES = 10;

    private ReferenceCnn() {
    }

    static Sequential build(Device device, Generator gen) {
        int[] k3 = {3, 3};
        int[] one = {1, 1};
        return new Sequential(
                new Conv2d(CHANNELS, 32, k3, one, Padding.of(1), one, 1, true, device, gen),
                new BatchNorm2d(32, 1e-5f, 0.1f, true, device), Activations.relu(), new MaxPool2d(2),
                new Conv2d(32, 64, k3, one, Padding.of(1), one, 1, true, device, gen),
                new BatchNorm2d(64, 1e-5f, 0.1f, true, device), Activations.relu(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.25f, gen), new Linear(64 * (SIZE / 4) * (SIZE / 4), 128, true, device, gen),
                Activations.relu(), new Dropout(0.5f, gen), new Linear(128, CLASSES, true, device, gen));
    }
}
