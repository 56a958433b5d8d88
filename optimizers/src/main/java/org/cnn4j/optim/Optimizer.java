package org.cnn4j.optim;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Backend;

/**
 * Base of the optimizers: parameter groups with options, per-parameter state kept on the parameter's
 * device, and a {@link #step()} that launches one fused update kernel per parameter (no parameter,
 * gradient or state value ever crosses to the host).
 *
 * <p>As in PyTorch, a parameter whose gradient is null is skipped, and each parameter counts its own
 * steps. {@link #stateDict()} exports the state (buffers and step counts) for a checkpoint and
 * {@link #loadStateDict} restores it exactly.
 *
 * <p><b>Batch, mini-batch and stochastic gradient descent</b> differ only in how many examples the loss
 * averages before each {@code step()}: the whole set, a batch, or one. To train with an effective batch
 * larger than memory allows, call {@code backward()} on {@code k} batches (gradients accumulate) with the
 * loss divided by {@code k}, then {@code step()} and {@code zeroGrad()} once.
 */
public abstract class Optimizer implements AutoCloseable {
    private final String name;
    private final List<ParamGroup> groups;
    private final Map<String, Double> defaults = new LinkedHashMap<>();
    private final Map<Parameter, ParamState> state = new IdentityHashMap<>();

    /** Per-parameter state: named buffers on the device and the step count. */
    protected static final class ParamState {
        private final Map<String, Tensor> buffers = new LinkedHashMap<>();
        private long step;

        /** Number of updates this parameter has had (after the current one: from 1). */
        public long step() {
            return step;
        }

        /** The buffer {@code name}, created as {@code init} on first use (owned by the optimizer). */
        public Tensor buffer(String name, Parameter p, float init) {
            return buffers.computeIfAbsent(name, n -> Scope.disown(p.tensor().device().full(init, p.shape().toArray())));
        }

        /** True when buffer {@code name} exists. */
        public boolean has(String name) {
            return buffers.containsKey(name);
        }

        /** The buffer {@code name}, or null when it was never created. */
        public Tensor bufferOrNull(String name) {
            return buffers.get(name);
        }
    }

    /**
     * @param name the optimizer, for messages
     * @param groups the parameter groups (a parameter may appear once)
     */
    protected Optimizer(String name, List<ParamGroup> groups) {
        this.name = name;
        if (groups.isEmpty()) {
            throw new IllegalArgumentException(name + ": parameter groups must not be empty, but got none");
        }
        Map<Parameter, Boolean> seen = new IdentityHashMap<>();
        for (ParamGroup g : groups) {
            for (Parameter p : g.params()) {
                if (seen.put(p, Boolean.TRUE) != null) {
                    throw new IllegalArgumentException(name + ": each parameter must appear in one group only, but "
                            + p.name() + " appears twice");
                }
            }
        }
        this.groups = List.copyOf(groups);
    }

    /** One group holding every parameter. */
    protected static List<ParamGroup> single(List<Parameter> params) {
        return List.of(new ParamGroup(params));
    }

    /** Declares option {@code key} with its default; subclasses call this in their constructor. */
    protected final void declare(String key, double defaultValue) {
        defaults.put(key, defaultValue);
    }

    /**
     * Changes the default of option {@code key} for every group that does not override it, checking its
     * range at once; options that constrain each other (Nesterov needs momentum) are checked together at
     * the next {@link #step()}, so setters may come in any order.
     */
    protected final void setDefault(String key, double value) {
        if (!defaults.containsKey(key)) {
            throw new IllegalArgumentException(name + ": option must be one of " + defaults.keySet() + ", but got '" + key + "'");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + ": " + key + " must be finite, but got " + value);
        }
        Double old = defaults.put(key, value);
        try {
            for (ParamGroup g : groups) {
                check(g);
            }
        } catch (IllegalArgumentException e) {
            defaults.put(key, old);
            throw e;
        }
    }

    /** Checks every group's options; subclasses check ranges in {@link #check}. */
    protected final void validate() {
        for (ParamGroup g : groups) {
            for (String key : g.options().keySet()) {
                if (!defaults.containsKey(key)) {
                    throw new IllegalArgumentException(name + ": option must be one of " + defaults.keySet() + ", but got '"
                            + key + "' in " + g);
                }
            }
            for (String key : defaults.keySet()) {
                double v = option(g, key);
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(name + ": " + key + " must be finite, but got " + v);
                }
            }
            check(g);
            checkCombination(g);
        }
    }

    /**
     * Checks options that constrain each other (run in the constructor and before every step, not by each
     * setter, so that setters may come in any order).
     */
    protected void checkCombination(ParamGroup g) {
    }

    /** Range checks of one group's options; throw {@link IllegalArgumentException} in the house format. */
    protected abstract void check(ParamGroup g);

    /** Fails unless {@code lo <= option <= hi}. */
    protected final void require(ParamGroup g, String key, double lo, double hi) {
        double v = option(g, key);
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(name + ": " + key + " must be in [" + lo + ", " + hi + "], but got " + v);
        }
    }

    /** The value of option {@code key} for group {@code g}. */
    protected final double option(ParamGroup g, String key) {
        Double v = g.options().get(key);
        return v != null ? v : defaults.get(key);
    }

    /** The parameter groups. */
    public List<ParamGroup> paramGroups() {
        return groups;
    }

    /** Learning rate of group {@code i}. */
    public double learningRate(int i) {
        return option(groups.get(i), "lr");
    }

    /** Sets the learning rate of group {@code i} (what schedules do). */
    public void setLearningRate(int i, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException(name + ".setLearningRate: lr must be finite and >= 0, but got " + lr);
        }
        groups.get(i).set("lr", lr);
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        validate(); // groups are the caller's: an option set on one after construction is checked here
        try (NoGrad off = NoGrad.enter()) {
            for (ParamGroup g : groups) {
                for (Parameter p : g.params()) {
                    Tensor grad = p.grad();
                    if (grad == null) {
                        continue;
                    }
                    ParamState s = state.computeIfAbsent(p, k -> new ParamState());
                    s.step++;
                    update(g, p, grad, s, p.tensor().device().backend());
                }
            }
        }
    }

    /** Names of the per-parameter state buffers this optimizer may create (checked on load). */
    protected abstract java.util.Set<String> stateBuffers();

    /** Updates {@code p} from {@code grad} with one fused backend call. */
    protected abstract void update(ParamGroup g, Parameter p, Tensor grad, ParamState s, Backend backend);

    /** Drops every parameter's gradient. */
    public void zeroGrad() {
        for (ParamGroup g : groups) {
            g.params().forEach(Parameter::zeroGrad);
        }
    }

    /**
     * The state for a checkpoint: {@code <i>.<buffer>} tensors (the optimizer's own, not copies) and
     * {@code <i>.step} as a one-element tensor, made now and owned by the caller's scope, where {@code i} is the
     * parameter's position in the optimizer (groups in order, parameters in order within a group), as in
     * PyTorch's {@code state_dict}. Positions, not names: a parameter's name is local to its module
     * ({@code weight}), so two layers' parameters may share one. Step counts are stored as float32, exact up
     * to 2^24 (16.7 million) steps.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Parameter> all = allParams();
        for (int i = 0; i < all.size(); i++) {
            Parameter p = all.get(i);
            ParamState s = state.get(p);
            if (s == null) {
                continue;
            }
            String prefix = i + ".";
            out.put(prefix + "step", p.tensor().device().scalar(s.step));
            s.buffers.forEach((b, t) -> out.put(prefix + b, t));
        }
        return out;
    }

    private List<Parameter> allParams() {
        List<Parameter> all = new ArrayList<>();
        groups.forEach(g -> all.addAll(g.params()));
        return all;
    }

    /**
     * Restores a {@link #stateDict()}: every entry must be {@code <i>.<buffer>} for a parameter position
     * {@code i} of this optimizer, with that parameter's shape; all entries are checked before any is applied.
     */
    public void loadStateDict(Map<String, Tensor> saved) {
        List<Parameter> all = allParams();
        List<Runnable> apply = new ArrayList<>();
        Map<Parameter, ParamState> fresh = new IdentityHashMap<>();
        for (Map.Entry<String, Tensor> e : saved.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            int index = -1;
            try {
                index = dot < 0 ? -1 : Integer.parseInt(key.substring(0, dot));
            } catch (NumberFormatException notAnIndex) {
                index = -1;
            }
            if (index < 0 || index >= all.size()) {
                throw new IllegalArgumentException(name + ".loadStateDict: every entry must be '<i>.<buffer>' with i a "
                        + "parameter position in [0, " + all.size() + "), but got '" + key + "'");
            }
            Parameter p = all.get(index);
            String field = key.substring(dot + 1);
            Tensor t = e.getValue();
            ParamState s = fresh.computeIfAbsent(p, k -> new ParamState());
            if (field.equals("step")) {
                if (t.numel() != 1) {
                    throw new IllegalArgumentException(name + ".loadStateDict: '" + key + "' must have 1 element, but got "
                            + t.shape());
                }
                apply.add(() -> s.step = (long) t.item());
            } else {
                if (!stateBuffers().contains(field)) {
                    throw new IllegalArgumentException(name + ".loadStateDict: state buffers must be one of " + stateBuffers()
                            + ", but got '" + key + "'");
                }
                if (!t.shape().equals(p.shape())) {
                    throw new IllegalArgumentException(name + ".loadStateDict: '" + key + "' (parameter " + p.name()
                            + ") must have shape " + p.shape() + ", but got " + t.shape());
                }
                apply.add(() -> {
                    Tensor copy = Scope.disown(p.tensor().device().empty(Shape.of(p.shape().toArray())));
                    if (t.device() == copy.device()) {
                        copy.copyFrom(t);
                    } else {
                        copy.copyFrom(t.toArray());
                    }
                    s.buffers.put(field, copy);
                });
            }
        }
        apply.forEach(Runnable::run);
        close();
        state.putAll(fresh);
    }

    /** Frees the state buffers. */
    @Override
    public void close() {
        state.values().forEach(s -> s.buffers.values().forEach(Tensor::close));
        state.clear();
    }

    @Override
    public String toString() {
        return name + "(defaults=" + defaults + ", groups=" + groups.size() + ")";
    }
}
