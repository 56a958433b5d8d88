package org.cnn4j.runtime.spi;

/**
 * Batch normalization over {@code x: [n, c, spatial]} (spatial = H*W for 2-D, 1 for 1-D), per channel:
 * <pre>
 *   mean_c = (1 / M) sum_{i, s} x[i, c, s]       var_c = (1 / M) sum (x - mean_c)^2      M = n * spatial
 *   xhat = (x - mean_c) * invStd_c,  invStd_c = 1 / sqrt(var_c + eps)
 *   y = gamma_c * xhat + beta_c                  (gamma = 1, beta = 0 when null)
 * </pre>
 * The backward is one fused pass per channel:
 * <pre>
 *   dbeta_c = sum dy,  dgamma_c = sum dy * xhat
 *   dx = gamma_c * invStd_c * (dy - dbeta_c / M - xhat * dgamma_c / M)
 * </pre>
 */
public interface NormOps {
    /** Per-channel mean and biased variance of {@code x}, written to {@code mean[c]} and {@code var[c]}. */
    void batchNormStatistics(int n, int c, int spatial, DeviceMemory x, long xOff,
                             DeviceMemory mean, long meanOff, DeviceMemory var, long varOff);

    /**
     * {@code y = gamma * (x - mean) / sqrt(var + eps) + beta}; gamma and beta may be null.
     */
    void batchNormForward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                          DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                          DeviceMemory gamma, long gammaOff, DeviceMemory beta, long betaOff,
                          DeviceMemory y, long yOff);

    /**
     * Training-mode backward (batch statistics): writes {@code dx}, and {@code dgamma}, {@code dbeta}
     * when they are not null. {@code mean} and {@code var} are the batch statistics of the forward pass.
     * {@code dx} may be the same range as {@code dy}.
     */
    void batchNormBackward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff, DeviceMemory dy, long dyOff,
                           DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                           DeviceMemory gamma, long gammaOff, DeviceMemory dx, long dxOff,
                           DeviceMemory dgamma, long dgammaOff, DeviceMemory dbeta, long dbetaOff);

    /**
     * Batch norm followed by ReLU, {@code y = max(0, gamma * (x - mean) / sqrt(var + eps) + beta)}: the same
     * values as {@link #batchNormForward} and then ReLU, in one pass over the data where the backend fuses them.
     */
    void batchNormReluForward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                              DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                              DeviceMemory gamma, long gammaOff, DeviceMemory beta, long betaOff,
                              DeviceMemory y, long yOff);

    /**
     * Training-mode backward of {@link #batchNormReluForward}, given its output {@code y}: {@link #batchNormBackward}
     * applied to {@code dz = y > 0 ? dy : 0} (ReLU's gradient; {@code y > 0} exactly where the normalized value is),
     * so {@code dbeta = sum dz}, {@code dgamma = sum dz * xhat}. {@code dx} may be the same range as {@code dy}.
     */
    void batchNormReluBackward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                               DeviceMemory dy, long dyOff, DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                               DeviceMemory gamma, long gammaOff, DeviceMemory dx, long dxOff,
                               DeviceMemory dgamma, long dgammaOff, DeviceMemory dbeta, long dbetaOff);
}
