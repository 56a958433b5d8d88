package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.cnn4j.optim.Adagrad;
import org.cnn4j.optim.Adam;
import org.cnn4j.optim.AdamW;
import org.cnn4j.optim.GradClip;
import org.cnn4j.optim.LrScheduler;
import org.cnn4j.optim.Optimizer;
import org.cnn4j.optim.RMSprop;
import org.cnn4j.optim.SGD;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.TransferStats;
import org.cnn4j.runtime.testing.TestDevices;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An optimizer step makes no host transfer: parameters, gradients and state stay on the device, and the
 * hyper-parameters (including the per-step bias corrections and decayed lr) are computed on the host from the step
 * counts. The first step allocates the state with {@code device.full}, a fill and not a transfer. Counted on every
 * device (the OpenCL one is the one that matters; the CPU backend counts its copies the same way). Gradient clipping
 * ({@code clipGradNorm}, {@code clipGradValue}) and a learning-rate schedule add none either.
 */
class OptimizerTransferTest {

    static Stream<Arguments> devicesAndOptimizers() {
        List<Named<Function<Parameter[], Optimizer>>> makers = List.of(
                Named.of("sgd_nesterov_wd", p -> new SGD(List.of(p), 0.1).momentum(0.9).nesterov(true).weightDecay(0.01)),
                Named.of("sgd_dampening", p -> new SGD(List.of(p), 0.1).momentum(0.9).dampening(0.3)),
                Named.of("adagrad", p -> new Adagrad(List.of(p)).lrDecay(0.1).initialAccumulatorValue(0.1).weightDecay(0.1)),
                Named.of("rmsprop_centered_momentum", p -> new RMSprop(List.of(p)).centered(true).momentum(0.5).weightDecay(0.1)),
                Named.of("adam_amsgrad", p -> new Adam(List.of(p)).amsgrad(true).weightDecay(0.1)),
                Named.of("adamw", p -> new AdamW(List.of(p))));
        return TestDevices.all().flatMap(d -> makers.stream().map(m -> Arguments.of(d, m)));
    }

    private record Counts(long h2d, long d2h) {
        static Counts of(Device device) {
            device.synchronize();
            TransferStats s = device.transfers();
            return new Counts(s.hostToDeviceTransfers(), s.deviceToHostTransfers());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("devicesAndOptimizers")
    void stepMakesNoHostTransfer(Device device, Function<Parameter[], Optimizer> make) {
        Parameter[] params = OptimCases.initialParams(device);
        ReferenceVectors.Case in = OptimCases.inputs();
        try (Scope scope = Scope.open(); Optimizer opt = make.apply(params)) {
            LrScheduler schedule = LrScheduler.cosine(opt, 10, 1e-4);
            for (int s = 1; s <= 3; s++) {
                for (int i = 0; i < params.length; i++) {
                    OptimCases.setGrad(params[i], in.tensor("p" + i + "_grad_" + s).values());
                }
                Counts before = Counts.of(device);
                opt.step();
                Counts afterStep = Counts.of(device);
                assertEquals(before, afterStep, opt + ": host transfers (h2d, d2h) made by step " + s + " on " + device.spec()
                        + (s == 1 ? " (the first step allocates the state: a fill, not a transfer)" : ""));
                GradClip.clipGradNorm(List.of(params), 0.5, s == 2 ? Double.POSITIVE_INFINITY : 2);
                GradClip.clipGradValue(List.of(params), 0.1);
                schedule.step();
                opt.zeroGrad();
                assertEquals(afterStep, Counts.of(device), "host transfers made by clipGradNorm, clipGradValue, a schedule "
                        + "step and zeroGrad after step " + s + " on " + device.spec());
            }
        } finally {
            OptimCases.closeAll(params);
        }
    }
}
