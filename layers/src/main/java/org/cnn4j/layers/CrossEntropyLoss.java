package org.cnn4j.layers;

import org.cnn4j.runtime.Tensor;

/**
 * Cross-entropy loss of logits {@code [N, K]} against class indices {@code [N]} (floats), fused with a
 * numerically stable log-softmax:
 * <pre>
 *   loss = (1 / N) sum_n -sum_j q_nj log softmax(x_n)_j,   q_n = (1 - s) onehot(t_n) + s / K
 * </pre>
 * <b>Defaults</b>: mean over the batch, no label smoothing ({@code s = 0}); label smoothing as in Szegedy et
 * al. 2016 and PyTorch's {@code label_smoothing}.
 */
public class CrossEntropyLoss {
    private final float smoothing;
    private final boolean mean;
    private boolean checkTargets = true;

    /** Mean reduction, no label smoothing. */
    public CrossEntropyLoss() {
        this(0f, true);
    }

    /** With label smoothing {@code s} in [0, 1] and mean ({@code true}) or sum reduction. */
    public CrossEntropyLoss(float smoothing, boolean mean) {
        if (!(smoothing >= 0 && smoothing <= 1)) {
            throw new IllegalArgumentException("CrossEntropyLoss: label smoothing must be in [0, 1], but got " + smoothing);
        }
        this.smoothing = smoothing;
        this.mean = mean;
    }

    /**
     * Whether {@link #apply} verifies that every target is a class index (an integer in {@code [0, K)}) (default: yes).
     * The check reads the targets back from the device each call (one transfer of {@code 4 N} bytes); a data pipeline that validated its labels
     * when it loaded them can turn it off, and then a bad target gives a NaN loss for its row.
     */
    public CrossEntropyLoss checkTargets(boolean on) {
        this.checkTargets = on;
        return this;
    }

    /** The scalar loss. */
    public Tensor apply(Tensor logits, Tensor targets) {
        return F.crossEntropy("CrossEntropyLoss.apply", logits, targets, smoothing, mean, checkTargets);
    }

    @Override
    public String toString() {
        return "CrossEntropyLoss(smoothing=" + smoothing + ", reduction=" + (mean ? "mean" : "sum") + ")";
    }
}
