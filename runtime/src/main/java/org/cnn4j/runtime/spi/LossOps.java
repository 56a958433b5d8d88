package org.cnn4j.runtime.spi;

/**
 * Softmax and cross-entropy over the last dimension of a {@code [rows, classes]} matrix, numerically
 * stable (the row maximum is subtracted before {@code exp}).
 * <pre>
 *   softmax:     y_j = exp(x_j - m) / sum_i exp(x_i - m),  m = max_i x_i
 *   logSoftmax:  y_j = x_j - m - log sum_i exp(x_i - m)
 *   cross-entropy with label smoothing s over K classes and target t:
 *     q_j = (1 - s) [j = t] + s / K,    loss = -sum_j q_j logSoftmax(x)_j,   dloss/dx_j = softmax(x)_j - q_j
 * </pre>
 * Targets are class indices stored as floats; a target outside {@code [0, classes)} gives a NaN loss
 * for that row (the runtime validates targets that come from the host).
 */
public interface LossOps {
    /** Row-wise softmax ({@code log = false}) or log-softmax ({@code log = true}). */
    void softmax(boolean log, int rows, int classes, DeviceMemory x, long xOff, DeviceMemory y, long yOff);

    /**
     * Backward of {@link #softmax} from its output {@code y}:
     * softmax {@code dx = y * (dy - sum(dy * y))}; log-softmax {@code dx = dy - exp(y) * sum(dy)}.
     */
    void softmaxBackward(boolean log, int rows, int classes, DeviceMemory y, long yOff, DeviceMemory dy, long dyOff,
                         DeviceMemory dx, long dxOff);

    /** Per-row loss {@code loss[r]} of cross-entropy with label smoothing {@code s}. */
    void crossEntropy(int rows, int classes, float smoothing, DeviceMemory logits, long logitsOff,
                      DeviceMemory targets, long targetsOff, DeviceMemory loss, long lossOff);

    /**
     * {@code dx[r, j] = scale[0] * (softmax(x_r)_j - q_j)}; {@code scale} is a one-element device tensor
     * (the upstream gradient divided by the batch for a mean), so no host round trip is needed.
     */
    void crossEntropyBackward(int rows, int classes, float smoothing, DeviceMemory logits, long logitsOff,
                              DeviceMemory targets, long targetsOff, DeviceMemory scale, long scaleOff,
                              DeviceMemory dx, long dxOff);
}
