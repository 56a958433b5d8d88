package org.cnn4j.layers;

import org.cnn4j.runtime.Function;
import org.cnn4j.runtime.Tensor;

/** Softmax or log-softmax over the last dimension, with the backward computed from the output (see {@code LossOps}). */
final class SoftmaxFunction extends Function {
    private final boolean log;

    SoftmaxFunction(boolean log) {
        this.log = log;
    }

    @Override
    public String name() {
        return log ? "logSoftmax" : "softmax";
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor x = in[0];
        int classes = x.dim(-1);
        int rows = (int) (x.numel() / classes);
        Tensor y = x.device().empty(x.shape());
        x.device().backend().softmax(log, rows, classes, x.memory(), x.offset(), y.memory(), y.offset());
        ctx.save(y);
        return y;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor dy) {
        Tensor y = ctx.saved(0);
        int classes = y.dim(-1);
        int rows = (int) (y.numel() / classes);
        Tensor dx = dy.device().empty(dy.shape());
        dy.device().backend().softmaxBackward(log, rows, classes, y.memory(), y.offset(), dy.memory(), dy.offset(),
                dx.memory(), dx.offset());
        return new Tensor[] {dx};
    }
}
