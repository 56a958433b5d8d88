package org.cnn4j.runtime.spi;

/**
 * Fused optimizer updates, one launch per parameter tensor, with PyTorch 1.13's formulas (the
 * {@code torch.optim} documentation's algorithms, single-tensor path). Parameters {@code p}, gradients
 * {@code g} and state buffers are device memory of {@code n} elements; hyper-parameters are scalars
 * computed on the host (no device value is read back). {@code g} is never modified.
 */
public interface OptimizerOps {
    /**
     * SGD with momentum, dampening, Nesterov and L2 weight decay:
     * <pre>
     *   d = g + weightDecay * p
     *   if momentum != 0:
     *       buf = firstStep ? d : momentum * buf + (1 - dampening) * d
     *       d   = nesterov ? d + momentum * buf : buf
     *   p = p - lr * d
     * </pre>
     * {@code buf} may be null when {@code momentum == 0}.
     */
    void sgdStep(long n, float lr, float momentum, float dampening, float weightDecay, boolean nesterov, boolean firstStep,
                 DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory buf, long bufOff);

    /**
     * AdaGrad: {@code d = g + weightDecay * p; sum += d^2; p -= clr * d / (sqrt(sum) + eps)}, where the
     * host passes {@code clr = lr / (1 + (step - 1) * lrDecay)}.
     */
    void adagradStep(long n, float clr, float weightDecay, float eps,
                     DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory sum, long sumOff);

    /**
     * RMSProp:
     * <pre>
     *   d = g + weightDecay * p
     *   sq = alpha * sq + (1 - alpha) * d^2
     *   if centered: avg = alpha * avg + (1 - alpha) * d;  den = sqrt(sq - avg^2) + eps
     *   else:        den = sqrt(sq) + eps
     *   if momentum &gt; 0: buf = momentum * buf + d / den;  p -= lr * buf
     *   else:            p -= lr * d / den
     * </pre>
     * {@code avg} may be null unless centered, {@code buf} null unless momentum &gt; 0.
     */
    void rmspropStep(long n, float lr, float alpha, float eps, float weightDecay, float momentum, boolean centered,
                     DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory sq, long sqOff,
                     DeviceMemory avg, long avgOff, DeviceMemory buf, long bufOff);

    /**
     * Adam and AdamW (decoupled weight decay, Loshchilov and Hutter 2019), with optional AMSGrad:
     * <pre>
     *   if decoupled: p = p * (1 - lr * weightDecay);  d = g      (AdamW)
     *   else:         d = g + weightDecay * p                     (Adam with L2)
     *   m = beta1 * m + (1 - beta1) * d
     *   v = beta2 * v + (1 - beta2) * d^2
     *   if amsgrad: vmax = max(vmax, v); vhat = vmax  else vhat = v
     *   p = p - (lr / bc1) * m / (sqrt(vhat) / sqrt(bc2) + eps),   bc1 = 1 - beta1^step, bc2 = 1 - beta2^step
     * </pre>
     * The host passes {@code bc1} and {@code bc2} for the step being taken (step counts from 1).
     * {@code vmax} may be null unless {@code amsgrad}.
     */
    void adamStep(long n, float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                  boolean amsgrad, float bc1, float bc2,
                  DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory m, long mOff,
                  DeviceMemory v, long vOff, DeviceMemory vmax, long vmaxOff);
}
