package org.cnn4j.optim;

import java.util.List;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;

/**
 * Gradient clipping against exploding gradients, as PyTorch 1.13's {@code clip_grad_norm_} and
 * {@code clip_grad_value_}. Everything stays on the device: the norm and the scale factor are
 * one-element device tensors, so clipping adds no host round trip to a training step.
 */
public final class GradClip {
    private GradClip() {
    }

    /**
     * Rescales all gradients together so that their global norm is at most {@code maxNorm}:
     * <pre>
     *   total = (sum_p ||g_p||_q^q)^(1/q)   (q = 2; q = infinity: max_p max |g_p|)
     *   g_p = g_p * min(maxNorm / (total + 1e-6), 1)
     * </pre>
     *
     * @param normType 2 or {@link Double#POSITIVE_INFINITY}
     * @return the total norm before clipping, as a one-element tensor (owned by the caller's scope)
     */
    public static Tensor clipGradNorm(List<Parameter> params, double maxNorm, double normType) {
        if (!(maxNorm >= 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("GradClip.clipGradNorm: maxNorm must be finite and >= 0, but got " + maxNorm);
        }
        if (normType != 2 && normType != Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("GradClip.clipGradNorm: normType must be 2 or infinity, but got " + normType);
        }
        List<Tensor> grads = params.stream().map(Parameter::grad).filter(g -> g != null).toList();
        if (grads.isEmpty()) {
            return (params.isEmpty() ? org.cnn4j.runtime.Device.defaultDevice() : params.get(0).tensor().device()).scalar(0f);
        }
        try (NoGrad off = NoGrad.enter()) {
            Tensor total;
            try (Scope inner = Scope.open()) {
                Tensor acc = null;
                for (Tensor g : grads) {
                    Tensor part = normType == 2 ? g.square().sum() : g.abs().max();
                    acc = acc == null ? part : normType == 2 ? acc.add(part) : acc.maximum(part);
                }
                total = inner.detach(normType == 2 ? acc.sqrt() : acc);
                Tensor coef = total.add(1e-6f).rdiv((float) maxNorm).clampMax(1f);
                for (Tensor g : grads) {
                    g.copyFrom(g.mul(coef));
                }
            }
            return total;
        }
    }

    /** Clamps every gradient element to {@code [-clipValue, clipValue]}. */
    public static void clipGradValue(List<Parameter> params, double clipValue) {
        if (!(clipValue >= 0) || Double.isInfinite(clipValue)) {
            throw new IllegalArgumentException("GradClip.clipGradValue: clipValue must be finite and >= 0, but got " + clipValue);
        }
        float c = (float) clipValue;
        try (NoGrad off = NoGrad.enter(); Scope inner = Scope.open()) {
            for (Parameter p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    g.copyFrom(g.clampMin(-c).clampMax(c));
                }
            }
        }
    }
}
