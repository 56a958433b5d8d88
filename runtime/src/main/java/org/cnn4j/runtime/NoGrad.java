package org.cnn4j.runtime;

/**
 * While open, ops on this thread record no autograd history (evaluation, optimizer updates), as
 * PyTorch's {@code torch.no_grad()}:
 * <pre>{@code
 * try (NoGrad off = NoGrad.enter()) {
 *     Tensor logits = model.forward(x);   // no graph kept, no memory held for a backward pass
 * }
 * }</pre>
 * Nests; each {@code close} restores the state that {@code enter} found.
 */
public final class NoGrad implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private final boolean previous;
    private boolean closed;

    private NoGrad() {
        boolean[] state = ENABLED.get();
        previous = state[0];
        state[0] = false;
    }

    /** Turns gradient recording off on this thread until {@link #close()}. */
    public static NoGrad enter() {
        return new NoGrad();
    }

    /** True when ops on this thread record autograd history. */
    public static boolean isGradEnabled() {
        return ENABLED.get()[0];
    }

    /** Restores the recording state found by {@link #enter()}. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ENABLED.get()[0] = previous;
        }
    }
}
