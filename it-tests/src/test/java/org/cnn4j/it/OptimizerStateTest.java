package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.cnn4j.optim.Adam;
import org.cnn4j.optim.Optimizer;
import org.cnn4j.optim.SGD;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The optimizer's state and bookkeeping, on every device: a checkpoint ({@code stateDict()} into a fresh optimizer's
 * {@code loadStateDict}) continues the trajectory bit for bit; k backward passes of {@code loss / k} then one step equal
 * one step on the whole batch; a parameter without a gradient is skipped and keeps its own step count.
 */
class OptimizerStateTest {
    private static final List<ReferenceVectors.Case> TRAJECTORIES = OptimCases.ofKind("trajectory");

    static Stream<Arguments> devicesAndCases() {
        return TestDevices.all().flatMap(d -> TRAJECTORIES.stream().map(c -> Arguments.of(d, Named.of(c.id(), c))));
    }

    /**
     * Runs {@code c} for 12 steps uninterrupted, and again for 6 steps, then saves the state, builds a fresh optimizer
     * over fresh parameters (same names, same values), loads the state and runs the remaining 6 steps: the parameters
     * must be bit-identical to the uninterrupted run (same device, same kernels, so the same roundings). The step
     * counts matter: Adam's bias correction and AdaGrad's lr decay read them, and SGD's first step copies the gradient
     * into the momentum buffer.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("devicesAndCases")
    void stateDictResumesTheTrajectoryExactly(Device device, ReferenceVectors.Case c) {
        int steps = Integer.parseInt(c.key("steps"));
        int half = steps / 2;
        Parameter[] straight = OptimCases.initialParams(device);
        Parameter[] first = OptimCases.initialParams(device);
        Parameter[] resumed = null;
        try (Scope scope = Scope.open(); Optimizer a = OptimCases.build(c, straight)) {
            for (int s = 1; s <= steps; s++) {
                OptimCases.setGrads(c, straight, s);
                a.step();
            }
            Optimizer b = OptimCases.build(c, first);
            for (int s = 1; s <= half; s++) {
                OptimCases.setGrads(c, first, s);
                b.step();
            }
            Map<String, Tensor> saved = b.stateDict();
            long expectedSteps1 = half - OptimCases.nograd1(c).stream().filter(s -> s <= half).count();
            assertEquals((float) half, saved.get("0.step").item(), c.id() + ": 0.step (w) in the state dict on " + device.spec());
            assertEquals((float) expectedSteps1, saved.get("1.step").item(),
                    c.id() + ": b.step in the state dict (b had no gradient at steps " + OptimCases.nograd1(c) + ") on "
                            + device.spec());

            resumed = OptimCases.copies(first);
            try (Optimizer fresh = OptimCases.build(c, resumed)) {
                fresh.loadStateDict(saved);
                b.close();
                for (int s = half + 1; s <= steps; s++) {
                    OptimCases.setGrads(c, resumed, s);
                    fresh.step();
                }
            }
            for (int i = 0; i < straight.length; i++) {
                Contract.assertExact(c.id() + ": " + straight[i].name() + " after " + half + " steps, a checkpoint and "
                        + (steps - half) + " more steps vs " + steps + " uninterrupted steps on " + device.spec(),
                        straight[i].shape().toArray(), straight[i].tensor().toArray(), resumed[i].tensor());
            }
        } finally {
            OptimCases.closeAll(straight, first, resumed);
        }
    }

    /** The optimizers of the accumulation test: linear in the gradient (SGD) and not (Adam, AdaGrad, RMSProp). */
    static Stream<Arguments> devicesAndAccumulators() {
        List<Named<Function<Parameter[], Optimizer>>> makers = List.of(
                Named.of("sgd_momentum", p -> new SGD(List.of(p), 0.1).momentum(0.9)),
                Named.of("adam", p -> new Adam(List.of(p)).lr(0.05)),
                Named.of("adagrad", p -> new org.cnn4j.optim.Adagrad(List.of(p)).lr(0.1)),
                Named.of("rmsprop_centered", p -> new org.cnn4j.optim.RMSprop(List.of(p)).centered(true)));
        return TestDevices.all().flatMap(d -> makers.stream().map(m -> Arguments.of(d, m)));
    }

    /**
     * Gradient accumulation: with {@code loss_c = sum(tanh(w * X_c)) / k} over k = 4 chunks, calling {@code backward()}
     * on each chunk's loss (the gradients add up) and then {@code step()} equals one step on the whole batch
     * {@code sum(tanh(w * X)) / k} with X [4, 3, 4] (broadcast over the batch), within float32 summation-order
     * rounding (the gradients are sums of 4 terms in another order): atol 1e-6 + rtol 1e-5, over 3 rounds.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("devicesAndAccumulators")
    void accumulatingKBackwardsOfLossOverKEqualsOneFullBatchStep(Device device, Function<Parameter[], Optimizer> make) {
        int k = 4;
        Random rnd = new Random(7);
        Parameter[] full = {new Parameter("w", device.fromArray(randoms(rnd, 12), 3, 4))};
        Parameter[] acc = OptimCases.copies(full);
        Tolerance tol = OptimizerTrajectoryTest.TOLERANCE;
        try (Scope scope = Scope.open(); Optimizer fullOpt = make.apply(full); Optimizer accOpt = make.apply(acc)) {
            for (int round = 1; round <= 3; round++) {
                float[] x = randoms(rnd, k * 12);
                full[0].zeroGrad();
                full[0].tensor().mul(device.fromArray(x, k, 3, 4)).tanh().sum().mul(1f / k).backward();
                acc[0].zeroGrad();
                for (int c = 0; c < k; c++) {
                    float[] chunk = java.util.Arrays.copyOfRange(x, c * 12, (c + 1) * 12);
                    acc[0].tensor().mul(device.fromArray(chunk, 3, 4)).tanh().sum().mul(1f / k).backward();
                }
                tol.assertClose("accumulated gradient of " + k + " chunks vs the full batch, round " + round + " on "
                        + device.spec(), full[0].grad().toArray(), acc[0].grad().toArray());
                fullOpt.step();
                accOpt.step();
                tol.assertClose(fullOpt + ": parameters after a step on " + k + " accumulated chunks vs one full-batch "
                        + "step, round " + round + " on " + device.spec(), full[0].tensor().toArray(), acc[0].tensor().toArray());
            }
        } finally {
            OptimCases.closeAll(full, acc);
        }
    }

    private static float[] randoms(Random rnd, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return out;
    }

    /**
     * A parameter whose gradient is null is skipped: its value is unchanged bit for bit, it gets no state (no entry in
     * the state dict) and, once it has a gradient, it counts its steps from 1 while the other parameter is at 3.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void aParameterWithoutGradientIsSkipped(Device device) {
        Parameter[] params = OptimCases.initialParams(device);
        ReferenceVectors.Case in = OptimCases.inputs();
        float[] b0 = params[1].tensor().toArray();
        try (Scope scope = Scope.open(); Optimizer opt = new Adam(List.of(params)).lr(0.05).amsgrad(true)) {
            for (int s = 1; s <= 2; s++) {
                OptimCases.setGrad(params[0], in.tensor("p0_grad_" + s).values());
                params[1].zeroGrad();
                opt.step();
                assertNull(params[1].grad(), "b's gradient stays null");
                Contract.assertExact("b (no gradient) after step " + s + " on " + device.spec(), params[1].shape().toArray(), b0,
                        params[1].tensor());
            }
            Map<String, Tensor> state = opt.stateDict();
            assertFalse(state.keySet().stream().anyMatch(key -> key.startsWith("1.")),
                    "a parameter never stepped has no state, but got " + state.keySet());
            assertTrue(state.containsKey("0.exp_avg") && state.containsKey("0.exp_avg_sq")
                    && state.containsKey("0.max_exp_avg_sq"), "Adam(amsgrad) state of w: " + state.keySet());
            assertEquals(2f, state.get("0.step").item(), "w.step");

            OptimCases.setGrad(params[0], in.tensor("p0_grad_3").values());
            OptimCases.setGrad(params[1], in.tensor("p1_grad_3").values());
            opt.step();
            state = opt.stateDict();
            assertEquals(3f, state.get("0.step").item(), "w.step after 3 steps");
            assertEquals(1f, state.get("1.step").item(), "b.step after its first step with a gradient");
            assertNotNull(state.get("1.exp_avg"), "b's state after its first step");
            // Adam's first step moves every element by lr (up to eps): m / sqrt(v) = sign(g) after bias correction
            float[] b1 = params[1].tensor().toArray();
            float[] g = in.tensor("p1_grad_3").values();
            double[] expected = new double[b0.length];
            for (int i = 0; i < b0.length; i++) {
                expected[i] = b0[i] - 0.05 * Math.signum(g[i]);
            }
            new Tolerance(1e-6, 1e-6).assertClose("b after its first step (bias correction from its own step 1) on "
                    + device.spec(), expected, b1);
        } finally {
            OptimCases.closeAll(params);
        }
    }
}
