package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cnn4j.optim.Adagrad;
import org.cnn4j.optim.Adam;
import org.cnn4j.optim.AdamW;
import org.cnn4j.optim.Optimizer;
import org.cnn4j.optim.ParamGroup;
import org.cnn4j.optim.RMSprop;
import org.cnn4j.optim.SGD;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Invalid hyper-parameters raise {@link IllegalArgumentException} at construction, at the setter, or (for options
 * that constrain each other) at the next step, in the house
 * format: the message names the optimizer, the option and the value. The checks are on the host, so the CPU device
 * suffices.
 */
class OptimizerErrorTest {
    private Parameter[] params;

    @BeforeEach
    void createParams() {
        params = OptimCases.initialParams(Device.cpu());
    }

    @AfterEach
    void closeParams() {
        OptimCases.closeAll(params);
    }

    /** Asserts an {@link IllegalArgumentException} whose message contains every one of {@code words}. */
    private static void rejects(String what, Executable call, String... words) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, what + " must be rejected");
        for (String w : words) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(w),
                    what + ": the message must name '" + w + "', but got: " + e.getMessage());
        }
    }

    @Test
    void negativeLearningRateIsRejected() {
        List<Parameter> ps = List.of(params);
        rejects("SGD lr -0.1", () -> new SGD(ps, -0.1), "SGD", "lr", "-0.1");
        rejects("Adagrad lr -1", () -> new Adagrad(ps).lr(-1), "Adagrad", "lr", "-1");
        rejects("RMSprop lr -0.01", () -> new RMSprop(ps).lr(-0.01), "RMSprop", "lr", "-0.01");
        rejects("Adam lr -0.001", () -> new Adam(ps).lr(-0.001), "Adam", "lr", "-0.001");
        rejects("AdamW lr -0.001", () -> new AdamW(ps).lr(-0.001), "AdamW", "lr", "-0.001");
        rejects("SGD lr NaN", () -> new SGD(ps, Double.NaN), "SGD", "lr");
        rejects("setLearningRate(-1)", () -> new SGD(ps, 0.1).setLearningRate(0, -1), "SGD", "lr", "-1");
        rejects("group lr -0.5", () -> new Adam(new ParamGroup(ps).set("lr", -0.5)), "Adam", "lr", "-0.5");
    }

    @Test
    void betasMustBeBelowOne() {
        List<Parameter> ps = List.of(params);
        rejects("Adam beta2 = 1", () -> new Adam(ps).betas(0.9, 1.0), "Adam", "beta2", "1.0");
        rejects("Adam beta1 = 1", () -> new Adam(ps).betas(1.0, 0.999), "Adam", "beta1", "1.0");
        rejects("AdamW beta1 = 1.5", () -> new AdamW(ps).betas(1.5, 0.999), "AdamW", "beta1", "1.5");
        rejects("AdamW beta2 = -0.1", () -> new AdamW(ps).betas(0.9, -0.1), "AdamW", "beta2", "-0.1");
        rejects("Adam group beta2 = 1", () -> new Adam(new ParamGroup(ps).set("beta2", 1)), "Adam", "beta2");
    }

    @Test
    void nesterovNeedsMomentumAndNoDampening() {
        List<Parameter> ps = List.of(params);
        // options that constrain each other are checked together before the next step, so setters may come in any order
        new SGD(ps, 0.1).nesterov(true).momentum(0.9);
        rejects("SGD Nesterov without momentum", () -> new SGD(ps, 0.1).nesterov(true).step(), "SGD", "Nesterov", "momentum");
        rejects("SGD Nesterov with dampening", () -> new SGD(ps, 0.1).momentum(0.9).dampening(0.5).nesterov(true).step(),
                "SGD", "Nesterov", "dampening");
        rejects("SGD Nesterov, then momentum 0", () -> new SGD(ps, 0.1).momentum(0.9).nesterov(true).momentum(0).step(),
                "SGD", "Nesterov");
        rejects("SGD group with Nesterov and no momentum",
                () -> new SGD(0.1, new ParamGroup(ps).set("nesterov", 1)), "SGD", "Nesterov");
    }

    @Test
    void unknownOptionInAParamGroupIsRejected() {
        List<Parameter> ps = List.of(params);
        rejects("Adam with momentum", () -> new Adam(new ParamGroup(ps).set("momentum", 0.9)), "Adam", "momentum");
        rejects("SGD with betas", () -> new SGD(0.1, new ParamGroup(ps).set("beta1", 0.9)), "SGD", "beta1");
        rejects("AdamW with 'weightDecay' (the Java spelling)", () -> new AdamW(new ParamGroup(ps).set("weightDecay", 0)),
                "AdamW", "weightDecay");
        rejects("RMSprop with lr_decay", () -> new RMSprop(new ParamGroup(ps).set("lr_decay", 0.1)), "RMSprop", "lr_decay");
        rejects("Adagrad with alpha in group 2",
                () -> new Adagrad(new ParamGroup(List.of(params[0])), new ParamGroup(List.of(params[1])).set("alpha", 0.9)),
                "Adagrad", "alpha");
    }

    /**
     * {@link ParamGroup#set} is public and the optimizer keeps the group, so an option changed after construction must
     * still be checked before it is used: the optimizer must never step with a negative lr or an option it does not
     * know (either {@code set} or the next {@code step()} must throw, naming the optimizer).
     */
    @Test
    void anOptionChangedAfterConstructionIsCheckedBeforeTheNextStep() {
        ParamGroup lrGroup = new ParamGroup(List.of(params[0]));
        try (Optimizer opt = new SGD(0.1, lrGroup)) {
            OptimCases.setGrad(params[0], OptimCases.inputs().tensor("p0_grad_1").values());
            rejects("group lr set to -5 after construction, then step()", () -> {
                lrGroup.set("lr", -5);
                opt.step();
            }, "SGD", "lr");
        }
        ParamGroup bogusGroup = new ParamGroup(List.of(params[1]));
        try (Optimizer opt = new Adam(bogusGroup)) {
            OptimCases.setGrad(params[1], OptimCases.inputs().tensor("p1_grad_1").values());
            rejects("unknown option 'momentum' set after construction, then step()", () -> {
                bogusGroup.set("momentum", 0.9);
                opt.step();
            }, "Adam", "momentum");
        }
    }

    @Test
    void otherRangesAreChecked() {
        List<Parameter> ps = List.of(params);
        rejects("SGD momentum -0.9", () -> new SGD(ps, 0.1).momentum(-0.9), "SGD", "momentum", "-0.9");
        rejects("SGD dampening 1.5", () -> new SGD(ps, 0.1).dampening(1.5), "SGD", "dampening", "1.5");
        rejects("SGD weight decay -1", () -> new SGD(ps, 0.1).weightDecay(-1), "SGD", "weight_decay");
        rejects("Adagrad eps -1e-10", () -> new Adagrad(ps).eps(-1e-10), "Adagrad", "eps");
        rejects("Adagrad lr_decay -0.1", () -> new Adagrad(ps).lrDecay(-0.1), "Adagrad", "lr_decay");
        rejects("Adagrad initial accumulator -1", () -> new Adagrad(ps).initialAccumulatorValue(-1), "Adagrad",
                "initial_accumulator_value");
        rejects("RMSprop alpha -0.5", () -> new RMSprop(ps).alpha(-0.5), "RMSprop", "alpha");
        rejects("RMSprop momentum -0.5", () -> new RMSprop(ps).momentum(-0.5), "RMSprop", "momentum");
        rejects("Adam eps -1", () -> new Adam(ps).eps(-1), "Adam", "eps");
        rejects("AdamW weight decay -0.01", () -> new AdamW(ps).weightDecay(-0.01), "AdamW", "weight_decay");
        rejects("a parameter in two groups", () -> new SGD(0.1, new ParamGroup(ps), new ParamGroup(List.of(params[0]))),
                "SGD", "w");
        rejects("an empty group", () -> new ParamGroup(List.of()), "ParamGroup");
        rejects("no group", () -> new Adam(new ParamGroup[0]), "Adam");
    }

    @Test
    void loadStateDictRejectsForeignOrMisshapenEntries() {
        try (Scope scope = Scope.open(); Optimizer opt = new Adam(List.of(params))) {
            Device cpu = Device.cpu();
            rejects("an entry of an unknown parameter",
                    () -> opt.loadStateDict(Map.of("conv.weight.exp_avg", cpu.zeros(3, 4))), "Adam", "conv.weight.exp_avg");
            rejects("a buffer of the wrong shape", () -> opt.loadStateDict(Map.of("0.exp_avg", cpu.zeros(4, 3))), "Adam",
                    "0.exp_avg", "[4, 3]");
            Tensor two = cpu.zeros(2);
            rejects("a step with two elements", () -> opt.loadStateDict(Map.of("0.step", two)), "Adam", "0.step");
            rejects("a position past the end", () -> opt.loadStateDict(Map.of("9.exp_avg", cpu.zeros(3, 4))), "Adam", "9.exp_avg");
        }
    }
}
