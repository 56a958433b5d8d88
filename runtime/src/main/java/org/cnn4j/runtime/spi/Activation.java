package org.cnn4j.runtime.spi;

/**
 * Activation functions with a parameter {@code a} and their derivatives, as PyTorch defines them.
 * <pre>
 *   RELU        y = max(x, 0)                       dy/dx = x &gt; 0 ? 1 : 0
 *   LEAKY_RELU  y = x &gt; 0 ? x : a x                 dy/dx = x &gt; 0 ? 1 : a        (a: negative slope)
 *   ELU         y = x &gt; 0 ? x : a (exp(x) - 1)      dy/dx = x &gt; 0 ? 1 : y + a    (a: alpha)
 *   GELU        y = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2
 *               dy/dx = Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
 *   SIGMOID     y = 1 / (1 + exp(-x))               dy/dx = y (1 - y)
 *   TANH        y = tanh(x)                         dy/dx = 1 - y^2
 * </pre>
 */
public enum Activation {
    /** Rectified linear unit. */
    RELU,
    /** Leaky ReLU with negative slope {@code a}. */
    LEAKY_RELU,
    /** Exponential linear unit with {@code alpha = a}. */
    ELU,
    /** Gaussian error linear unit (exact, with erf). */
    GELU,
    /** Logistic sigmoid. */
    SIGMOID,
    /** Hyperbolic tangent. */
    TANH
}
