package org.cnn4j.runtime.spi;

/** Element-wise arithmetic and activations. Outputs are contiguous; inputs may be read through strides. */
public interface ElementwiseOps {
    /** {@code y[yOff + i] = op(x[xOff + i])} for {@code i < n}. {@code x} and {@code y} may be the same range. */
    void unary(UnaryOp op, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff);

    /**
     * {@code out[outOff + i] = a[aOff + A(i)] op b[bOff + B(i)]} for every output index {@code i} of
     * {@code aLayout.dims()} (the two layouts have the same dims; a stride of 0 broadcasts). {@code out}
     * may alias an input only when that input's layout is contiguous and not broadcast.
     */
    void binary(BinaryOp op, StridedLayout aLayout, DeviceMemory a, long aOff,
                StridedLayout bLayout, DeviceMemory b, long bOff, DeviceMemory out, long outOff);

    /**
     * With a scalar: {@code y[i] = x[i] op s}, or {@code y[i] = s op x[i]} when {@code scalarFirst}.
     * {@code x} and {@code y} may be the same range.
     */
    void scalar(BinaryOp op, long n, DeviceMemory x, long xOff, float s, boolean scalarFirst,
                DeviceMemory y, long yOff);
}
