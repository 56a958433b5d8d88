package org.cnn4j.layers;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Tensor;

/**
 * Batch normalization of features {@code [N, C]} (or sequences {@code [N, C, L]}) per feature; see
 * {@link BatchNorm} for the math and defaults.
 */
public class BatchNorm1d extends BatchNorm {
    /** {@code features} with the defaults (eps 1e-5, momentum 0.1, affine). */
    public BatchNorm1d(int features) {
        this(features, 1e-5f, 0.1f, true, Device.defaultDevice());
    }

    /** The general form. */
    public BatchNorm1d(int features, float eps, float momentum, boolean affine, Device device) {
        super("BatchNorm1d", features, eps, momentum, affine, device);
    }

    @Override
    void checkInput(Tensor x) {
        if (x.rank() != 2 && x.rank() != 3) {
            throw new IllegalArgumentException("BatchNorm1d.forward: input must have shape [N, C] or [N, C, L], but got "
                    + x.shape());
        }
    }
}
