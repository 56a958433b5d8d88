package org.cnn4j.optim;

import java.util.List;
import org.cnn4j.runtime.Parameter;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled weight decay regularization", 2019), as PyTorch 1.13's
 * {@code torch.optim.AdamW}: the weights decay directly, {@code p = p (1 - lr weight_decay)}, then the
 * Adam step uses the plain gradient (see {@link Adam}).
 * <b>Defaults</b>: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01, no AMSGrad.
 */
public class AdamW extends Adam {
    /** AdamW with the defaults over one group. */
    public AdamW(List<Parameter> params) {
        super("AdamW", single(params), true, 1e-2);
    }

    /** AdamW over parameter groups. */
    public AdamW(ParamGroup... groups) {
        super("AdamW", List.of(groups), true, 1e-2);
    }
}
