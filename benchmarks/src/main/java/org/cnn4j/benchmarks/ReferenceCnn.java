package org.cnn4j.benchmarks;

import org.cnn4j.layers.Models;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;

/**
 * The reference CNN of the training issue for 1x28x28 images and 10 classes ({@link Models#referenceCnn}, which the
 * command line's {@code reference} presets build too), the twin of {@code ReferenceCnn} in
 * {@code benchmarks/python/bench_torch.py}:
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
        return Models.referenceCnn(CHANNELS, SIZE, SIZE, CLASSES, device, gen);
    }
}
