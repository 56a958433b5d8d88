package org.cnn4j.layers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnn4j.runtime.Anomaly;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;

/**
 * Base of every layer and model, as PyTorch's {@code nn.Module}: named parameters (trainable), named
 * buffers (state that is saved but not trained, such as batch-norm running statistics), child modules,
 * and a training/evaluation mode.
 *
 * <p>A module owns its parameters and buffers: they belong to no {@link Scope}, and {@link #close()}
 * frees them (and those of its children). Qualified names join the path with dots, e.g.
 * {@code features.0.weight}.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes the output for {@code input}. */
    public abstract Tensor forward(Tensor input);

    /**
     * Runs {@code child.forward(input)}. In {@link Anomaly} mode it first records the child's registered
     * name, so that a report of a NaN or an infinity names the layer by its path, e.g.
     * {@code features.3 (BatchNorm2d)} (PyTorch records the path in {@code Module.__call__}); otherwise it
     * is the plain call. Containers call their children through it; a child that was never registered is
     * named by its {@link #typeName()}.
     */
    protected final Tensor forwardChild(Module child, Tensor input) {
        if (!Anomaly.isEnabled()) {
            return child.forward(input);
        }
        String name = child.typeName();
        for (Map.Entry<String, Module> e : children.entrySet()) {
            if (e.getValue() == child) {
                name = e.getKey();
                break;
            }
        }
        try (Anomaly.Frame frame = Anomaly.enterLayer(name, child.typeName())) {
            return child.forward(input);
        }
    }

    /** The layer's type as reports print it, after its path: the class's simple name unless overridden. */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /** Registers a trainable tensor under {@code name} (it becomes a {@link Parameter}); returns the parameter. */
    protected final Parameter registerParameter(String name, Tensor value) {
        checkName(name);
        Parameter p = new Parameter(name, value);
        parameters.put(name, p);
        return p;
    }

    /** Registers a non-trainable state tensor (saved in {@link #stateDict()}); the module owns it. */
    protected final Tensor registerBuffer(String name, Tensor value) {
        checkName(name);
        Scope.disown(value);
        buffers.put(name, value.setName(name));
        return value;
    }

    /** Registers a child module under {@code name}. */
    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".") || parameters.containsKey(name)
                || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".register: name must be non-empty, without "
                    + "dots and unique in the module, but got '" + name + "'");
        }
    }

    /** Replaces the buffer {@code name} with {@code value} (closing the old one), e.g. running statistics. */
    protected final void setBuffer(String name, Tensor value) {
        Tensor old = buffers.get(name);
        if (old == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ".setBuffer: buffer must exist, but got '" + name + "'");
        }
        Scope.disown(value);
        buffers.put(name, value.setName(name));
        if (old != value) {
            old.close();
        }
    }

    /** Every parameter of this module and its children, depth first, in registration order. */
    public List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Parameters by qualified name. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, m) -> m.collectParameters(prefix + n + ".", out));
    }

    /** Buffers by qualified name. */
    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectBuffers("", out);
        return out;
    }

    private void collectBuffers(String prefix, Map<String, Tensor> out) {
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, m) -> m.collectBuffers(prefix + n + ".", out));
    }

    /** Parameters and buffers by qualified name: what a checkpoint saves. The tensors stay the module's. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((n, p) -> out.put(n, p.tensor()));
        out.putAll(namedBuffers());
        return Collections.unmodifiableMap(out);
    }

    /**
     * Copies {@code state} (qualified name to tensor, as {@link #stateDict()} gives) into this module's
     * parameters and buffers. Strict: every name must be known, every entry present, and every shape
     * equal; all of it is checked before anything is written, so a mismatch leaves the module unchanged.
     * A tensor on another device is copied through the host.
     *
     * @throws IllegalArgumentException naming the first missing, unexpected or mismatched entry
     */
    public void loadStateDict(Map<String, Tensor> state) {
        String op = getClass().getSimpleName() + ".loadStateDict";
        Map<String, Tensor> own = stateDict();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor given = state.get(e.getKey());
            if (given == null) {
                throw new IllegalArgumentException(op + ": state must contain '" + e.getKey() + "' " + e.getValue().shape()
                        + ", but it is missing");
            }
            given.checkOpen(op);
            if (!given.shape().equals(e.getValue().shape())) {
                throw new IllegalArgumentException(op + ": '" + e.getKey() + "' must have shape " + e.getValue().shape()
                        + ", but got " + given.shape());
            }
        }
        for (String name : state.keySet()) {
            if (!own.containsKey(name)) {
                throw new IllegalArgumentException(op + ": state must hold only this module's entries, but got unexpected '"
                        + name + "' (known: " + own.keySet() + ")");
            }
        }
        try (org.cnn4j.runtime.NoGrad off = org.cnn4j.runtime.NoGrad.enter()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) {
                Tensor given = state.get(e.getKey());
                if (given.device() == e.getValue().device()) {
                    e.getValue().copyFrom(given);
                } else {
                    e.getValue().copyFrom(given.toArray());
                }
            }
        }
    }

    /** Child modules by name. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Training mode (batch statistics, dropout on) for this module and its children. */
    public Module train() {
        return setTraining(true);
    }

    /** Evaluation mode (running statistics, dropout off) for this module and its children. */
    public Module eval() {
        return setTraining(false);
    }

    private Module setTraining(boolean on) {
        training = on;
        children.values().forEach(c -> c.setTraining(on));
        return this;
    }

    /** True in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** Drops the gradients of every parameter. */
    public void zeroGrad() {
        parameters().forEach(Parameter::zeroGrad);
    }

    /** Number of trainable scalars. */
    public long parameterCount() {
        return parameters().stream().mapToLong(p -> p.tensor().numel()).sum();
    }

    /** Frees every parameter and buffer of this module and its children. Idempotent. */
    @Override
    public void close() {
        children.values().forEach(Module::close);
        parameters.values().forEach(Parameter::close);
        buffers.values().forEach(Tensor::close);
    }
}
