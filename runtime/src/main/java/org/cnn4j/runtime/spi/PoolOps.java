package org.cnn4j.runtime.spi;

/**
 * Pooling over {@link PoolGeometry} windows. Backward passes are written as gathers (each input
 * element sums the gradients of the windows that chose or cover it), so they need no atomics and are
 * deterministic.
 */
public interface PoolOps {
    /**
     * {@code y[p, o] = max over the window of x[p, i]}; {@code argmax[p, o]} receives the flat index
     * {@code (d * H + h) * W + w} of the first maximum within the plane (as a float; NaN counts as the
     * maximum). Padding never wins.
     */
    void maxPoolForward(PoolGeometry g, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                        DeviceMemory argmax, long argmaxOff);

    /** {@code dx[p, i] = sum of dy[p, o] over windows o whose argmax is i}. Overwrites {@code dx}. */
    void maxPoolBackward(PoolGeometry g, DeviceMemory dy, long dyOff, DeviceMemory argmax, long argmaxOff,
                         DeviceMemory dx, long dxOff);

    /**
     * {@code y[p, o] = (1 / count) * sum over the window of x}; {@code count} is the window size
     * including padding when {@code countIncludePad}, else the number of input elements inside it.
     */
    void avgPoolForward(PoolGeometry g, boolean countIncludePad, DeviceMemory x, long xOff, DeviceMemory y, long yOff);

    /** {@code dx[p, i] = sum over windows o covering i of dy[p, o] / count(o)}. Overwrites {@code dx}. */
    void avgPoolBackward(PoolGeometry g, boolean countIncludePad, DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff);

    /**
     * Adaptive average pooling, as PyTorch: output cell {@code o} of extent {@code out} over input extent
     * {@code in} averages {@code [floor(o * in / out), ceil((o + 1) * in / out))} in each dimension.
     * Only {@code planes}, the input and the output sizes of {@code g} are used.
     */
    void adaptiveAvgPoolForward(PoolGeometry g, DeviceMemory x, long xOff, DeviceMemory y, long yOff);

    /** Gradient of {@link #adaptiveAvgPoolForward}. Overwrites {@code dx}. */
    void adaptiveAvgPoolBackward(PoolGeometry g, DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff);
}
