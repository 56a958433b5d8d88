package org.cnn4j.layers;

import org.cnn4j.runtime.Function;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;

/**
 * Mean (or summed) cross-entropy of {@code [rows, classes]} logits against class-index targets, fused:
 * the per-row losses come from one stable log-softmax pass, and the backward is
 * {@code dx = scale * (softmax(x) - q)} with {@code scale = dL / rows} (mean) or {@code dL} (sum), kept on
 * the device so no value crosses to the host. See {@code LossOps} for {@code q} (label smoothing).
 */
final class CrossEntropyFunction extends Function {
    private final int rows;
    private final int classes;
    private final float smoothing;
    private final boolean mean;

    CrossEntropyFunction(int rows, int classes, float smoothing, boolean mean) {
        this.rows = rows;
        this.classes = classes;
        this.smoothing = smoothing;
        this.mean = mean;
    }

    @Override
    public String name() {
        return "crossEntropy";
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor logits = in[0];
        Tensor targets = in[1];
        ctx.save(logits, targets);
        Tensor perRow = logits.device().empty(Shape.of(rows));
        logits.device().backend().crossEntropy(rows, classes, smoothing, logits.memory(), logits.offset(),
                targets.memory(), targets.offset(), perRow.memory(), perRow.offset());
        return mean ? perRow.mean() : perRow.sum();
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor dLoss) {
        Tensor logits = ctx.saved(0);
        Tensor targets = ctx.saved(1);
        Tensor scale = mean ? dLoss.div((float) rows) : dLoss;
        Tensor dx = logits.device().empty(logits.shape());
        logits.device().backend().crossEntropyBackward(rows, classes, smoothing, logits.memory(), logits.offset(),
                targets.memory(), targets.offset(), scale.memory(), scale.offset(), dx.memory(), dx.offset());
        return new Tensor[] {dx, null};
    }
}
