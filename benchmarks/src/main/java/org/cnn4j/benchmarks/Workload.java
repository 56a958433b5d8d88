package org.cnn4j.benchmarks;

import java.util.ArrayDeque;
import java.util.Deque;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;

/**
 * One unit of timed work on a device. Inputs are made once, in the constructor; each {@link #run()} frees
 * every intermediate it makes (it runs in its own {@link Scope}) and reads one number back from the
 * device, so that asynchronous device work is finished and counted. {@link #close()} frees the inputs.
 */
abstract class Workload implements AutoCloseable {
    /** What a workload's throughput is counted in. */
    enum Unit {
        GFLOPS("GFLOP/s", 1e9), IMAGES("images/s", 1), MELEMENTS("Melem/s", 1e6);

        final String label;
        final double scale;

        Unit(String label, double scale) {
            this.label = label;
            this.scale = scale;
        }
    }

    private final String name;
    private final Unit unit;
    private final double workPerRun;
    private final String shape;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();

    /**
     * @param workPerRun floating-point operations, images or elements per {@link #run()}, as {@code unit} counts
     * @param shape      the sizes, for reports
     */
    Workload(String name, Unit unit, double workPerRun, String shape) {
        this.name = name;
        this.unit = unit;
        this.workPerRun = workPerRun;
        this.shape = shape;
    }

    /** One timed invocation: frees its intermediates and returns a number read back from the device. */
    abstract float run();

    String name() {
        return name;
    }

    Unit unit() {
        return unit;
    }

    double workPerRun() {
        return workPerRun;
    }

    String shape() {
        return shape;
    }

    /** Throughput of {@code runs} invocations that took {@code seconds}, in {@link #unit()}. */
    double rate(long runs, double seconds) {
        return runs * workPerRun / seconds / unit.scale;
    }

    /** Takes {@code t} out of any scope; {@link #close()} frees it. */
    final <T extends Tensor> T keep(T t) {
        owned.push(Scope.disown(t));
        return t;
    }

    /** {@link #close()} closes {@code c} (before anything kept earlier). */
    final <T extends AutoCloseable> T keep(T c) {
        owned.push(c);
        return c;
    }

    /** Frees the inputs, the model and the optimizer state. Idempotent. */
    @Override
    public void close() {
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (Exception e) {
                throw new IllegalStateException("Workload.close: " + name + " failed to free its inputs", e);
            }
        }
    }

    @Override
    public String toString() {
        return name + " (" + shape + ", " + unit.label + ")";
    }
}
