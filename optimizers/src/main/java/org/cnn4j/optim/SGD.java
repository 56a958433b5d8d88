package org.cnn4j.optim;

import java.util.List;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Backend;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and L2 weight decay, as
 * PyTorch 1.13's {@code torch.optim.SGD}:
 * <pre>
 *   d = g + weight_decay * p
 *   if momentum != 0:  buf = (first step) ? d : momentum * buf + (1 - dampening) * d
 *                      d   = nesterov ? d + momentum * buf : buf
 *   p = p - lr * d
 * </pre>
 * Nesterov momentum (Sutskever et al., 2013) needs momentum &gt; 0 and no dampening.
 * <b>Defaults</b>: momentum 0, dampening 0, weight decay 0, no Nesterov; {@code lr} has no default.
 */
public class SGD extends Optimizer {
    /** Plain SGD with learning rate {@code lr} over one group. */
    public SGD(List<Parameter> params, double lr) {
        this(lr, new ParamGroup(params));
    }

    /** SGD over parameter groups with default learning rate {@code lr}. */
    public SGD(double lr, ParamGroup... groups) {
        super("SGD", List.of(groups));
        declare("lr", lr);
        declare("momentum", 0);
        declare("dampening", 0);
        declare("weight_decay", 0);
        declare("nesterov", 0);
        validate();
    }

    /** Sets the default momentum. */
    public SGD momentum(double momentum) {
        setDefault("momentum", momentum);
        return this;
    }

    /** Sets the default dampening. */
    public SGD dampening(double dampening) {
        setDefault("dampening", dampening);
        return this;
    }

    /** Sets the default L2 weight decay. */
    public SGD weightDecay(double weightDecay) {
        setDefault("weight_decay", weightDecay);
        return this;
    }

    /** Turns Nesterov momentum on or off. */
    public SGD nesterov(boolean on) {
        setDefault("nesterov", on ? 1 : 0);
        return this;
    }

    @Override
    protected java.util.Set<String> stateBuffers() {
        return java.util.Set.of("momentum_buffer");
    }

    @Override
    protected void check(ParamGroup g) {
        require(g, "lr", 0, Double.MAX_VALUE);
        require(g, "momentum", 0, Double.MAX_VALUE);
        require(g, "dampening", 0, 1);
        require(g, "weight_decay", 0, Double.MAX_VALUE);
    }

    @Override
    protected void checkCombination(ParamGroup g) {
        if (option(g, "nesterov") != 0 && (option(g, "momentum") <= 0 || option(g, "dampening") != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum must have momentum > 0 and dampening 0, but got momentum="
                    + option(g, "momentum") + ", dampening=" + option(g, "dampening"));
        }
    }

    @Override
    protected void update(ParamGroup g, Parameter p, Tensor grad, ParamState s, Backend be) {
        float momentum = (float) option(g, "momentum");
        boolean firstMomentumStep = !s.has("momentum_buffer"); // PyTorch starts the buffer from the gradient
        Tensor buf = momentum != 0 ? s.buffer("momentum_buffer", p, 0f) : null;
        Tensor w = p.tensor();
        be.sgdStep(w.numel(), (float) option(g, "lr"), momentum, (float) option(g, "dampening"),
                (float) option(g, "weight_decay"), option(g, "nesterov") != 0, firstMomentumStep,
                w.memory(), w.offset(), grad.memory(), grad.offset(),
                buf == null ? null : buf.memory(), buf == null ? 0 : buf.offset());
    }
}
