package org.cnn4j.runtime;

/** Argument checks that produce the house error format: {@code <op>: <what> must <constraint>, but got <actual>}. */
public final class Checks {
    private Checks() {
    }

    /** Fails unless {@code value} is finite. */
    public static void finite(String op, String what, float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException(op + ": " + what + " must be finite, but got " + value);
        }
    }

    /** Fails unless {@code value >= 1}. */
    public static void positive(String op, String what, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(op + ": " + what + " must be >= 1, but got " + value);
        }
    }

    /** Fails unless both tensors live on the same device. */
    public static void sameDevice(String op, Tensor a, Tensor b) {
        if (a.device() != b.device()) {
            throw new IllegalArgumentException(op + ": tensors must be on the same device, but got "
                    + a.device().spec() + " and " + b.device().spec());
        }
    }

    /** Fails unless the tensor has exactly {@code shape}. */
    public static void shape(String op, String what, Tensor t, Shape shape) {
        if (!t.shape().equals(shape)) {
            throw new IllegalArgumentException(op + ": " + what + " must have shape " + shape + ", but got " + t.shape());
        }
    }
}
