package org.cnn4j.runtime.spi;

/** Element-wise functions of two operands {@code out = a op b}. */
public enum BinaryOp {
    /** {@code a + b} */
    ADD,
    /** {@code a - b} */
    SUB,
    /** {@code a * b} */
    MUL,
    /** {@code a / b} */
    DIV,
    /** {@code max(a, b)} */
    MAX,
    /** {@code min(a, b)} */
    MIN,
    /** {@code a ^ b}, as C's {@code powf} */
    POW
}
