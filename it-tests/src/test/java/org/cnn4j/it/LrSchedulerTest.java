package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.optim.LrScheduler;
import org.cnn4j.optim.Optimizer;
import org.cnn4j.optim.ParamGroup;
import org.cnn4j.optim.ReduceLROnPlateau;
import org.cnn4j.optim.SGD;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LrScheduler} and {@link ReduceLROnPlateau} against the learning rates of PyTorch's {@code StepLR},
 * {@code MultiStepLR}, {@code ExponentialLR}, {@code CosineAnnealingLR} (past {@code T_max} too), {@code LinearLR}
 * (warm-up and decay) and {@code ReduceLROnPlateau} (relative threshold, patience, cooldown, {@code min_lr}) over 15
 * epochs, for two parameter groups of one SGD optimizer with different base rates (cases {@code lr_schedule} of
 * {@code reference/optim.txt}). Schedules are host arithmetic in double; the file holds PyTorch's values rounded to
 * float32, so cnn4j's rate rounded to float32 must be the same float or its neighbour ({@code rtol 2.4e-7}: PyTorch
 * computes most schedules recursively, cnn4j in closed form, and the two double results may straddle a float32
 * rounding boundary), with {@code atol 1e-9} for the rates that reach 0.
 */
class LrSchedulerTest {
    static final Tolerance LR = new Tolerance(1e-9, 2.4e-7);
    private Parameter[] params;

    static Stream<Arguments> cases() {
        return OptimCases.ofKind("lr_schedule").stream().map(c -> Arguments.of(Named.of(c.id(), c)));
    }

    @BeforeEach
    void createParams() {
        params = new Parameter[] {new Parameter("w", Device.cpu().zeros(2)), new Parameter("b", Device.cpu().zeros(1))};
    }

    @AfterEach
    void closeParams() {
        OptimCases.closeAll(params);
    }

    private Optimizer twoGroups(double base0, double base1) {
        return new SGD(base0, new ParamGroup(List.of(params[0])), new ParamGroup(List.of(params[1])).set("lr", base1));
    }

    @Test
    void theVectorsCoverEverySchedule() {
        for (String sched : new String[] {"step", "multistep", "exponential", "cosine", "linear", "plateau"}) {
            assertTrue(OptimCases.ofKind("lr_schedule").stream().anyMatch(c -> c.key("sched").equals(sched)),
                    "no lr_schedule case for " + sched);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorch(ReferenceVectors.Case c) {
        int epochs = Integer.parseInt(c.key("epochs"));
        try (Optimizer opt = twoGroups(OptimCases.num(c, "base_lr0"), OptimCases.num(c, "base_lr1"))) {
            float[][] lrs = new float[2][epochs + 1];
            String sched = c.key("sched");
            if (sched.equals("plateau")) {
                ReduceLROnPlateau plateau = new ReduceLROnPlateau(opt, OptimCases.num(c, "factor"),
                        Integer.parseInt(c.key("patience")), OptimCases.num(c, "threshold"), Integer.parseInt(c.key("cooldown")),
                        OptimCases.num(c, "min_lr"));
                float[] metric = c.tensor("metric").values();
                record(opt, lrs, 0);
                for (int e = 1; e <= epochs; e++) {
                    plateau.step(metric[e - 1]);
                    record(opt, lrs, e);
                }
            } else {
                LrScheduler s = switch (sched) {
                    case "step" -> LrScheduler.step(opt, Integer.parseInt(c.key("step_size")), OptimCases.num(c, "gamma"));
                    case "multistep" -> LrScheduler.multiStep(opt, ReferenceVectors.parseShape(c.key("milestones")),
                            OptimCases.num(c, "gamma"));
                    case "exponential" -> LrScheduler.exponential(opt, OptimCases.num(c, "gamma"));
                    case "cosine" -> LrScheduler.cosine(opt, Integer.parseInt(c.key("t_max")), OptimCases.num(c, "eta_min"));
                    case "linear" -> LrScheduler.linearWarmup(opt, OptimCases.num(c, "start_factor"),
                            OptimCases.num(c, "end_factor"), Integer.parseInt(c.key("total_iters")));
                    default -> throw new IllegalStateException("unknown schedule " + sched + " in " + c.id());
                };
                record(opt, lrs, 0);
                for (int e = 1; e <= epochs; e++) {
                    s.step();
                    assertEquals(e, s.epoch(), c.id() + ": epoch()");
                    record(opt, lrs, e);
                }
            }
            for (int g = 0; g < 2; g++) {
                LR.assertClose(c.id() + " " + c.keys() + ": lr of group " + g + " at epochs 0.." + epochs + " (cnn4j "
                        + Arrays.toString(lrs[g]) + ")", c.tensor("lr" + g).values(), lrs[g]);
            }
        }
    }

    private static void record(Optimizer opt, float[][] lrs, int epoch) {
        for (int g = 0; g < lrs.length; g++) {
            lrs[g][epoch] = (float) opt.learningRate(g);
        }
    }

    @Test
    void invalidScheduleArgumentsAreRejected() {
        try (Optimizer opt = twoGroups(0.1, 0.01)) {
            assertThrows(IllegalArgumentException.class, () -> LrScheduler.step(opt, 0, 0.5), "step size 0");
            assertThrows(IllegalArgumentException.class, () -> LrScheduler.multiStep(opt, new int[] {5, 3}, 0.5),
                    "decreasing milestones");
            assertThrows(IllegalArgumentException.class, () -> LrScheduler.cosine(opt, 0, 0), "T_max 0");
            assertThrows(IllegalArgumentException.class, () -> LrScheduler.linearWarmup(opt, 0, 1, 5), "start factor 0");
            assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau(opt, 1.0, 10, 1e-4, 0, 0), "factor 1");
            assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau(opt, 0.1, -1, 1e-4, 0, 0), "patience -1");
            assertEquals(0.1, opt.learningRate(0), "rejected schedules leave the learning rate alone");
        }
    }
}
