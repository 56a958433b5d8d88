package org.cnn4j.it;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.cnn4j.layers.Module;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.Tolerance;

/**
 * One randomly drawn call of a layer or an {@code F} function for {@link LayerPropertyTest}: how to prepare and make
 * it on a device, and what PyTorch's rules (plus the documented contract of cnn4j) say it must do.
 *
 * @param family the layer or function drawn (for the summary)
 * @param op the name every error message must start with ({@code Conv2d} accepts {@code Conv2d:} and
 *     {@code Conv2d.forward:}; an {@code F} call passes its own op string, e.g. {@code F.conv2d})
 * @param args the drawn arguments, printed on a failure
 * @param mod the twist applied (closed input or layer, an input on the other device)
 * @param modInput the input the twist applies to
 * @param expect the oracle: the output shape, or the exception types allowed
 * @param tolerance the allowed difference between an OpenCL result and the CPU result
 * @param call prepares the call on a device (a constructor may already refuse there) and returns it
 */
record PropertyCall(String family, String op, String args, Mod mod, int modInput, Expect expect, Tolerance tolerance, Prepare call) {

    /** Prepares the call: constructs the layer and the inputs, returns what runs the op. */
    @FunctionalInterface
    interface Prepare {
        Supplier<Tensor> on(Env env);
    }

    /**
     * What the call must do: return a tensor of {@code shape}, or throw one of {@code refusals}.
     *
     * @param shape the output shape by PyTorch's formula, null when the call must be refused
     * @param refusals the accepted exception types when refused
     */
    record Expect(int[] shape, List<Class<? extends RuntimeException>> refusals) {
        static Expect output(int... shape) {
            return new Expect(shape, List.of());
        }

        static Expect refused() {
            return new Expect(null, List.of(IllegalArgumentException.class));
        }

        /** The same expectation after the modifier {@code mod}. */
        Expect with(Mod mod) {
            return switch (mod) {
                case NONE -> this;
                case OTHER_DEVICE -> refused();
                case CLOSED_INPUT, CLOSED_LAYER -> new Expect(null, shape == null
                        ? List.of(IllegalArgumentException.class, IllegalStateException.class)
                        : List.of(IllegalStateException.class));
            };
        }

        @Override
        public String toString() {
            return shape != null ? "output " + Arrays.toString(shape)
                    : "refused with " + refusals.stream().map(Class::getSimpleName).toList();
        }
    }

    /** A twist applied to an otherwise drawn call. */
    enum Mod {
        /** The call as drawn. */
        NONE,
        /** One input tensor is closed before the call: {@link IllegalStateException}. */
        CLOSED_INPUT,
        /** The layer is closed (its parameters and buffers released) before the call: {@link IllegalStateException}. */
        CLOSED_LAYER,
        /** One input lives on a different device than the layer or the other inputs: {@link IllegalArgumentException}. */
        OTHER_DEVICE
    }

    /**
     * Where a call is prepared: the device, the other device (for {@link Mod#OTHER_DEVICE}), the seed that fixes every
     * value (so that each device sees the same weights and inputs), and what to close afterwards.
     */
    static final class Env implements AutoCloseable {
        final Device device;
        private final Device other;
        private final long seed;
        private final Mod mod;
        private final int modInput;
        private final List<Module> modules = new ArrayList<>();
        private final List<Runnable> unchanged = new ArrayList<>();
        private final List<Generator> generators = new ArrayList<>();
        private int inputs;

        Env(Device device, Device other, long seed, Mod mod, int modInput) {
            this.device = device;
            this.other = other;
            this.seed = seed;
            this.mod = mod;
            this.modInput = modInput;
        }

        /**
         * Input {@code data} of shape {@code dims} on the device; the {@code modInput}-th input is closed or put on the
         * other device when the modifier says so.
         */
        Tensor input(float[] data, int... dims) {
            int index = inputs++;
            boolean twisted = index == modInput;
            Tensor t = (twisted && mod == Mod.OTHER_DEVICE ? other : device).fromArray(data, dims);
            if (twisted && mod == Mod.CLOSED_INPUT) {
                t.close();
            }
            return t;
        }

        /** A state tensor the call may update in place (running statistics): it must stay unchanged when refused. */
        Tensor state(float[] data, int... dims) {
            Tensor t = input(data, dims);
            watch("input " + Arrays.toString(dims), t);
            return t;
        }

        /** A fresh generator seeded from the case; its offset must not move when the call is refused. */
        Generator generator() {
            Generator g = new Generator(seed);
            generators.add(g);
            return g;
        }

        /**
         * Checks what a refused call must leave alone: every watched tensor (parameters, buffers, state inputs) holds
         * its old values and every generator its offset.
         *
         * @return the problems found, empty when none
         */
        List<String> untouched() {
            List<String> problems = new ArrayList<>();
            for (Runnable check : unchanged) {
                try {
                    check.run();
                } catch (AssertionError e) {
                    problems.add(e.getMessage());
                }
            }
            for (Generator g : generators) {
                if (g.offset() != 0) {
                    problems.add("generator offset moved to " + g.offset());
                }
            }
            return problems;
        }

        private void watch(String what, Tensor t) {
            if (t.isClosed()) {
                return;
            }
            float[] before = t.toArray();
            unchanged.add(() -> {
                if (!t.isClosed()) {
                    Tolerance.EXACT.assertClose(what + " must be unchanged by a refused call", before, t.toArray());
                }
            });
        }

        /**
         * Gives every parameter values uniform in {@code [-1, 1)} and every buffer values in {@code [0.5, 1.5)}, drawn from
         * the seed (the same on every device); closes the module for {@link Mod#CLOSED_LAYER}.
         */
        <M extends Module> M filled(M module) {
            modules.add(module);
            SplittableRandom random = new SplittableRandom(seed);
            try (NoGrad off = NoGrad.enter()) {
                for (Parameter p : module.namedParameters().values()) {
                    p.tensor().copyFrom(Inputs.uniform(random, (int) p.tensor().numel(), -1, 1));
                }
                for (Map.Entry<String, Tensor> b : module.namedBuffers().entrySet()) {
                    b.getValue().copyFrom(Inputs.uniform(random, (int) b.getValue().numel(), 0.5, 1.5));
                }
            }
            module.namedParameters().forEach((n, p) -> watch(n, p.tensor()));
            module.namedBuffers().forEach(this::watch);
            if (mod == Mod.CLOSED_LAYER) {
                module.close();
            }
            return module;
        }

        @Override
        public void close() {
            modules.forEach(Module::close);
        }
    }
}
