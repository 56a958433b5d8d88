package org.cnn4j.runtime;

import java.util.Arrays;

/**
 * The dimensions of a tensor, row-major: the last dimension varies fastest. Immutable.
 *
 * <p>Every dimension is at least 1; rank 0 is a scalar with one element. The element count must fit a
 * Java array ({@link #MAX_ELEMENTS}), since the CPU backend stores a tensor in one {@code float[]}.
 */
public final class Shape {
    /** The most elements one tensor may hold. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 16L;

    private static final Shape SCALAR = new Shape(new int[0]);

    private final int[] dims;
    private final long numel;

    private Shape(int[] dims) {
        this.dims = dims;
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        this.numel = n;
    }

    /**
     * A shape with the given dimensions.
     *
     * @throws IllegalArgumentException if a dimension is below 1 or the element count exceeds {@link #MAX_ELEMENTS}
     */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 1) {
                throw new IllegalArgumentException("Shape.of: every dimension must be >= 1, but got "
                        + Arrays.toString(dims) + " (dimension " + i + ")");
            }
            n *= dims[i];
            if (n > MAX_ELEMENTS) {
                throw new IllegalArgumentException("Shape.of: element count must be <= " + MAX_ELEMENTS
                        + ", but got more for " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    /** The rank-0 shape of a scalar. */
    public static Shape scalar() {
        return SCALAR;
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /**
     * Extent of dimension {@code i}; a negative {@code i} counts from the end, as in Python.
     *
     * @throws IllegalArgumentException if {@code i} is out of range
     */
    public int dim(int i) {
        return dims[axis(i, "Shape.dim")];
    }

    /** Number of elements: the product of the dimensions (1 for a scalar). */
    public long numel() {
        return numel;
    }

    /** A copy of the dimensions. */
    public int[] toArray() {
        return dims.clone();
    }

    /** Row-major strides in elements: {@code stride[d] = prod_{e > d} dim(e)}. */
    public long[] contiguousStrides() {
        long[] strides = new long[dims.length];
        long s = 1;
        for (int d = dims.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= dims[d];
        }
        return strides;
    }

    /** Product of the dimensions in {@code [from, to)}. */
    public long numel(int from, int to) {
        long n = 1;
        for (int d = from; d < to; d++) {
            n *= dims[d];
        }
        return n;
    }

    /**
     * Normalises an axis index (negative counts from the end) and checks its range.
     *
     * @param i the axis, in {@code [-rank, rank)}
     * @param op the op that asks, for the error message
     * @throws IllegalArgumentException if out of range
     */
    public int axis(int i, String op) {
        int a = i < 0 ? i + dims.length : i;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException(op + ": axis must be in [" + (-dims.length) + ", " + dims.length
                    + "), but got " + i + " (shape " + this + ")");
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** As PyTorch prints sizes: {@code [8, 3, 32, 32]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
