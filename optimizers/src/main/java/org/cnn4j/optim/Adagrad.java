package org.cnn4j.optim;

import java.util.List;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Backend;

/**
 * AdaGrad (Duchi et al., 2011), as PyTorch 1.13's {@code torch.optim.Adagrad}:
 * <pre>
 *   d = g + weight_decay * p;   clr = lr / (1 + (step - 1) * lr_decay)
 *   sum = sum + d^2;            p = p - clr * d / (sqrt(sum) + eps)
 * </pre>
 * <b>Defaults</b>: lr 0.01, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10.
 */
public class Adagrad extends Optimizer {
    /** AdaGrad with the defaults over one group. */
    public Adagrad(List<Parameter> params) {
        this(new ParamGroup(params));
    }

    /** AdaGrad over parameter groups. */
    public Adagrad(ParamGroup... groups) {
        super("Adagrad", List.of(groups));
        declare("lr", 1e-2);
        declare("lr_decay", 0);
        declare("weight_decay", 0);
        declare("initial_accumulator_value", 0);
        declare("eps", 1e-10);
        validate();
    }

    /** Sets the default learning rate. */
    public Adagrad lr(double lr) {
        setDefault("lr", lr);
        return this;
    }

    /** Sets the default learning-rate decay. */
    public Adagrad lrDecay(double decay) {
        setDefault("lr_decay", decay);
        return this;
    }

    /** Sets the default L2 weight decay. */
    public Adagrad weightDecay(double weightDecay) {
        setDefault("weight_decay", weightDecay);
        return this;
    }

    /** Sets the initial value of the squared-gradient sum. */
    public Adagrad initialAccumulatorValue(double value) {
        setDefault("initial_accumulator_value", value);
        return this;
    }

    /** Sets eps. */
    public Adagrad eps(double eps) {
        setDefault("eps", eps);
        return this;
    }

    @Override
    protected java.util.Set<String> stateBuffers() {
        return java.util.Set.of("sum");
    }

    @Override
    protected void check(ParamGroup g) {
        require(g, "lr", 0, Double.MAX_VALUE);
        require(g, "lr_decay", 0, Double.MAX_VALUE);
        require(g, "weight_decay", 0, Double.MAX_VALUE);
        require(g, "initial_accumulator_value", 0, Double.MAX_VALUE);
        require(g, "eps", 0, Double.MAX_VALUE);
    }

    @Override
    protected void update(ParamGroup g, Parameter p, Tensor grad, ParamState s, Backend be) {
        Tensor sum = s.buffer("sum", p, (float) option(g, "initial_accumulator_value"));
        float clr = (float) (option(g, "lr") / (1 + (s.step() - 1) * option(g, "lr_decay")));
        Tensor w = p.tensor();
        be.adagradStep(w.numel(), clr, (float) option(g, "weight_decay"), (float) option(g, "eps"),
                w.memory(), w.offset(), grad.memory(), grad.offset(), sum.memory(), sum.offset());
    }
}
