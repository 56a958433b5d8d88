package org.cnn4j.runtime.spi;

/** Reductions along one axis. */
public enum ReduceOp {
    /** {@code sum_k x[k]} */
    SUM,
    /** {@code (1 / K) sum_k x[k]} */
    MEAN,
    /** {@code max_k x[k]} (NaN if any element is NaN) */
    MAX,
    /** {@code min_k x[k]} (NaN if any element is NaN) */
    MIN
}
