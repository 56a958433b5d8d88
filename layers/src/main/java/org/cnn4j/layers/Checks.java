package org.cnn4j.layers;

import java.util.Arrays;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;

/** Argument checks in the house format: {@code <Layer>.<method>: <what> must <constraint>, but got <actual>}. */
final class Checks {
    private Checks() {
    }

    static void rank(String op, String what, Tensor t, int rank, String layout) {
        t.checkOpen(op);
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": " + what + " must have shape " + layout + ", but got " + t.shape());
        }
    }

    /**
     * Fails unless every non-null tensor is open ({@link IllegalStateException}) and on the device of the first one
     * ({@link IllegalArgumentException}), before any kernel runs.
     */
    static void openOnOneDevice(String op, Tensor first, Tensor... others) {
        first.checkOpen(op);
        for (Tensor t : others) {
            if (t != null) {
                t.checkOpen(op);
            }
        }
        for (Tensor t : others) {
            if (t != null) {
                org.cnn4j.runtime.Checks.sameDevice(op, first, t);
            }
        }
    }

    /** Fails unless {@code v} has exactly {@code n} values. */
    static void length(String op, String what, int[] v, int n) {
        if (v.length != n) {
            throw new IllegalArgumentException(op + ": " + what + " must have " + n + " values, but got " + Arrays.toString(v));
        }
    }

    /** Fails unless a tensor of {@code dims} (each >= 1) holds at most {@link Shape#MAX_ELEMENTS} elements. */
    static void elements(String op, String what, long... dims) {
        long n = 1;
        for (long d : dims) {
            n = d > Shape.MAX_ELEMENTS || n * d > Shape.MAX_ELEMENTS ? Shape.MAX_ELEMENTS + 1 : n * d;
        }
        if (n > Shape.MAX_ELEMENTS) {
            throw new IllegalArgumentException(op + ": " + what + " must have at most " + Shape.MAX_ELEMENTS
                    + " elements, but got shape " + Arrays.toString(dims));
        }
    }

    /**
     * Fails unless a spatial extent plus its padding, {@code in + before + after}, fits an {@code int} (the kernels
     * index in {@code int}); returns it.
     */
    static long padded(String op, long in, long before, long after) {
        long padded = in + before + after;
        if (padded > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": input extent plus padding must be <= " + Integer.MAX_VALUE
                    + ", but got " + in + " + " + before + " + " + after);
        }
        return padded;
    }

    static void positive(String op, String what, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(op + ": " + what + " must be >= 1, but got " + value);
        }
    }

    static int[] pair(String op, String what, int... v) {
        if (v.length == 1) {
            return new int[] {v[0], v[0]};
        }
        if (v.length != 2) {
            throw new IllegalArgumentException(op + ": " + what + " must have 1 or 2 values, but got " + v.length);
        }
        return v.clone();
    }

    /**
     * Checks convolution arguments for {@code n} spatial dimensions: kernel sizes (the trailing {@code n}
     * entries of {@code weightOrKernel}), strides and dilations >= 1, {@code 2n} paddings >= 0.
     */
    static void convArgs(String op, int[] weightOrKernel, int[] stride, int[] padding, int[] dilation, int n) {
        if (weightOrKernel.length < n || stride.length != n || padding.length != 2 * n || dilation.length != n) {
            throw new IllegalArgumentException(op + ": kernel, stride and dilation must have " + n + " values and padding "
                    + 2 * n + ", but got kernel=" + java.util.Arrays.toString(weightOrKernel) + ", stride="
                    + java.util.Arrays.toString(stride) + ", padding=" + java.util.Arrays.toString(padding) + ", dilation="
                    + java.util.Arrays.toString(dilation));
        }
        for (int i = 0; i < n; i++) {
            positive(op, "kernel size", weightOrKernel[weightOrKernel.length - n + i]);
            positive(op, "stride", stride[i]);
            positive(op, "dilation", dilation[i]);
        }
        for (int v : padding) {
            if (v < 0) {
                throw new IllegalArgumentException(op + ": padding must be >= 0, but got " + java.util.Arrays.toString(padding));
            }
        }
    }

    /**
     * Checks pooling arguments: 2 kernel sizes and strides >= 1, 2 paddings in {@code [0, kernel / 2]}.
     */
    static void poolArgs(String op, int[] kernel, int[] stride, int[] padding) {
        length(op, "kernel", kernel, 2);
        length(op, "stride", stride, 2);
        length(op, "padding", padding, 2);
        for (int i = 0; i < 2; i++) {
            positive(op, "kernel size", kernel[i]);
            positive(op, "stride", stride[i]);
            if (padding[i] < 0 || 2L * padding[i] > kernel[i]) {
                throw new IllegalArgumentException(op + ": padding must be in [0, kernel / 2], but got padding "
                        + java.util.Arrays.toString(padding) + " for kernel " + java.util.Arrays.toString(kernel));
            }
        }
    }
}
