package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.cnn4j.optim.Adam;
import org.cnn4j.optim.ParamGroup;
import org.cnn4j.optim.SGD;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.api.Test;

/** Optimizer semantics found in review: late-created momentum buffers, foreign state, options changed on a group. */
class OptimizerSemanticsTest {
    private static void gradOne(Parameter p, Device d) {
        p.zeroGrad();
        try (Scope s = Scope.open()) {
            p.tensor().mul(d.ones(1)).sum().backward();     // d/dp sum(p * 1) = 1
        }
    }

    @Test
    void aMomentumBufferCreatedLateStartsFromTheGradientAsInPyTorch() {
        Device d = Device.cpu();
        try (Parameter p = new Parameter("w", d.fromArray(new float[] {1f}, 1))) {
            SGD sgd = new SGD(List.of(p), 0.1).dampening(0.5);
            gradOne(p, d);
            sgd.step();                                     // no momentum yet: w = 1 - 0.1 = 0.9
            sgd.momentum(0.9);
            gradOne(p, d);
            sgd.step();                                     // PyTorch: buf = g = 1 (no dampening on creation): w = 0.8
            assertEquals(0.8f, p.tensor().item(), 1e-6f);
            sgd.close();
        }
    }

    @Test
    void foreignStateBuffersAreRefused() {
        Device d = Device.cpu();
        try (Parameter p = new Parameter("w", d.fromArray(new float[] {1f, 2f}, 2)); Scope s = Scope.open()) {
            Adam adam = new Adam(List.of(p));
            gradOne(p, d);
            adam.step();
            Map<String, Tensor> state = adam.stateDict();
            SGD sgd = new SGD(List.of(p), 0.1).momentum(0.9);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sgd.loadStateDict(state));
            assertTrue(e.getMessage().startsWith("SGD.loadStateDict: state buffers must be one of [momentum_buffer]"),
                    e.getMessage());
            adam.close();
        }
    }

    @Test
    void anOptionSetOnAGroupAfterConstructionIsCheckedAtTheNextStep() {
        Device d = Device.cpu();
        try (Parameter p = new Parameter("w", d.fromArray(new float[] {1f}, 1))) {
            ParamGroup g = new ParamGroup(List.of(p));
            SGD sgd = new SGD(0.1, g);
            g.set("lr", -5);
            gradOne(p, d);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, sgd::step);
            assertTrue(e.getMessage().contains("lr") && e.getMessage().contains("-5"), e.getMessage());
            assertEquals(1f, p.tensor().item(), "nothing was applied");
        }
    }
}
