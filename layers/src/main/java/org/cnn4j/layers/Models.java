package org.cnn4j.layers;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;

/** Ready-made networks: the project's reference CNN (the command line's {@code reference} presets and the benchmarks use it). */
public final class Models {
    private Models() {
    }

    /**
     * The reference CNN for images {@code [c, h, w]} and {@code classes} outputs:
     * <pre>
     *   Conv2d(c, 32, 3, pad 1) - BatchNorm2d - ReLU - MaxPool2d(2) - Conv2d(32, 64, 3, pad 1) - BatchNorm2d - ReLU -
     *   MaxPool2d(2) - Flatten - Dropout(0.25) - Linear(64 (h/4) (w/4), 128) - ReLU - Dropout(0.5) - Linear(128, classes)
     * </pre>
     * 421,834 parameters for 1x28x28 images and 10 classes. Weights are initialised as PyTorch does
     * ({@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}), drawn from {@code gen} in layer order, so a seed fixes the initial
     * weights on every device.
     */
    public static Sequential referenceCnn(int c, int h, int w, int classes, Device device, Generator gen) {
        int[] k3 = {3, 3};
        int[] one = {1, 1};
        return new Sequential(
                new Conv2d(c, 32, k3, one, Padding.of(1), one, 1, true, device, gen),
                new BatchNorm2d(32, 1e-5f, 0.1f, true, device), Activations.relu(), new MaxPool2d(2),
                new Conv2d(32, 64, k3, one, Padding.of(1), one, 1, true, device, gen),
                new BatchNorm2d(64, 1e-5f, 0.1f, true, device), Activations.relu(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.25f, gen), new Linear(64 * (h / 4) * (w / 4), 128, true, device, gen),
                Activations.relu(), new Dropout(0.5f, gen), new Linear(128, classes, true, device, gen));
    }
}
