package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.OptimizerOps;

/**
 * Fused optimizer updates on the CPU, element-wise in parallel over contiguous chunks, with the
 * formulas of {@link OptimizerOps} evaluated in float in PyTorch 1.13's order (its single-tensor
 * {@code torch.optim} code, one tensor op per line):
 * <pre>
 *   all        d = weightDecay != 0 ? g + weightDecay * p : g      (skipped at 0, as PyTorch does)
 *   SGD        buf = firstStep ? d : buf * momentum + (1 - dampening) * d
 *              d = nesterov ? d + momentum * buf : buf;   p = p - lr * d
 *   AdaGrad    sum = sum + d * d;   p = p - (clr * d) / (sqrt(sum) + eps)
 *   RMSProp    sq = sq * alpha + ((1 - alpha) * d) * d
 *              centered: avg = avg * alpha + (1 - alpha) * d;  den = sqrt(sq - avg * avg) + eps
 *              else:     den = sqrt(sq) + eps
 *              momentum &gt; 0: buf = buf * momentum + d / den;  p = p - lr * buf
 *              else:         p = p - (lr * d) / den
 *   Adam       decoupled: p = p * decay, decay = 1 - lr * weightDecay;  d = g
 *              m = m * beta1 + (1 - beta1) * d;   v = v * beta2 + ((1 - beta2) * d) * d
 *              vhat = amsgrad ? (vmax = max(vmax, v)) : v
 *              p = p - (stepSize * m) / (sqrt(vhat) / bc2Sqrt + eps),  stepSize = lr / bc1, bc2Sqrt = sqrt(bc2)
 * </pre>
 * {@code addcmul(t1, t2, value)} is {@code (value * t1) * t2} in PyTorch's kernels, hence the grouping of
 * the squared terms. Each line rounds once per operation: Java float arithmetic is never fused, and
 * {@code (float) Math.sqrt(x)} is the correctly rounded float square root. The per-step scalars PyTorch
 * computes in Python double ({@code lr / bc1}, {@code sqrt(bc2)}, {@code 1 - lr * weightDecay}) are computed
 * here in double from the float arguments and rounded once to float, as PyTorch rounds them when it passes
 * them to a float kernel; {@code 1 - beta} and {@code 1 - dampening} are float differences, which round the
 * exact difference once. The OpenCL backend ({@code optimizer.cl}) uses the same scalars and order.
 * Every element is read and written by one thread; {@code g} is never written.
 */
final class CpuOptimizer implements OptimizerOps {
    /** Ranges shorter than this run on the calling thread. */
    private static final long GRAIN = 1L << 14;

    @Override
    public void sgdStep(long n, float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
                        boolean firstStep, DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory buf, long bufOff) {
        boolean useMomentum = momentum != 0f;
        require(!useMomentum || buf != null, "sgdStep", "buf", "momentum != 0", "momentum=" + momentum, n);
        if (n <= 0) {
            return;
        }
        float[] ps = CpuMemory.array(p);
        float[] gs = CpuMemory.array(g);
        float[] bs = useMomentum ? CpuMemory.array(buf) : null;
        float damp1 = 1f - dampening;
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> {
            int len = (int) (to - from);
            int po = (int) (pOff + from);
            int go = (int) (gOff + from);
            int bo = (int) (bufOff + from);
            for (int i = 0; i < len; i++) {
                float pi = ps[po + i];
                float d = gs[go + i];
                if (weightDecay != 0f) {
                    d = d + weightDecay * pi;
                }
                if (useMomentum) {
                    float b = firstStep ? d : bs[bo + i] * momentum + damp1 * d;
                    bs[bo + i] = b;
                    d = nesterov ? d + momentum * b : b;
                }
                ps[po + i] = pi - lr * d;
            }
        });
    }

    @Override
    public void adagradStep(long n, float clr, float weightDecay, float eps, DeviceMemory p, long pOff,
                            DeviceMemory g, long gOff, DeviceMemory sum, long sumOff) {
        require(sum != null, "adagradStep", "sum", null, null, n);
        if (n <= 0) {
            return;
        }
        float[] ps = CpuMemory.array(p);
        float[] gs = CpuMemory.array(g);
        float[] ss = CpuMemory.array(sum);
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> {
            int len = (int) (to - from);
            int po = (int) (pOff + from);
            int go = (int) (gOff + from);
            int so = (int) (sumOff + from);
            for (int i = 0; i < len; i++) {
                float pi = ps[po + i];
                float d = gs[go + i];
                if (weightDecay != 0f) {
                    d = d + weightDecay * pi;
                }
                float s = ss[so + i] + d * d;
                ss[so + i] = s;
                float std = (float) Math.sqrt(s) + eps;
                ps[po + i] = pi - clr * d / std;
            }
        });
    }

    @Override
    public void rmspropStep(long n, float lr, float alpha, float eps, float weightDecay, float momentum, boolean centered,
                            DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory sq, long sqOff,
                            DeviceMemory avg, long avgOff, DeviceMemory buf, long bufOff) {
        boolean useMomentum = momentum > 0f;
        require(sq != null, "rmspropStep", "sq", null, null, n);
        require(!centered || avg != null, "rmspropStep", "avg", "centered", "centered=true", n);
        require(!useMomentum || buf != null, "rmspropStep", "buf", "momentum > 0", "momentum=" + momentum, n);
        if (n <= 0) {
            return;
        }
        float[] ps = CpuMemory.array(p);
        float[] gs = CpuMemory.array(g);
        float[] qs = CpuMemory.array(sq);
        float[] as = centered ? CpuMemory.array(avg) : null;
        float[] bs = useMomentum ? CpuMemory.array(buf) : null;
        float alpha1 = 1f - alpha;
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> {
            int len = (int) (to - from);
            int po = (int) (pOff + from);
            int go = (int) (gOff + from);
            int qo = (int) (sqOff + from);
            int ao = (int) (avgOff + from);
            int bo = (int) (bufOff + from);
            for (int i = 0; i < len; i++) {
                float pi = ps[po + i];
                float d = gs[go + i];
                if (weightDecay != 0f) {
                    d = d + weightDecay * pi;
                }
                float s = qs[qo + i] * alpha + alpha1 * d * d;
                qs[qo + i] = s;
                float den;
                if (centered) {
                    float a = as[ao + i] * alpha + alpha1 * d;
                    as[ao + i] = a;
                    den = (float) Math.sqrt(s - a * a) + eps;
                } else {
                    den = (float) Math.sqrt(s) + eps;
                }
                if (useMomentum) {
                    float b = bs[bo + i] * momentum + d / den;
                    bs[bo + i] = b;
                    ps[po + i] = pi - lr * b;
                } else {
                    ps[po + i] = pi - lr * d / den;
                }
            }
        });
    }

    @Override
    public void adamStep(long n, float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                         boolean amsgrad, float bc1, float bc2, DeviceMemory p, long pOff, DeviceMemory g, long gOff,
                         DeviceMemory m, long mOff, DeviceMemory v, long vOff, DeviceMemory vmax, long vmaxOff) {
        require(m != null, "adamStep", "m", null, null, n);
        require(v != null, "adamStep", "v", null, null, n);
        require(!amsgrad || vmax != null, "adamStep", "vmax", "amsgrad", "amsgrad=true", n);
        if (n <= 0) {
            return;
        }
        float[] ps = CpuMemory.array(p);
        float[] gs = CpuMemory.array(g);
        float[] ms = CpuMemory.array(m);
        float[] vs = CpuMemory.array(v);
        float[] xs = amsgrad ? CpuMemory.array(vmax) : null;
        float beta1c = 1f - beta1;
        float beta2c = 1f - beta2;
        float decay = adamWDecay(lr, weightDecay);
        float stepSize = adamStepSize(lr, bc1);
        float bc2Sqrt = adamBc2Sqrt(bc2);
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> {
            int len = (int) (to - from);
            int po = (int) (pOff + from);
            int go = (int) (gOff + from);
            int mo = (int) (mOff + from);
            int vo = (int) (vOff + from);
            int xo = (int) (vmaxOff + from);
            for (int i = 0; i < len; i++) {
                float pi = ps[po + i];
                float d = gs[go + i];
                if (decoupled) {
                    pi = pi * decay;
                } else if (weightDecay != 0f) {
                    d = d + weightDecay * pi;
                }
                float mi = ms[mo + i] * beta1 + beta1c * d;
                ms[mo + i] = mi;
                float vi = vs[vo + i] * beta2 + beta2c * d * d;
                vs[vo + i] = vi;
                if (amsgrad) {
                    vi = Math.max(xs[xo + i], vi); // NaN propagates, as torch.maximum
                    xs[xo + i] = vi;
                }
                float den = (float) Math.sqrt(vi) / bc2Sqrt + eps;
                ps[po + i] = pi - stepSize * mi / den;
            }
        });
    }

    /** AdamW's factor {@code 1 - lr * weightDecay}, in double (as PyTorch's Python scalars) rounded once. */
    static float adamWDecay(float lr, float weightDecay) {
        return (float) (1.0 - (double) lr * weightDecay);
    }

    /** Adam's {@code lr / bc1}, in double rounded once. */
    static float adamStepSize(float lr, float bc1) {
        return (float) ((double) lr / bc1);
    }

    /** Adam's {@code sqrt(bc2)}, in double rounded once. */
    static float adamBc2Sqrt(float bc2) {
        return (float) Math.sqrt(bc2);
    }

    private static void require(boolean ok, String method, String buffer, String when, String context, long n) {
        if (!ok) {
            throw new IllegalArgumentException("CpuOptimizer." + method + ": " + buffer + " must be non-null"
                    + (when == null ? "" : " when " + when) + ", but got null (" + (context == null ? "" : context + ", ")
                    + "n=" + n + ")");
        }
    }
}
