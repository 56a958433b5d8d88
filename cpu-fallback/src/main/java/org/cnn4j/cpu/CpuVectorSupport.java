package org.cnn4j.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, once per JVM, whether the CPU backend runs its Vector API kernels ({@code jdk.incubator.vector}) or
 * their plain-Java twins, and loads the chosen implementation of each kernel family.
 *
 * <p>The Vector API kernels run when the JVM has the module (start it with
 * {@code --add-modules jdk.incubator.vector}) and the system property {@code cnn4j.cpu.vector} is not
 * {@code false}. Classes that use the Vector API are only ever loaded by name through {@link #choose}, so the
 * backend links and runs on a JVM without the module. The first choice logs one INFO line saying which path
 * runs and, when it is the plain one, how to enable the faster one.
 */
final class CpuVectorSupport {
    /** System property that turns the Vector API kernels off ({@code false}). */
    static final String PROPERTY = "cnn4j.cpu.vector";
    /** System property that turns the background JIT warm-up of the kernels off ({@code false}). */
    static final String WARM_UP_PROPERTY = "cnn4j.cpu.jitWarmUp";
    /** Name of the incubator module the vector kernels need. */
    static final String MODULE = "jdk.incubator.vector";

    private static final Logger LOG = LoggerFactory.getLogger(CpuVectorSupport.class);
    private static final AtomicBoolean LOGGED = new AtomicBoolean();

    /**
     * A Vector API kernel family that can warm up the JIT compiler. Until C2 compiles a Vector API method, it runs
     * the API's Java fallback, which allocates an array per operation: a convolution tile called a few hundred
     * times per training step stayed there for the first 10 to 15 seconds of a run (C1 does not compile the API's
     * intrinsics, and C2's thresholds count calls). {@link #warmUp()} calls each kernel often enough on small
     * inputs for C2 to compile it; {@link #choose} runs it once per family, on a background daemon thread.
     */
    interface WarmsUp {
        /** Calls every kernel of the family on small private inputs, enough times to trigger C2 compilation. */
        void warmUp();
    }

    private CpuVectorSupport() {
    }

    /** Whether this JVM has the Vector API module. */
    static boolean available() {
        return ModuleLayer.boot().findModule(MODULE).isPresent();
    }

    /** Whether the Vector API kernels are used: the module is present and {@code -Dcnn4j.cpu.vector} is not false. */
    static boolean enabled() {
        return available() && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").trim());
    }

    /**
     * A new instance of the Vector API class {@code className}, which must implement {@code type} and have a
     * no-argument constructor.
     *
     * @throws IllegalStateException when the module is missing or the class cannot be loaded
     */
    static <T> T load(String className, Class<T> type) {
        if (!available()) {
            throw new IllegalStateException("CpuVectorSupport: " + className + " needs the JVM option --add-modules " + MODULE);
        }
        try {
            return type.cast(Class.forName(className).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CpuVectorSupport: cannot load " + className + ": " + e, e);
        }
    }

    /**
     * The Vector API implementation {@code vectorClass} of a kernel family when {@link #enabled()}, else (or when
     * it fails to load, which is logged at WARN) {@code plain}.
     *
     * @param family a short name for the log, such as "GEMM"
     */
    static <T> T choose(String family, Class<T> type, String vectorClass, Supplier<T> plain) {
        if (!enabled()) {
            logOnce(false);
            return plain.get();
        }
        try {
            T chosen = load(vectorClass, type);
            logOnce(true);
            LOG.debug("CPU {}: Vector API kernel {}", family, vectorClass);
            if (chosen instanceof WarmsUp w && !"false".equalsIgnoreCase(System.getProperty(WARM_UP_PROPERTY, "true").trim())) {
                Thread t = new Thread(w::warmUp, "cnn4j-jit-warmup-" + family);
                t.setDaemon(true);
                t.setPriority(Thread.MIN_PRIORITY);
                t.start();
            }
            return chosen;
        } catch (IllegalStateException | LinkageError e) {
            LOG.warn("CPU {}: {}; using the plain Java kernel", family, e.getMessage());
            return plain.get();
        }
    }

    private static void logOnce(boolean vector) {
        if (!LOGGED.compareAndSet(false, true)) {
            return;
        }
        if (vector) {
            LOG.info("CPU backend: Vector API kernels ({})", MODULE);
        } else if (!available()) {
            LOG.info("CPU backend: plain Java kernels; start the JVM with --add-modules {} for the Vector API kernels "
                    + "(several times faster convolutions, matrix products and element-wise passes)", MODULE);
        } else {
            LOG.info("CPU backend: plain Java kernels (-D{}=false)", PROPERTY);
        }
    }
}
