package org.cnn4j.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * A user-defined differentiable op: write the forward with any tensor ops and the backward as the
 * chain rule, as with PyTorch's {@code torch.autograd.Function}.
 *
 * <pre>{@code
 * // y = x^3, dy/dx = 3 x^2
 * final class Cube extends Function {
 *     protected Tensor forward(Context ctx, Tensor... in) {
 *         ctx.save(in[0]);
 *         return in[0].mul(in[0]).mul(in[0]);
 *     }
 *     protected Tensor[] backward(Context ctx, Tensor grad) {
 *         Tensor x = ctx.saved(0);
 *         return new Tensor[] {grad.mul(x.square().mul(3f))};
 *     }
 * }
 * Tensor y = new Cube().apply(x);   // y.backward() fills x.grad() with 3 x^2
 * }</pre>
 *
 * <p>The forward runs with recording off (its inner ops make no nodes); {@link #apply} records one node
 * for the whole op when an input requires grad. The backward also runs with recording off and must
 * return one gradient per input (null where {@link Context#needsInputGrad} is false), each of the
 * input's shape. Saved tensors must stay open until the backward pass has run. In {@link Anomaly} mode the
 * output and the gradients are checked for NaN and infinity as those of one op named {@link #name()}.
 */
public abstract class Function {
    /** Per-call state passed from forward to backward. */
    public static final class Context {
        private final List<Tensor> saved = new ArrayList<>();
        private final boolean[] needsGrad;

        Context(Tensor[] inputs) {
            needsGrad = new boolean[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                needsGrad[i] = inputs[i] != null && inputs[i].requiresGrad();
            }
        }

        /** Keeps tensors for the backward pass. */
        public void save(Tensor... tensors) {
            saved.addAll(List.of(tensors));
        }

        /** The {@code i}-th saved tensor. */
        public Tensor saved(int i) {
            return saved.get(i);
        }

        /** True when input {@code i} needs a gradient. */
        public boolean needsInputGrad(int i) {
            return needsGrad[i];
        }

        void clear() {
            saved.clear();
        }
    }

    /** A name for messages; the class name by default. */
    public String name() {
        return getClass().getSimpleName();
    }

    /** Computes the output; recording is off inside. */
    protected abstract Tensor forward(Context ctx, Tensor... inputs);

    /** Computes one gradient per input from the output's gradient. */
    protected abstract Tensor[] backward(Context ctx, Tensor gradOutput);

    /** Runs the forward and records the op for autograd when an input requires grad. */
    public final Tensor apply(Tensor... inputs) {
        Context ctx = new Context(inputs);
        Tensor out;
        try (NoGrad off = NoGrad.enter(); Anomaly.Frame quiet = Anomaly.quiet()) {
            out = forward(ctx, inputs);
        }
        if (Anomaly.enabled) {
            Anomaly.checkForward(name(), out, inputs);
        }
        if (Autograd.recording(inputs)) {
            out.setGradFn(new Node(name(), inputs) {
                @Override
                protected Tensor[] backward(Tensor gradOutput) {
                    return Function.this.backward(ctx, gradOutput);
                }

                @Override
                protected void release() {
                    super.release();
                    ctx.clear();
                }
            });
        }
        return out;
    }
}
