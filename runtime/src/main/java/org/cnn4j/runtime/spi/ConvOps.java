package org.cnn4j.runtime.spi;

/**
 * Convolution, 2-D and 3-D, with stride, zero padding, dilation and groups; see {@link ConvGeometry} for
 * the equation. The transposed convolution is {@link #convBackwardInput} run forward.
 */
public interface ConvOps {
    /** {@code y = conv(x, w) + bias}; {@code bias} may be null (no bias). */
    void convForward(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory w, long wOff,
                     DeviceMemory bias, long biasOff, DeviceMemory y, long yOff);

    /**
     * {@code dx = dL/dx} from {@code dy = dL/dy}:
     * {@code dx[n, c, i] = sum over (k, kernel taps) that read x[n, c, i] of w[k, c', tap] * dy[n, k, o]}.
     * Overwrites {@code dx}.
     */
    void convBackwardInput(ConvGeometry g, DeviceMemory dy, long dyOff, DeviceMemory w, long wOff,
                           DeviceMemory dx, long dxOff);

    /**
     * {@code dw = dL/dw = sum_{n, o} dy[n, k, o] * x[n, c, tap(o)]}. Overwrites {@code dw}.
     */
    void convBackwardWeight(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory dy, long dyOff,
                            DeviceMemory dw, long dwOff);
}
