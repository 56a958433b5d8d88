package org.cnn4j.optim;

import java.util.List;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Backend;

/**
 * RMSProp (Hinton, Coursera lecture 6e), as PyTorch 1.13's {@code torch.optim.RMSprop}:
 * <pre>
 *   d = g + weight_decay * p;   sq = alpha sq + (1 - alpha) d^2
 *   centered: avg = alpha avg + (1 - alpha) d;  den = sqrt(sq - avg^2) + eps   else den = sqrt(sq) + eps
 *   momentum &gt; 0: buf = momentum buf + d / den;  p = p - lr buf      else p = p - lr d / den
 * </pre>
 * <b>Defaults</b>: lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, not centered.
 */
public class RMSprop extends Optimizer {
    /** RMSProp with the defaults over one group. */
    public RMSprop(List<Parameter> params) {
        this(new ParamGroup(params));
    }

    /** RMSProp over parameter groups. */
    public RMSprop(ParamGroup... groups) {
        super("RMSprop", List.of(groups));
        declare("lr", 1e-2);
        declare("alpha", 0.99);
        declare("eps", 1e-8);
        declare("weight_decay", 0);
        declare("momentum", 0);
        declare("centered", 0);
        validate();
    }

    /** Sets the default learning rate. */
    public RMSprop lr(double lr) {
        setDefault("lr", lr);
        return this;
    }

    /** Sets the smoothing constant alpha. */
    public RMSprop alpha(double alpha) {
        setDefault("alpha", alpha);
        return this;
    }

    /** Sets eps. */
    public RMSprop eps(double eps) {
        setDefault("eps", eps);
        return this;
    }

    /** Sets the default L2 weight decay. */
    public RMSprop weightDecay(double weightDecay) {
        setDefault("weight_decay", weightDecay);
        return this;
    }

    /** Sets the momentum. */
    public RMSprop momentum(double momentum) {
        setDefault("momentum", momentum);
        return this;
    }

    /** Turns the centered variant (normalizing by the variance estimate) on or off. */
    public RMSprop centered(boolean on) {
        setDefault("centered", on ? 1 : 0);
        return this;
    }

    @Override
    protected java.util.Set<String> stateBuffers() {
        return java.util.Set.of("square_avg", "grad_avg", "momentum_buffer");
    }

    @Override
    protected void check(ParamGroup g) {
        require(g, "lr", 0, Double.MAX_VALUE);
        require(g, "alpha", 0, Double.MAX_VALUE);
        require(g, "eps", 0, Double.MAX_VALUE);
        require(g, "weight_decay", 0, Double.MAX_VALUE);
        require(g, "momentum", 0, Double.MAX_VALUE);
    }

    @Override
    protected void update(ParamGroup g, Parameter p, Tensor grad, ParamState s, Backend be) {
        boolean centered = option(g, "centered") != 0;
        float momentum = (float) option(g, "momentum");
        Tensor sq = s.buffer("square_avg", p, 0f);
        Tensor avg = centered ? s.buffer("grad_avg", p, 0f) : null;
        Tensor buf = momentum > 0 ? s.buffer("momentum_buffer", p, 0f) : null;
        Tensor w = p.tensor();
        be.rmspropStep(w.numel(), (float) option(g, "lr"), (float) option(g, "alpha"), (float) option(g, "eps"),
                (float) option(g, "weight_decay"), momentum, centered, w.memory(), w.offset(), grad.memory(), grad.offset(),
                sq.memory(), sq.offset(), avg == null ? null : avg.memory(), avg == null ? 0 : avg.offset(),
                buf == null ? null : buf.memory(), buf == null ? 0 : buf.offset());
    }
}
