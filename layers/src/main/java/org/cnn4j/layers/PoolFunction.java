package org.cnn4j.layers;

import org.cnn4j.runtime.Function;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * Max, average and adaptive-average pooling as differentiable ops over the backend's {@code PoolOps}.
 * Max pooling keeps the arg-max indices of the forward pass (a float tensor of the output's size) and
 * routes each output gradient to its arg-max; average pooling spreads it evenly over the window.
 */
final class PoolFunction extends Function {
    /** Which pooling. */
    enum Kind { MAX, AVG, AVG_EXCLUDE_PAD, ADAPTIVE_AVG }

    private final Kind kind;
    private final PoolGeometry g;
    private final int[] outDims;

    PoolFunction(Kind kind, PoolGeometry g, int[] outDims) {
        this.kind = kind;
        this.g = g;
        this.outDims = outDims;
    }

    @Override
    public String name() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + "Pool";
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor x = in[0];
        Tensor y = x.device().empty(Shape.of(outDims));
        switch (kind) {
            case MAX -> {
                Tensor argmax = x.device().empty(Shape.of(outDims));
                x.device().backend().maxPoolForward(g, x.memory(), x.offset(), y.memory(), y.offset(),
                        argmax.memory(), argmax.offset());
                ctx.save(argmax);
            }
            case AVG, AVG_EXCLUDE_PAD -> x.device().backend().avgPoolForward(g, kind == Kind.AVG, x.memory(), x.offset(),
                    y.memory(), y.offset());
            case ADAPTIVE_AVG -> x.device().backend().adaptiveAvgPoolForward(g, x.memory(), x.offset(), y.memory(), y.offset());
        }
        ctx.save(x);
        return y;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor dy) {
        Tensor x = ctx.saved(kind == Kind.MAX ? 1 : 0);
        Tensor dx = dy.device().empty(x.shape());
        switch (kind) {
            case MAX -> {
                Tensor argmax = ctx.saved(0);
                dy.device().backend().maxPoolBackward(g, dy.memory(), dy.offset(), argmax.memory(), argmax.offset(),
                        dx.memory(), dx.offset());
            }
            case AVG, AVG_EXCLUDE_PAD -> dy.device().backend().avgPoolBackward(g, kind == Kind.AVG, dy.memory(), dy.offset(),
                    dx.memory(), dx.offset());
            case ADAPTIVE_AVG -> dy.device().backend().adaptiveAvgPoolBackward(g, dy.memory(), dy.offset(), dx.memory(), dx.offset());
        }
        return new Tensor[] {dx};
    }
}
