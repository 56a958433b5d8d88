package org.cnn4j.checkpoint;

import java.util.Arrays;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Tensor;

/**
 * A float32 tensor held in host memory, as a checkpoint stores it: a shape and its row-major data.
 * Immutable: the constructor and the accessors copy.
 */
public final class HostTensor {
    private final int[] shape;
    private final float[] data;

    /**
     * A host tensor with {@code shape} (every dimension >= 0; an empty shape is a scalar) and {@code data}.
     *
     * @throws IllegalArgumentException if a dimension is negative or the data length is not the element count
     */
    public HostTensor(int[] shape, float[] data) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException("HostTensor: every dimension must be >= 0, but got "
                        + Arrays.toString(shape) + " (dimension " + i + ")");
            }
            n *= shape[i];
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("HostTensor: element count must be <= " + Integer.MAX_VALUE
                        + ", but got more for " + Arrays.toString(shape));
            }
        }
        if (data.length != n) {
            throw new IllegalArgumentException("HostTensor: data length must equal the element count of "
                    + Arrays.toString(shape) + " (" + n + "), but got " + data.length);
        }
        this.shape = shape.clone();
        this.data = data.clone();
    }

    /** A host copy of {@code t} (one device-to-host transfer). */
    public static HostTensor of(Tensor t) {
        return new HostTensor(t.shape().toArray(), t.toArray());
    }

    /** The dimensions (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** The row-major values (a copy). */
    public float[] data() {
        return data.clone();
    }

    /** Number of elements. */
    public int numel() {
        return data.length;
    }

    int[] shapeNoCopy() {
        return shape;
    }

    float[] dataNoCopy() {
        return data;
    }

    /** A new tensor on {@code device} holding these values; it belongs to the current scope, if any. */
    public Tensor toTensor(Device device) {
        return device.fromArray(data, shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor h && Arrays.equals(shape, h.shape) && Arrays.equals(data, h.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape);
    }
}
