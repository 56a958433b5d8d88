package org.cnn4j.layers;

import org.cnn4j.runtime.Function;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;

/**
 * Training-mode batch normalization over {@code [n, c, spatial]} with batch statistics, forward and
 * fused backward on the backend's {@code NormOps}; inputs {@code (x, gamma, beta)}, the affine pair
 * possibly null. The batch mean and biased variance are kept for the backward pass and exposed so the
 * layer can update its running statistics without another pass over the data.
 *
 * <p>With {@code relu} it is batch norm followed by ReLU, {@code y = max(0, bn(x))}, as one op (the backend fuses
 * the passes where it can): the backward masks the gradient with {@code y > 0} and keeps {@code y} for that, as
 * ReLU alone would.
 */
final class BatchNormFunction extends Function {
    private final int n;
    private final int c;
    private final int spatial;
    private final float eps;
    private final boolean relu;
    private Tensor mean;
    private Tensor var;
    private Tensor gamma;

    BatchNormFunction(int n, int c, int spatial, float eps, boolean relu) {
        this.n = n;
        this.c = c;
        this.spatial = spatial;
        this.eps = eps;
        this.relu = relu;
    }

    @Override
    public String name() {
        return relu ? "batchNormRelu" : "batchNorm";
    }

    /** The batch mean of the last forward pass, {@code [c]}. */
    Tensor mean() {
        return mean;
    }

    /** The biased batch variance of the last forward pass, {@code [c]}. */
    Tensor var() {
        return var;
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor x = in[0];
        gamma = in[1];
        Tensor beta = in[2];
        mean = x.device().empty(Shape.of(c));
        var = x.device().empty(Shape.of(c));
        x.device().backend().batchNormStatistics(n, c, spatial, x.memory(), x.offset(), mean.memory(), mean.offset(),
                var.memory(), var.offset());
        Tensor y = x.device().empty(x.shape());
        Backend b = x.device().backend();
        if (relu) {
            b.batchNormReluForward(n, c, spatial, eps, x.memory(), x.offset(), mean.memory(), mean.offset(), var.memory(),
                    var.offset(), memory(gamma), offset(gamma), memory(beta), offset(beta), y.memory(), y.offset());
            ctx.save(x, mean, var, y);
        } else {
            b.batchNormForward(n, c, spatial, eps, x.memory(), x.offset(), mean.memory(), mean.offset(), var.memory(),
                    var.offset(), memory(gamma), offset(gamma), memory(beta), offset(beta), y.memory(), y.offset());
            ctx.save(x, mean, var);
        }
        return y;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor dy) {
        Tensor x = ctx.saved(0);
        Tensor m = ctx.saved(1);
        Tensor v = ctx.saved(2);
        Tensor dx = dy.device().empty(x.shape());
        Tensor dgamma = gamma != null && ctx.needsInputGrad(1) ? dy.device().empty(Shape.of(c)) : null;
        Tensor dbeta = ctx.needsInputGrad(2) ? dy.device().empty(Shape.of(c)) : null;
        Backend b = dy.device().backend();
        if (relu) {
            Tensor y = ctx.saved(3);
            b.batchNormReluBackward(n, c, spatial, eps, x.memory(), x.offset(), y.memory(), y.offset(), dy.memory(),
                    dy.offset(), m.memory(), m.offset(), v.memory(), v.offset(), memory(gamma), offset(gamma), dx.memory(),
                    dx.offset(), memory(dgamma), offset(dgamma), memory(dbeta), offset(dbeta));
        } else {
            b.batchNormBackward(n, c, spatial, eps, x.memory(), x.offset(), dy.memory(), dy.offset(), m.memory(),
                    m.offset(), v.memory(), v.offset(), memory(gamma), offset(gamma), dx.memory(), dx.offset(),
                    memory(dgamma), offset(dgamma), memory(dbeta), offset(dbeta));
        }
        return new Tensor[] {ctx.needsInputGrad(0) ? dx : null, dgamma, dbeta};
    }

    private static DeviceMemory memory(Tensor t) {
        return t == null ? null : t.memory();
    }

    private static long offset(Tensor t) {
        return t == null ? 0 : t.offset();
    }
}
