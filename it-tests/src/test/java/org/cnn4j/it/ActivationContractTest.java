package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.spi.Activation;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link org.cnn4j.runtime.spi.ActivationOps} on every device against {@link NaiveActivation}: every
 * function with its parameter (ignored by those without one, so a nonzero {@code a} is passed to them
 * too), forward out of place and in place, backward out of place and with {@code dx} aliasing {@code dy}.
 * Inputs: seeded uniform values in [-6, 6) plus the kinks ({@code 0}, {@code -0}), tiny values and
 * saturated ends ({@code +-10}, {@code +-30}, {@code +-100}). The backward gets {@code y} = the reference
 * forward rounded to float32. Tolerances: {@link CnnTolerances#activation}.
 */
class ActivationContractTest {
    static final float[] SPECIALS = {0f, -0f, 1e-3f, -1e-3f, 1e-20f, -1e-20f, 10f, -10f, 30f, -30f, 100f, -100f, 1f, -1f};

    static float[] input(long seed) {
        float[] r = Inputs.uniform(new SplittableRandom(seed), 1031, -6, 6);
        float[] x = new float[r.length + SPECIALS.length];
        System.arraycopy(SPECIALS, 0, x, 0, SPECIALS.length);
        System.arraycopy(r, 0, x, SPECIALS.length, r.length);
        return x;
    }

    /** The parameters tried for each function. */
    static float[] params(Activation f) {
        return switch (f) {
            case LEAKY_RELU -> new float[] {0.01f, 0.2f};
            case ELU -> new float[] {1f, 0.5f};
            default -> new float[] {0.5f};
        };
    }

    static String what(Device device, String op, Activation f, float a) {
        return op + " " + f + " a=" + a + " on " + device.spec();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void forwardMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        float[] x = input(5000);
        for (Activation f : Activation.values()) {
            for (float a : params(f)) {
                double[] ref = CnnTolerances.activationReference(f, NaiveActivation.forward(f, a, NaiveOps.toDouble(x)));
                checks.add(() -> CnnTolerances.activation(f, a, x, null).assertClose(what(device, "activation", f, a), ref,
                        new SpiCalls(device, 3).activation(f, a, x)));
                checks.add(() -> CnnTolerances.activation(f, a, x, null).assertClose(what(device, "activation in place", f, a), ref,
                        new SpiCalls(device).activationInPlace(f, a, x)));
            }
        }
        assertAll(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void backwardMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        float[] x = input(5100);
        float[] dy = Inputs.uniform(new SplittableRandom(5200), x.length, -2, 2);
        for (Activation f : Activation.values()) {
            for (float a : params(f)) {
                float[] y = PoolContractTest.toFloat(NaiveActivation.forward(f, a, NaiveOps.toDouble(x)));
                double[] ref = CnnTolerances.activationReference(f,
                        NaiveActivation.backward(f, a, NaiveOps.toDouble(x), NaiveOps.toDouble(dy)));
                for (boolean inPlace : new boolean[] {false, true}) {
                    checks.add(() -> CnnTolerances.activation(f, a, x, dy).assertClose(
                            what(device, "activationBackward" + (inPlace ? " (dx aliases dy)" : ""), f, a), ref,
                            new SpiCalls(device, inPlace ? 0 : 1).activationBackward(f, a, x, y, dy, inPlace)));
                }
            }
        }
        assertAll(checks);
    }
}
