package org.cnn4j.layers;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Tensor;

/**
 * Batch normalization of images {@code [N, C, H, W]} per channel (statistics over N, H, W); see
 * {@link BatchNorm} for the math and defaults.
 */
public class BatchNorm2d extends BatchNorm {
    /** {@code channels} with the defaults (eps 1e-5, momentum 0.1, affine). */
    public BatchNorm2d(int channels) {
        this(channels, 1e-5f, 0.1f, true, Device.defaultDevice());
    }

    /** The general form. */
    public BatchNorm2d(int channels, float eps, float momentum, boolean affine, Device device) {
        super("BatchNorm2d", channels, eps, momentum, affine, device);
    }

    @Override
    void checkInput(Tensor x) {
        Checks.rank("BatchNorm2d.forward", "input", x, 4, "[N, C, H, W]");
    }
}
