package org.cnn4j.optim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnn4j.runtime.Parameter;

/**
 * Parameters that share hyper-parameters, as PyTorch's parameter groups: options not set here come from
 * the optimizer's defaults. A common use is no weight decay on biases and batch-norm parameters:
 * <pre>{@code
 * new AdamW(List.of(new ParamGroup(weights), new ParamGroup(biasesAndNorms).set("weight_decay", 0)))
 * }</pre>
 * Option names are PyTorch's: {@code lr}, {@code weight_decay}, {@code momentum}, {@code eps}, ...
 */
public final class ParamGroup {
    private final List<Parameter> params;
    private final Map<String, Double> options = new LinkedHashMap<>();

    /** A group of {@code params} with no overrides. */
    public ParamGroup(List<Parameter> params) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("ParamGroup: params must not be empty, but got an empty list");
        }
        this.params = List.copyOf(params);
    }

    /** Overrides option {@code name} for this group (checked by the optimizer). */
    public ParamGroup set(String name, double value) {
        options.put(name, value);
        return this;
    }

    /** The parameters. */
    public List<Parameter> params() {
        return params;
    }

    Map<String, Double> options() {
        return options;
    }

    @Override
    public String toString() {
        return "ParamGroup[" + params.size() + " params, " + options + "]";
    }
}
