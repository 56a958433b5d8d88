package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.cnn4j.layers.Activations;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Module;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code Sequential(BatchNorm2d, ReLU)} runs batch norm and ReLU as one fused op; on every device it must give,
 * bit for bit, what the two layers give when called one after the other: the output, the gradients of the input,
 * gamma and beta, and the running statistics, in training and in evaluation mode.
 */
class BatchNormReluFusionTest {
    private static final int[] SHAPE = {4, 3, 5, 6};

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void fusedLayersGiveTheResultsOfTheLayersCalledOneByOne(Device device) {
        SplittableRandom random = new SplittableRandom(77);
        float[] x = Inputs.uniform(random, SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3], -1, 2);
        float[] gamma = Inputs.uniform(random, SHAPE[1], 0.5, 1.5);
        float[] beta = Inputs.uniform(random, SHAPE[1], -0.5, 0.5);
        float[] weights = Inputs.uniform(random, x.length, -1, 1);
        try (Scope scope = Scope.open()) {
            BatchNorm2d fusedNorm = norm(device, gamma, beta);
            Sequential fused = new Sequential(fusedNorm, Activations.relu());
            BatchNorm2d plainNorm = norm(device, gamma, beta);
            Module plainRelu = Activations.relu();
            for (boolean training : new boolean[] {true, false}) {
                String mode = (training ? "training" : "evaluation") + " on " + device.spec();
                if (training) {
                    fused.train();
                    plainNorm.train();
                } else {
                    fused.eval();
                    plainNorm.eval();
                }
                Tensor xf = device.fromArray(x, SHAPE).requiresGrad(true);
                Tensor xp = device.fromArray(x, SHAPE).requiresGrad(true);
                Tensor yf = fused.forward(xf);
                Tensor yp = plainRelu.forward(plainNorm.forward(xp));
                float[] out = yf.toArray();
                assertArrayEquals(yp.toArray(), out, "output, " + mode);
                int positive = 0;
                for (float v : out) {
                    positive += v > 0 ? 1 : 0;
                }
                assertTrue(positive > 0 && positive < out.length, "the output must have zeros and positives, " + mode);
                Tensor r = device.fromArray(weights, SHAPE);
                yf.mul(r).sum().backward();
                yp.mul(r).sum().backward();
                assertArrayEquals(xp.grad().toArray(), xf.grad().toArray(), "input gradient, " + mode);
                assertArrayEquals(plainNorm.weight().grad().toArray(), fusedNorm.weight().grad().toArray(), "gamma gradient, " + mode);
                assertArrayEquals(plainNorm.bias().grad().toArray(), fusedNorm.bias().grad().toArray(), "beta gradient, " + mode);
                assertArrayEquals(plainNorm.runningMean().toArray(), fusedNorm.runningMean().toArray(), "running mean, " + mode);
                assertArrayEquals(plainNorm.runningVar().toArray(), fusedNorm.runningVar().toArray(), "running variance, " + mode);
            }
        }
    }

    private static BatchNorm2d norm(Device device, float[] gamma, float[] beta) {
        BatchNorm2d norm = new BatchNorm2d(SHAPE[1], 1e-5f, 0.1f, true, device);
        try (NoGrad off = NoGrad.enter()) {
            norm.weight().tensor().copyFrom(gamma);
            norm.bias().tensor().copyFrom(beta);
        }
        return norm;
    }
}
