package org.cnn4j.layers;

import org.cnn4j.runtime.Function;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * Convolution (2-D and 3-D) as a differentiable op over the backend's {@code ConvOps}; inputs
 * {@code (x, weight, bias)} with bias possibly null. Shapes are checked by the caller ({@link F}).
 * <pre>
 *   forward:  y  = conv(x, w) + b
 *   backward: dx = convBackwardInput(dy, w),  dw = convBackwardWeight(x, dy),  db = sum_{n, spatial} dy
 * </pre>
 */
final class ConvFunction extends Function {
    private final ConvGeometry g;
    private final int[] outDims;

    ConvFunction(ConvGeometry g, int[] outDims) {
        this.g = g;
        this.outDims = outDims;
    }

    @Override
    public String name() {
        return "conv";
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor x = in[0];
        Tensor w = in[1];
        Tensor b = in[2];
        ctx.save(x, w);
        Tensor y = x.device().empty(org.cnn4j.runtime.Shape.of(outDims));
        x.device().backend().convForward(g, x.memory(), x.offset(), w.memory(), w.offset(),
                b == null ? null : b.memory(), b == null ? 0 : b.offset(), y.memory(), y.offset());
        return y;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor dy) {
        Tensor x = ctx.saved(0);
        Tensor w = ctx.saved(1);
        Backend be = dy.device().backend();
        Tensor dx = null;
        Tensor dw = null;
        Tensor db = null;
        if (ctx.needsInputGrad(0)) {
            dx = dy.device().empty(x.shape());
            be.convBackwardInput(g, dy.memory(), dy.offset(), w.memory(), w.offset(), dx.memory(), dx.offset());
        }
        if (ctx.needsInputGrad(1)) {
            dw = dy.device().empty(w.shape());
            be.convBackwardWeight(g, x.memory(), x.offset(), dy.memory(), dy.offset(), dw.memory(), dw.offset());
        }
        if (ctx.needsInputGrad(2)) {
            db = biasGrad(dy, g.batch(), g.outChannels());
        }
        return new Tensor[] {dx, dw, db};
    }

    /** {@code db[k] = sum_{n, spatial} dy[n, k, spatial]}. */
    static Tensor biasGrad(Tensor dy, int batch, int channels) {
        return dy.reshape(batch, channels, -1).sum(2, false).sum(0, false);
    }
}
