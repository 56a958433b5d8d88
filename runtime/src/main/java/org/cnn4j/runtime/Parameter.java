package org.cnn4j.runtime;

/**
 * A trainable tensor of a model: a named leaf that requires grad and belongs to its module, not to a
 * {@link Scope}. Optimizers read {@link #grad()} and update {@link #tensor()} in place (under
 * {@link NoGrad}). It lives in the runtime so that optimizers need not depend on layers.
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final Tensor tensor;

    /**
     * Takes ownership of {@code tensor} (out of any scope), names it and marks it as requiring grad.
     *
     * @param name the qualified name, e.g. {@code conv1.weight}
     * @param tensor the initial value (a leaf)
     */
    public Parameter(String name, Tensor tensor) {
        tensor.checkOpen("Parameter");
        Scope.disown(tensor);
        this.name = name;
        this.tensor = tensor.setName(name).requiresGrad(true);
    }

    /** The qualified name. */
    public String name() {
        return name;
    }

    /** The value. */
    public Tensor tensor() {
        return tensor;
    }

    /** The accumulated gradient, or null. */
    public Tensor grad() {
        return tensor.grad();
    }

    /** The shape. */
    public Shape shape() {
        return tensor.shape();
    }

    /** Drops the gradient. */
    public void zeroGrad() {
        tensor.zeroGrad();
    }

    /** Frees the value and its gradient. */
    @Override
    public void close() {
        tensor.close();
    }

    @Override
    public String toString() {
        return "Parameter[" + name + " " + tensor.shape() + "]";
    }
}
