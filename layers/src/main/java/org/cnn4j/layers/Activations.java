package org.cnn4j.layers;

import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Activation;

/**
 * Activation layers (no parameters). Formulas and derivatives are those of {@link Activation}:
 * ReLU {@code max(x, 0)}; leaky ReLU {@code x > 0 ? x : a x}; ELU {@code x > 0 ? x : a (e^x - 1)};
 * GELU {@code x Phi(x)} (exact, with erf); sigmoid {@code 1 / (1 + e^-x)}; tanh; softmax and log-softmax
 * over the last dimension.
 */
public final class Activations {
    private Activations() {
    }

    /** ReLU. */
    public static Module relu() {
        return new Relu();
    }

    /** Whether {@code m} is a ReLU layer made by {@link #relu()} (which {@link Sequential} fuses into a batch norm before it). */
    static boolean isRelu(Module m) {
        return m instanceof Relu;
    }

    /** The ReLU layer: its own type, so that containers can recognise it. */
    private static final class Relu extends Simple {
        Relu() {
            super("ReLU", Tensor::relu);
        }
    }

    /** Sigmoid. */
    public static Module sigmoid() {
        return new Simple("Sigmoid", Tensor::sigmoid);
    }

    /** Tanh. */
    public static Module tanh() {
        return new Simple("Tanh", Tensor::tanh);
    }

    /** Leaky ReLU with negative slope {@code a} (PyTorch's default 0.01). */
    public static Module leakyRelu(float a) {
        return new Simple("LeakyReLU(" + a + ")", x -> F.activation(x, Activation.LEAKY_RELU, a));
    }

    /** ELU with {@code alpha} (PyTorch's default 1). */
    public static Module elu(float alpha) {
        return new Simple("ELU(" + alpha + ")", x -> F.activation(x, Activation.ELU, alpha));
    }

    /** GELU, exact. */
    public static Module gelu() {
        return new Simple("GELU", x -> F.activation(x, Activation.GELU, 0f));
    }

    /** Softmax over the last dimension. */
    public static Module softmax() {
        return new Simple("Softmax", F::softmax);
    }

    /** Log-softmax over the last dimension. */
    public static Module logSoftmax() {
        return new Simple("LogSoftmax", F::logSoftmax);
    }

    /** A parameter-free layer around one tensor function. */
    private static class Simple extends Module {
        private final String name;
        private final java.util.function.UnaryOperator<Tensor> f;

        Simple(String name, java.util.function.UnaryOperator<Tensor> f) {
            this.name = name;
            this.f = f;
        }

        @Override
        public Tensor forward(Tensor x) {
            return f.apply(x);
        }

        @Override
        public String typeName() {
            return name;
        }

        @Override
        public String toString() {
            return name + "()";
        }
    }
}
