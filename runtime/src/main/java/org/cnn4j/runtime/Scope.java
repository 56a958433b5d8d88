package org.cnn4j.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Frees the tensors created inside it when it closes: the usual way to bound the lifetime of
 * intermediates.
 *
 * <pre>{@code
 * Tensor result;
 * try (Scope scope = Scope.open()) {
 *     Tensor h = x.matmul(w).add(b).relu();      // h, x.matmul(w) and .add(b) belong to the scope
 *     result = scope.detach(h.sum());            // moved out: survives the scope
 * }                                              // every other tensor made inside is closed here
 * }</pre>
 *
 * <p>Scopes nest per thread; a tensor belongs to the innermost scope open on the thread that created it
 * (or to nobody, when none is open: then the caller closes it). {@link #detach} moves a tensor to the
 * enclosing scope, or out of all scopes. Scopes must be closed in the reverse order of opening
 * (try-with-resources does this).
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<ArrayDeque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final Set<Tensor> owned = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope() {
    }

    /** Opens a scope on this thread; close it with try-with-resources. */
    public static Scope open() {
        Scope scope = new Scope();
        STACK.get().push(scope);
        return scope;
    }

    /** The innermost open scope of this thread, or null. */
    static Scope current() {
        return STACK.get().peek();
    }

    void adopt(Tensor t) {
        owned.add(t);
        t.owner(this);
    }

    /**
     * Moves {@code t} out of this scope, into the enclosing one (or out of every scope when there is none),
     * so that closing this scope does not close it.
     *
     * @return {@code t}, for chaining
     * @throws IllegalArgumentException if {@code t} does not belong to this scope
     */
    public <T extends Tensor> T detach(T t) {
        if (!owned.remove(t)) {
            throw new IllegalArgumentException("Scope.detach: tensor must belong to this scope, but "
                    + t.describe() + " does not");
        }
        t.owner(null);
        Scope parent = parent();
        if (parent != null) {
            parent.adopt(t);
        }
        return t;
    }

    private Scope parent() {
        boolean seen = false;
        for (Scope s : STACK.get()) {
            if (seen) {
                return s;
            }
            seen = s == this;
        }
        return null;
    }

    /**
     * Takes {@code t} out of whichever scope owns it, if any: from now on the caller (a module holding
     * state, say) closes it.
     *
     * @return {@code t}, for chaining
     */
    public static <T extends Tensor> T disown(T t) {
        Scope s = t.owner();
        if (s != null) {
            s.forget(t);
            t.owner(null);
        }
        return t;
    }

    void forget(Tensor t) {
        owned.remove(t);
    }

    /** Number of live tensors this scope owns. */
    public int size() {
        return owned.size();
    }

    /**
     * Closes every tensor this scope still owns. Idempotent.
     *
     * @throws IllegalStateException if called from another thread, or while a scope opened later is still open
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Scope.close: must be called on the thread that opened it (" + thread.getName()
                    + "), but got " + Thread.currentThread().getName());
        }
        ArrayDeque<Scope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("Scope.close: scopes must close in reverse order of opening, but a scope "
                    + "opened later is still open");
        }
        stack.pop();
        closed = true;
        List<Tensor> tensors = new ArrayList<>(owned);
        owned.clear();
        for (Tensor t : tensors) {
            t.owner(null);
            t.close();
        }
    }
}
