package org.cnn4j.optim;

/**
 * Lowers the learning rate when a metric stops improving, as PyTorch 1.13's {@code ReduceLROnPlateau}
 * (mode {@code min}, relative threshold): a value counts as better when
 * {@code value < best * (1 - threshold)}; after more than {@code patience} epochs without improvement,
 * {@code lr = max(lr * factor, minLr)} and the count restarts after {@code cooldown} epochs.
 * <b>Defaults</b>: factor 0.1, patience 10, threshold 1e-4, cooldown 0, minLr 0.
 */
public final class ReduceLROnPlateau {
    private final Optimizer optimizer;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final int cooldown;
    private final double minLr;
    private double best = Double.POSITIVE_INFINITY;
    private int badEpochs;
    private int cooldownLeft;

    /** With PyTorch's defaults. */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, 0.1, 10, 1e-4, 0, 0);
    }

    /** The general form. */
    public ReduceLROnPlateau(Optimizer optimizer, double factor, int patience, double threshold, int cooldown, double minLr) {
        if (!(factor > 0 && factor < 1) || patience < 0 || !(threshold >= 0) || cooldown < 0 || !(minLr >= 0)) {
            throw new IllegalArgumentException("ReduceLROnPlateau: factor must be in (0, 1), patience, cooldown, threshold and "
                    + "minLr >= 0, but got factor=" + factor + ", patience=" + patience + ", threshold=" + threshold
                    + ", cooldown=" + cooldown + ", minLr=" + minLr);
        }
        this.optimizer = optimizer;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
    }

    /** Reports this epoch's metric (lower is better) and lowers the rate when it has plateaued. */
    public void step(double metric) {
        if (metric < best * (1 - threshold)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            for (int i = 0; i < optimizer.paramGroups().size(); i++) {
                double old = optimizer.learningRate(i);
                double lowered = Math.max(old * factor, minLr);
                if (old - lowered > 1e-8) {
                    optimizer.setLearningRate(i, lowered);
                }
            }
            cooldownLeft = cooldown;
            badEpochs = 0;
        }
    }
}
