package org.cnn4j.runtime;

import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.ReduceOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Anomaly detection, as PyTorch's {@code torch.autograd.detect_anomaly}: while it is on, every op checks
 * its output for NaN and infinity, and every backward step checks the gradients it returns; the first
 * non-finite value raises a {@link NonFiniteValueException} that names the direction (forward or
 * backward), the op, the layer when known (e.g. {@code features.3 (BatchNorm2d)}), the shape, and how
 * many values are NaN and infinite.
 *
 * <pre>{@code
 * try (Anomaly on = Anomaly.detect()) {
 *     Tensor loss = lossFn.apply(model.forward(x), y);   // a NaN made by a layer throws here ...
 *     loss.backward();                                   // ... or here, if a gradient turns non-finite
 * }
 * }</pre>
 *
 * <p><b>Switching it on.</b> {@link #detect()} turns it on and {@link #set(boolean)} to either state,
 * each until {@link #close()}, which restores the state it found, so uses nest. For a whole run, start
 * the JVM with {@code -Dcnn4j.detectAnomaly=true} or set the environment variable
 * {@code CNN4J_DETECT_ANOMALY=true}; the trainer has {@code Trainer.Builder.detectAnomaly(true)}. As in
 * PyTorch the mode is process-wide (one flag for every thread): switch it from one thread.
 *
 * <p><b>What is checked.</b> Forward: the output of every element-wise op, reduction, matrix product and
 * {@link Function} (every layer op: convolution, pooling, normalization, losses, ...), whether or not
 * gradients are recorded. Layout ops (views, transposes, concatenation, copies) only move values and are
 * not checked; a non-finite value they carry, like one that comes in with the data or an in-place write
 * (a parameter set to NaN), is reported by the next computing op, and the message then says which of
 * that op's inputs was already non-finite. Backward: each gradient a node returns, before it is passed
 * on. An op is checked as a whole: the ops a {@link Function} runs inside its forward, or a node inside
 * its backward, are not checked one by one (an intermediate infinity that the op turns back into finite
 * values is no anomaly), and a backward report names the op whose backward it is, as PyTorch does.
 *
 * <p><b>Layer names.</b> Containers run children through {@code Module.forwardChild}, which records the
 * child's registered name while the mode is on: {@code Sequential} names them {@code 0, 1, ...} as
 * PyTorch does, so a path reads {@code features.3 (BatchNorm2d)}. A backward report names the layer that
 * recorded the op in the forward pass. A child called through plain {@code forward} is reported under its
 * parent's name.
 *
 * <p><b>Cost.</b> Off (the default): one read of a volatile flag per op. On: per checked tensor, a max and
 * a min reduction into a two-element device tensor and one read-back of those two floats (NaN propagates
 * through both, an infinity shows as the max or the min), so every op waits for the device; expect
 * training to run several times slower. No tensor is copied to the host unless a check fails, when the
 * failing tensor is copied once to count its NaN and infinities. Results of finite computations are
 * unchanged.
 */
public final class Anomaly implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Anomaly.class);
    /** The system property that switches the mode on for a whole run. */
    public static final String PROPERTY = "cnn4j.detectAnomaly";
    /** The environment variable that switches the mode on for a whole run. */
    public static final String ENVIRONMENT = "CNN4J_DETECT_ANOMALY";

    /** Read by every op; package-private so that the ops test it without a call. */
    static volatile boolean enabled = fromEnvironment();

    private static final ThreadLocal<Where> WHERE = ThreadLocal.withInitial(Where::new);
    private static final Frame NO_FRAME = new Frame(null);

    private final boolean previous;
    private boolean closed;

    private Anomaly(boolean on) {
        previous = enabled;
        enabled = on;
    }

    /** Turns anomaly detection on until {@link #close()}. */
    public static Anomaly detect() {
        return new Anomaly(true);
    }

    /** Turns anomaly detection on or off until {@link #close()} (PyTorch's {@code set_detect_anomaly(mode)}). */
    public static Anomaly set(boolean on) {
        return new Anomaly(on);
    }

    /** True while anomaly detection is on. */
    public static boolean isEnabled() {
        return enabled;
    }

    /** Restores the state that {@link #detect()} or {@link #set(boolean)} found. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            enabled = previous;
        }
    }

    private static boolean fromEnvironment() {
        boolean on = requested(System.getProperty(PROPERTY), System.getenv(ENVIRONMENT));
        if (on) {
            LOG.info("anomaly detection on (-D{} or {}): every op's output is checked for NaN and infinity", PROPERTY,
                    ENVIRONMENT);
        }
        return on;
    }

    /** True when the system property or the environment variable asks for the mode ({@code true}, or {@code 1}). */
    static boolean requested(String property, String environment) {
        return isOn(property) || isOn(environment);
    }

    private static boolean isOn(String value) {
        return value != null && ("true".equalsIgnoreCase(value.trim()) || "1".equals(value.trim()));
    }

    // ---- where the current op runs ---------------------------------------------------------------

    /**
     * Records that ops run inside the layer {@code name} (its registered name in its parent) of class
     * {@code type} until the returned frame closes; does nothing while the mode is off. Containers use it
     * through {@code Module.forwardChild}.
     */
    public static Frame enterLayer(String name, String type) {
        if (!enabled) {
            return NO_FRAME;
        }
        Where w = WHERE.get();
        Frame f = new Frame(w);
        w.path = w.path == null ? name : w.path + "." + name;
        w.layer = w.path + " (" + type + ")";
        return f;
    }

    /**
     * Silences the checks of the ops that run until the returned frame closes: those inside a
     * {@link Function}'s forward or a node's backward, whose result is checked as a whole.
     */
    static Frame quiet() {
        if (!enabled) {
            return NO_FRAME;
        }
        Where w = WHERE.get();
        Frame f = new Frame(w);
        w.quiet = true;
        return f;
    }

    /** The current layer, as a node records it. */
    static String currentLayer() {
        return WHERE.get().layer;
    }

    /** Undoes one {@code enter...}: restores where ops ran before it. */
    public static final class Frame implements AutoCloseable {
        private final Where where;
        private final String path;
        private final String layer;
        private final boolean quiet;

        private Frame(Where where) {
            this.where = where;
            this.path = where == null ? null : where.path;
            this.layer = where == null ? null : where.layer;
            this.quiet = where != null && where.quiet;
        }

        @Override
        public void close() {
            if (where != null) {
                where.path = path;
                where.layer = layer;
                where.quiet = quiet;
            }
        }
    }

    private static final class Where {
        private String path;
        private String layer;
        private boolean quiet;
    }

    // ---- the checks ------------------------------------------------------------------------------

    /** {@code y}, checked as the output of the one-input op {@code op} when the mode is on. */
    static Tensor checked(String op, Tensor y, Tensor x) {
        if (enabled) {
            checkForward(op, y, x);
        }
        return y;
    }

    /** {@code y}, checked as the output of the two-input op {@code op} when the mode is on. */
    static Tensor checked(String op, Tensor y, Tensor a, Tensor b) {
        if (enabled) {
            checkForward(op, y, a, b);
        }
        return y;
    }

    /**
     * Checks the output {@code y} of the forward op {@code op}; on failure closes {@code y} (unless it is
     * one of the inputs), since the caller never receives it.
     *
     * @throws NonFiniteValueException if {@code y} holds a NaN or an infinity
     */
    static void checkForward(String op, Tensor y, Tensor... inputs) {
        Where w = WHERE.get();
        if (w.quiet || isFinite(y)) {
            return;
        }
        StringBuilder cause = new StringBuilder();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] != null && !isFinite(inputs[i])) {
                cause.append(cause.length() == 0 ? "input " : ", input ").append(i).append(" (").append(inputs[i].describe())
                        .append(')');
            }
        }
        String note = cause.length() == 0 ? "every input was finite, so this op produced them"
                : cause + " already held non-finite values, which came from outside a checked op (input data, a "
                + "parameter or an in-place write) or from a layout op";
        NonFiniteValueException e = failure(NonFiniteValueException.Direction.FORWARD, op, w.layer, "output", y, note);
        if (!java.util.Arrays.asList(inputs).contains(y)) {
            y.close(); // the caller never receives it
        }
        throw e;
    }

    /**
     * Checks the gradients {@code grads} that {@code node}'s backward made from {@code gradOutput}, those
     * that go on to an input that requires grad.
     *
     * @throws NonFiniteValueException at the first gradient that holds a NaN or an infinity
     */
    static void checkBackward(Node node, Tensor gradOutput, Tensor[] grads, Tensor[] inputs) {
        for (int i = 0; i < grads.length; i++) {
            boolean used = grads[i] != null && inputs[i] != null && inputs[i].requiresGrad();
            if (used && !isFinite(grads[i])) {
                String note = isFinite(gradOutput) ? "the incoming gradient was finite, so this op's backward produced them"
                        : "the incoming gradient was already non-finite";
                String what = "gradient for input " + i + " (" + inputs[i].describe() + ")";
                throw failure(NonFiniteValueException.Direction.BACKWARD, node.name(), node.recordedIn, what,
                        grads[i], note);
            }
        }
    }

    private static NonFiniteValueException failure(NonFiniteValueException.Direction direction, String op, String layer, String what, Tensor t, String note) {
        long nan = 0;
        long inf = 0;
        for (float v : t.toArray()) {
            if (Float.isNaN(v)) {
                nan++;
            } else if (Float.isInfinite(v)) {
                inf++;
            }
        }
        String message = op + " (" + direction.name().toLowerCase(java.util.Locale.ROOT) + ", layer "
                + (layer == null ? "unknown" : layer) + "): " + what + " must be finite, but got " + nan + " NaN and " + inf
                + " Inf among " + t.numel() + " values of shape " + t.shape() + "; " + note;
        return new NonFiniteValueException(message, direction, op, layer, t.shape(), nan, inf);
    }

    /**
     * True when every element of {@code t} is finite: {@code max} and {@code min} over all elements are both
     * finite (the reductions propagate NaN). Reads back two floats; the scratch tensor is closed.
     */
    static boolean isFinite(Tensor t) {
        long n = t.numel();
        if (n == 0) {
            return true;
        }
        t.checkOpen("Anomaly.check");
        Backend backend = t.device().backend();
        try (Tensor extremes = t.device().empty(Shape.of(2))) {
            backend.reduce(ReduceOp.MAX, 1, (int) n, 1, t.memory(), t.offset(), extremes.memory(), extremes.offset());
            backend.reduce(ReduceOp.MIN, 1, (int) n, 1, t.memory(), t.offset(), extremes.memory(), extremes.offset() + 1);
            float[] v = extremes.toArray();
            return Float.isFinite(v[0]) && Float.isFinite(v[1]);
        }
    }
}
