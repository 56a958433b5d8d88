package org.cnn4j.runtime.spi;

/** Element-wise functions {@code y = f(x)}; the kernels and the CPU twin implement each the same way. */
public enum UnaryOp {
    /** {@code -x} */
    NEG,
    /** {@code |x|} */
    ABS,
    /** {@code max(x, 0)} */
    RELU,
    /** {@code 1 / (1 + exp(-x))}, computed without overflow for large {@code |x|} */
    SIGMOID,
    /** {@code tanh(x)} */
    TANH,
    /** {@code exp(x)} */
    EXP,
    /** natural logarithm {@code ln(x)} */
    LOG,
    /** {@code sqrt(x)} */
    SQRT,
    /** {@code x * x} */
    SQUARE,
    /** {@code 1 / x} */
    RECIPROCAL
}
