package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnn4j.layers.F;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Extreme but legal inputs: logits of magnitude 1e4 (softmax and cross-entropy must subtract the row maximum
 * before exponentiating) and a batch-norm channel whose values are all equal (variance 0: eps keeps the
 * division finite). Values are compared with the closed forms.
 */
class NumericalRobustnessTest {
    private static void assertFinite(String what, float[] values) {
        for (int i = 0; i < values.length; i++) {
            assertTrue(Float.isFinite(values[i]), what + "[" + i + "] must be finite, but got " + values[i]);
        }
    }

    @ParameterizedTest
    @MethodSource(Contract.DEVICES)
    void softmaxAndCrossEntropyStayFiniteForLogitsOfMagnitude1e4(Device device) {
        try (Scope s = Scope.open()) {
            // row 0: one logit far above the rest; row 1: all far below zero; row 2: ties at +1e4
            float[] logits = {1e4f, -1e4f, 0f, -1e4f, -1e4f + 1f, -1e4f, 1e4f, 1e4f, -1e4f};
            Tensor x = device.fromArray(logits, 3, 3).requiresGrad(true);
            Tensor y = device.fromArray(new float[] {1, 1, 0}, 3);
            float[] p = F.softmax(x).toArray();
            assertFinite("softmax", p);
            assertEquals(1f, p[0], 0f);
            assertEquals(0f, p[1], 0f);
            double e = Math.exp(1);
            assertEquals(e / (2 + e), p[4], 1e-6);
            assertEquals(0.5f, p[6], 1e-6f);
            Tensor loss = F.crossEntropy("NumericalRobustnessTest", x, y, 0f, true);
            // row 0: -log softmax = 2e4 exactly (float), row 1: log(2 + e) - 1, row 2: log 2
            double expected = (2e4 + (Math.log(2 + e) - 1) + Math.log(2)) / 3;
            assertEquals(expected, loss.item(), 1e-3 * expected);
            loss.backward();
            float[] g = x.grad().toArray();
            assertFinite("d loss / d logits", g);
            assertEquals(1f / 3, g[0], 1e-6f);     // (softmax - onehot) / N: row 0 has p = 1 where the label is 0
            assertEquals(-1f / 3, g[1], 1e-6f);
        }
    }

    @ParameterizedTest
    @MethodSource(Contract.DEVICES)
    void batchNormOfAConstantChannelIsFiniteAndZero(Device device) {
        try (Scope s = Scope.open()) {
            int n = 4;
            float[] v = new float[n * 2 * 3];
            for (int i = 0; i < v.length; i++) {
                int c = (i / 3) % 2;
                v[i] = c == 0 ? 7.5f : i;              // channel 0 constant (variance 0), channel 1 varies
            }
            Tensor x = device.fromArray(v, n, 2, 3).requiresGrad(true);
            Tensor mean = device.zeros(2);
            Tensor var = device.ones(2);
            Tensor y = F.batchNorm("NumericalRobustnessTest", x, mean, var, null, null, true, 0.1f, 1e-5f);
            float[] out = y.toArray();
            assertFinite("batch norm output", out);
            for (int i = 0; i < out.length; i++) {
                if ((i / 3) % 2 == 0) {
                    assertEquals(0f, out[i], 0f, "a constant channel normalises to 0");
                }
            }
            y.square().sum().backward();
            assertFinite("batch norm input gradient", x.grad().toArray());
            assertFinite("running variance", var.toArray());
            assertEquals(0.9f, var.toArray()[0], 1e-6f, "running variance of the constant channel: 0.9 * 1 + 0.1 * 0");
        }
    }
}
