package org.cnn4j.runtime;

import java.util.Arrays;

/**
 * One recorded operation of the autograd graph: it knows its inputs and how to turn the gradient of
 * its output into gradients of its inputs (the chain rule, {@code dL/dx_i = (dy/dx_i)^T dL/dy}).
 *
 * <p>Built-in ops create nodes internally; users add ops with {@link Function}. A node keeps its inputs
 * (and whatever it saved) until the backward pass has used it, then {@link #release()} drops them.
 */
public abstract class Node {
    private final String name;
    private Tensor[] inputs;
    /** The layer that ran the op, for {@link Anomaly} reports; set only while that mode is on. */
    String recordedIn;

    /**
     * @param name the op, for messages ({@code "Tensor.mul"}, {@code "Conv2d.forward"})
     * @param inputs the op's tensor inputs, in order; gradients are returned in the same order
     */
    protected Node(String name, Tensor... inputs) {
        this.name = name;
        this.inputs = inputs.clone();
    }

    /** The op that recorded this node. */
    public final String name() {
        return name;
    }

    final Tensor[] inputs() {
        if (inputs == null) {
            throw new IllegalStateException(name + ".backward: the graph was already used by a backward pass and freed; "
                    + "call backward(gradient, true) to keep it for another pass");
        }
        return inputs;
    }

    /** Input {@code i}, as passed to the constructor. */
    protected final Tensor input(int i) {
        return inputs()[i];
    }

    /** True when input {@code i} needs a gradient (requires grad itself or leads to a tensor that does). */
    protected final boolean needsInputGrad(int i) {
        return inputs()[i].requiresGrad();
    }

    /**
     * Computes the gradients of the inputs from {@code gradOutput} (same shape as the output). Runs with
     * gradient recording off. Entries may be null for inputs that need no gradient; a non-null entry
     * must have its input's shape. Returned tensors may alias {@code gradOutput} or each other.
     */
    protected abstract Tensor[] backward(Tensor gradOutput);

    /** Drops references held for the backward pass; called once the pass no longer needs this node. */
    protected void release() {
        inputs = null;
    }

    @Override
    public String toString() {
        return name + (inputs == null ? "(released)" : Arrays.stream(inputs).map(Tensor::describe).toList().toString());
    }
}
