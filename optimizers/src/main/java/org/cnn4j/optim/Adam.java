package org.cnn4j.optim;

import java.util.List;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Backend;

/**
 * Adam (Kingma and Ba, 2015) with optional AMSGrad (Reddi et al., 2018), as PyTorch 1.13's
 * {@code torch.optim.Adam}; weight decay is the L2 form (added to the gradient). See {@link AdamW} for
 * decoupled decay.
 * <pre>
 *   d = g + weight_decay * p
 *   m = beta1 m + (1 - beta1) d;      v = beta2 v + (1 - beta2) d^2;     vhat = amsgrad ? max(vhat, v) : v
 *   p = p - (lr / (1 - beta1^t)) * m / (sqrt(vhat) / sqrt(1 - beta2^t) + eps)
 * </pre>
 * <b>Defaults</b>: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, no AMSGrad.
 */
public class Adam extends Optimizer {
    private final boolean decoupled;

    /** Adam with the defaults over one group. */
    public Adam(List<Parameter> params) {
        this("Adam", single(params), false, 0);
    }

    /** Adam over parameter groups. */
    public Adam(ParamGroup... groups) {
        this("Adam", List.of(groups), false, 0);
    }

    Adam(String name, List<ParamGroup> groups, boolean decoupled, double weightDecay) {
        super(name, groups);
        this.decoupled = decoupled;
        declare("lr", 1e-3);
        declare("beta1", 0.9);
        declare("beta2", 0.999);
        declare("eps", 1e-8);
        declare("weight_decay", weightDecay);
        declare("amsgrad", 0);
        validate();
    }

    /** Sets the default learning rate. */
    public Adam lr(double lr) {
        setDefault("lr", lr);
        return this;
    }

    /** Sets the moment decay rates. */
    public Adam betas(double beta1, double beta2) {
        setDefault("beta1", beta1);
        setDefault("beta2", beta2);
        return this;
    }

    /** Sets eps. */
    public Adam eps(double eps) {
        setDefault("eps", eps);
        return this;
    }

    /** Sets the default weight decay (L2 for Adam, decoupled for AdamW). */
    public Adam weightDecay(double weightDecay) {
        setDefault("weight_decay", weightDecay);
        return this;
    }

    /** Turns AMSGrad on or off. */
    public Adam amsgrad(boolean on) {
        setDefault("amsgrad", on ? 1 : 0);
        return this;
    }

    @Override
    protected java.util.Set<String> stateBuffers() {
        return java.util.Set.of("exp_avg", "exp_avg_sq", "max_exp_avg_sq");
    }

    @Override
    protected void check(ParamGroup g) {
        require(g, "lr", 0, Double.MAX_VALUE);
        require(g, "beta1", 0, Math.nextDown(1.0));
        require(g, "beta2", 0, Math.nextDown(1.0));
        require(g, "eps", 0, Double.MAX_VALUE);
        require(g, "weight_decay", 0, Double.MAX_VALUE);
    }

    @Override
    protected void update(ParamGroup g, Parameter p, Tensor grad, ParamState s, Backend be) {
        boolean amsgrad = option(g, "amsgrad") != 0;
        double beta1 = option(g, "beta1");
        double beta2 = option(g, "beta2");
        Tensor m = s.buffer("exp_avg", p, 0f);
        Tensor v = s.buffer("exp_avg_sq", p, 0f);
        Tensor vmax = amsgrad ? s.buffer("max_exp_avg_sq", p, 0f) : null;
        float bc1 = (float) (1 - Math.pow(beta1, s.step()));
        float bc2 = (float) (1 - Math.pow(beta2, s.step()));
        Tensor w = p.tensor();
        be.adamStep(w.numel(), (float) option(g, "lr"), (float) beta1, (float) beta2, (float) option(g, "eps"),
                (float) option(g, "weight_decay"), decoupled, amsgrad, bc1, bc2, w.memory(), w.offset(),
                grad.memory(), grad.offset(), m.memory(), m.offset(), v.memory(), v.offset(),
                vmax == null ? null : vmax.memory(), vmax == null ? 0 : vmax.offset());
    }
}
