package org.cnn4j.layers;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Tensor;

/**
 * Weight initializers, as {@code torch.nn.init}. For a weight of shape {@code [out, in, k...]} the
 * fans are {@code fanIn = in * prod(k)} and {@code fanOut = out * prod(k)}.
 * <pre>
 *   He (Kaiming) uniform:  U(-b, b),  b = gain * sqrt(3 / fanIn),   gain = sqrt(2 / (1 + a^2))
 *   He (Kaiming) normal:   N(0, s^2), s = gain / sqrt(fanIn)
 *   Xavier (Glorot) uniform: U(-b, b), b = gain * sqrt(6 / (fanIn + fanOut))
 *   Xavier (Glorot) normal:  N(0, s^2), s = gain * sqrt(2 / (fanIn + fanOut))
 * </pre>
 * He initialization keeps the variance of ReLU activations constant through depth (He et al., "Delving
 * deep into rectifiers", 2015); Xavier keeps it for tanh/linear units (Glorot and Bengio, 2010). Both
 * fight vanishing and exploding signals in deep networks.
 */
public final class Init {
    private Init() {
    }

    /** {@code fanIn} of a weight shape: {@code dims[1] * prod(dims[2..])} (for a vector, its length). */
    public static long fanIn(int... dims) {
        if (dims.length < 2) {
            return dims[0];
        }
        return (long) dims[1] * receptive(dims);
    }

    /** {@code fanOut} of a weight shape: {@code dims[0] * prod(dims[2..])}. */
    public static long fanOut(int... dims) {
        return (long) dims[0] * receptive(dims);
    }

    private static long receptive(int[] dims) {
        long r = 1;
        for (int i = 2; i < dims.length; i++) {
            r *= dims[i];
        }
        return r;
    }

    /** He uniform with negative slope {@code a} of the following leaky ReLU (0 for ReLU). */
    public static Tensor kaimingUniform(Device device, Generator gen, float a, int... dims) {
        double gain = Math.sqrt(2.0 / (1 + a * a));
        float bound = (float) (gain * Math.sqrt(3.0 / fanIn(dims)));
        return device.uniform(gen, -bound, bound, dims);
    }

    /** He normal with negative slope {@code a} (0 for ReLU). */
    public static Tensor kaimingNormal(Device device, Generator gen, float a, int... dims) {
        double gain = Math.sqrt(2.0 / (1 + a * a));
        return device.normal(gen, 0f, (float) (gain / Math.sqrt(fanIn(dims))), dims);
    }

    /** Xavier uniform with {@code gain} (1 for linear/sigmoid, 5/3 for tanh). */
    public static Tensor xavierUniform(Device device, Generator gen, float gain, int... dims) {
        float bound = (float) (gain * Math.sqrt(6.0 / (fanIn(dims) + fanOut(dims))));
        return device.uniform(gen, -bound, bound, dims);
    }

    /** Xavier normal with {@code gain}. */
    public static Tensor xavierNormal(Device device, Generator gen, float gain, int... dims) {
        return device.normal(gen, 0f, (float) (gain * Math.sqrt(2.0 / (fanIn(dims) + fanOut(dims)))), dims);
    }

    /** PyTorch's default for Linear and Conv weights and biases: {@code U(-1/sqrt(fanIn), 1/sqrt(fanIn))}. */
    public static Tensor pytorchDefault(Device device, Generator gen, long fanIn, int... dims) {
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        return device.uniform(gen, -bound, bound, dims);
    }

    /** A tensor of {@code value}. */
    public static Tensor constant(Device device, float value, int... dims) {
        return device.full(value, dims);
    }
}
