package org.cnn4j.layers;

import org.cnn4j.runtime.Function;
import org.cnn4j.runtime.Tensor;

/**
 * Inverted dropout whose mask is never stored: the backward pass regenerates it from the same Philox
 * counters ({@code seed}, {@code offset}) that the forward pass used, so the gradient is the forward
 * applied to {@code dy}: {@code dx = mask * dy / (1 - p)}.
 */
final class DropoutFunction extends Function {
    private final float p;
    private final long groupSize;
    private final long seed;
    private final long offset;

    DropoutFunction(float p, long groupSize, long seed, long offset) {
        this.p = p;
        this.groupSize = groupSize;
        this.seed = seed;
        this.offset = offset;
    }

    @Override
    public String name() {
        return "dropout";
    }

    private Tensor apply(Tensor x) {
        Tensor y = x.device().empty(x.shape());
        x.device().backend().dropout(x.numel(), groupSize, p, seed, offset, x.memory(), x.offset(), y.memory(), y.offset());
        return y;
    }

    @Override
    protected Tensor forward(Context ctx, Tensor... in) {
        return apply(in[0]);
    }

    @Override
    protected Tensor[] backward(Context ctx, Tensor dy) {
        return new Tensor[] {apply(dy)};
    }
}
