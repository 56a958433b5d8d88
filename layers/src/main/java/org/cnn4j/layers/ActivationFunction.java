package org.cnn4j.layers;

import org.cnn4j.runtime.Function;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Activation;

/** An activation {@code y = f(x; a)} with {@code dx = dy * f'(x)}; see {@link Activation} for the formulas. */
final class ActivationFunction extends Function {
    private final Activation f;
    private final float a;

    ActivationFunction(Activation f, float a) {
        this.f = f;
        this.a = a;
    }

    @Override
    public String name() {
        return f.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        Tensor x = in[0];
        Tensor y = x.device().empty(x.shape());
        x.device().backend().activation(f, a, x.numel(), x.memory(), x.offset(), y.memory(), y.offset());
        ctx.save(x, y);
        return y;
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor dy) {
        Tensor x = ctx.saved(0);
        Tensor y = ctx.saved(1);
        Tensor dx = dy.device().empty(dy.shape());
        dy.device().backend().activationBackward(f, a, dy.numel(), x.memory(), x.offset(), y.memory(), y.offset(),
                dy.memory(), dy.offset(), dx.memory(), dx.offset());
        return new Tensor[] {dx};
    }
}
