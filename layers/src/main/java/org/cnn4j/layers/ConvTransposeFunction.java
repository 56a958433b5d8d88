package org.cnn4j.layers;

import org.cnn4j.runtime.Function;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * Transposed convolution: the input gradient of the convolution whose geometry is {@code g} (where the
 * transposed op's output plays the convolution's input and its input the convolution's output).
 * With {@code K} the linear map of that convolution, {@code y = K^T x + b}, so
 * <pre>
 *   dx = K dy = convForward(dy, w)      dw = convBackwardWeight(x := dy, dy := x)      db = sum dy
 * </pre>
 */
final class ConvTransposeFunction extends Function {
    private final ConvGeometry g;
    private final int[] outDims;

    ConvTransposeFunction(ConvGeometry g, int[] outDims) {
        this.g = g;
        this.outDims = outDims;
    }

    @Override
    public String name() {
        return "convTranspose";
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor x = in[0];
        Tensor w = in[1];
        Tensor b = in[2];
        ctx.save(x, w);
        Tensor y = x.device().empty(Shape.of(outDims));
        x.device().backend().convBackwardInput(g, x.memory(), x.offset(), w.memory(), w.offset(), y.memory(), y.offset());
        if (b == null) {
            return y;
        }
        int[] biasShape = new int[outDims.length - 1];
        java.util.Arrays.fill(biasShape, 1);
        biasShape[0] = outDims[1];
        return y.add(b.reshape(biasShape));
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
            be.convForward(g, dy.memory(), dy.offset(), w.memory(), w.offset(), null, 0, dx.memory(), dx.offset());
        }
        if (ctx.needsInputGrad(1)) {
            dw = dy.device().empty(w.shape());
            be.convBackwardWeight(g, dy.memory(), dy.offset(), x.memory(), x.offset(), dw.memory(), dw.offset());
        }
        if (ctx.needsInputGrad(2)) {
            db = ConvFunction.biasGrad(dy, outDims[0], outDims[1]);
        }
        return new Tensor[] {dx, dw, db};
    }
}
