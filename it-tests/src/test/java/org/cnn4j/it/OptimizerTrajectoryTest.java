package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.optim.Optimizer;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every optimizer configuration recorded from {@code torch.optim} by {@code src/test/python/make_optim_vectors.py}
 * ({@code reference/optim.txt}): from the same two parameters and the same 12 recorded gradients, the cnn4j
 * parameters after every step match PyTorch's, on every device. The cases cover SGD (plain, momentum, dampening,
 * Nesterov, weight decay), AdaGrad (lr decay, weight decay, initial accumulator), RMSProp (plain, momentum, centered,
 * centered with momentum and weight decay), Adam and AdamW (plain, AMSGrad, weight decay, the constructors' defaults),
 * two parameter groups with different lr and weight decay, and a parameter without a gradient at some steps (skipped,
 * with its own step count, so that its momentum buffer starts and its bias correction counts from its own first step).
 *
 * <p>Tolerance: {@code atol 1e-6 + rtol 1e-5}, compared after every step. The parameters are of order 1, so one
 * float32 rounding is about 6e-8; a dozen fused updates, each a few roundings, accumulate at most about 1e-6, and
 * cnn4j's order of operations may differ from PyTorch's by an ulp per operation (OpenCL may contract a*b+c). The
 * generating script checks that PyTorch's own float32 trajectory stays within 0.11 of this tolerance of the float64
 * one, so the bound covers rounding and nothing else: a wrong formula (a missing bias correction, dampening applied
 * on the first step, lr decay off by one step) moves the parameters by 1e-3 or more.
 */
class OptimizerTrajectoryTest {
    static final Tolerance TOLERANCE = new Tolerance(1e-6, 1e-5);
    private static final List<ReferenceVectors.Case> TRAJECTORIES = OptimCases.ofKind("trajectory");

    static Stream<Arguments> devicesAndCases() {
        return TestDevices.all().flatMap(d -> TRAJECTORIES.stream().map(c -> Arguments.of(d, Named.of(c.id(), c))));
    }

    @Test
    void theVectorsCoverEveryConfiguration() {
        for (String id : new String[] {"sgd_plain", "sgd_momentum", "sgd_momentum_dampening", "sgd_nesterov",
            "sgd_weight_decay", "adagrad_decay_wd_init", "rmsprop_plain", "rmsprop_momentum", "rmsprop_centered",
            "rmsprop_centered_momentum_wd", "adam_plain", "adam_amsgrad", "adam_weight_decay", "adamw_plain",
            "adamw_amsgrad", "sgd_groups", "adamw_groups", "adam_nograd"}) {
            assertTrue(TRAJECTORIES.stream().anyMatch(c -> c.id().equals(id)), "no trajectory case " + id);
        }
        assertEquals(OptimCases.CASES.size(), OptimCases.CASES.stream().map(ReferenceVectors.Case::id).distinct().count(),
                "duplicate case ids in " + OptimCases.RESOURCE);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("devicesAndCases")
    void matchesPyTorchAfterEveryStep(Device device, ReferenceVectors.Case c) {
        long before = device.pool().bytesInUse();
        Parameter[] params = OptimCases.initialParams(device);
        try (Optimizer opt = OptimCases.build(c, params)) {
            int steps = Integer.parseInt(c.key("steps"));
            for (int s = 1; s <= steps; s++) {
                OptimCases.setGrads(c, params, s);
                opt.step();
                for (int i = 0; i < params.length; i++) {
                    ReferenceVectors.Vector ref = c.tensor("p" + i + "_after_" + s);
                    Contract.assertShape(c.id(), ref.shape(), params[i].tensor());
                    TOLERANCE.assertClose(c.id() + " " + c.keys() + ": parameter " + params[i].name() + " after step " + s
                            + " of " + steps + " on " + device.spec(), ref.values(), params[i].tensor().toArray());
                }
            }
        } finally {
            OptimCases.closeAll(params);
        }
        assertEquals(before, device.pool().bytesInUse(), c.id() + " on " + device.spec()
                + ": closing the optimizer and the parameters returns every buffer (state, gradients, values)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void adamWDefaultsAreLr1e3AndWeightDecay1e2(Device device) {
        Parameter[] params = OptimCases.initialParams(device);
        try (Optimizer adamw = new org.cnn4j.optim.AdamW(List.of(params));
             Optimizer adam = new org.cnn4j.optim.Adam(List.of(params))) {
            assertEquals(1e-3, adamw.learningRate(0), "AdamW default lr");
            assertEquals(1e-3, adam.learningRate(0), "Adam default lr");
            assertTrue(adamw.toString().contains("weight_decay=0.01"), "AdamW default weight_decay 0.01: " + adamw);
            assertTrue(adam.toString().contains("weight_decay=0.0"), "Adam default weight_decay 0: " + adam);
        } finally {
            OptimCases.closeAll(params);
        }
    }
}
