package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.Sequential;
import org.cnn4j.optim.Adam;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.TestDevices;
import org.junit.jupiter.api.Test;

/**
 * Parameters of different layers share local names ({@code weight}, {@code bias}); the optimizer's state dict
 * must keep every parameter's state apart (it is keyed by position), or a resumed run silently diverges.
 */
class OptimizerStateKeysTest {
    private static void step(Sequential model, Adam adam, Tensor x) {
        try (Scope s = Scope.open()) {
            adam.zeroGrad();
            model.forward(x).square().mean().backward();
            adam.step();
        }
    }

    @Test
    void everyParameterKeepsItsOwnStateThroughAStateDict() {
        Device cpu = TestDevices.cpu();
        try (Scope scope = Scope.open()) {
            Tensor x = cpu.normal(new Generator(5), 0f, 1f, 8, 6);
            Sequential a = new Sequential(new Linear(6, 5, true, cpu, new Generator(1)), new Linear(5, 3, true, cpu, new Generator(2)));
            Sequential b = new Sequential(new Linear(6, 5, true, cpu, new Generator(1)), new Linear(5, 3, true, cpu, new Generator(2)));
            Adam adamA = new Adam(a.parameters()).lr(0.01);
            Adam adamB = new Adam(b.parameters()).lr(0.01);
            step(a, adamA, x);
            step(a, adamA, x);
            Map<String, Tensor> state = adamA.stateDict();
            assertEquals(4 * 3, state.size(), "step, exp_avg, exp_avg_sq for each of 4 parameters: " + state.keySet());
            b.loadStateDict(a.stateDict());
            adamB.loadStateDict(state);
            step(a, adamA, x);
            step(b, adamB, x);
            Map<String, float[]> wa = new LinkedHashMap<>();
            a.stateDict().forEach((k, t) -> wa.put(k, t.toArray()));
            b.stateDict().forEach((k, t) -> assertArrayEquals(wa.get(k), t.toArray(), k + " after a step from the loaded state"));
            adamA.close();
            adamB.close();
            a.close();
            b.close();
        }
    }
}
