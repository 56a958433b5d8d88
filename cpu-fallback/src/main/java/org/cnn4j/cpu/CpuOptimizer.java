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

    /**
     * The update loops over one contiguous range, with the per-step scalars already computed; a state array is null
     * where the variant does not use it ({@code bs} without momentum, {@code as} unless centred, {@code xs} unless
     * AMSGrad). {@link CpuOptimizerPlain}, or {@code CpuOptimizerVector} where {@link CpuVectorSupport} enables the
     * Vector API; both give bit-identical results.
     */
    @SuppressWarnings("java:S107")
    interface Kernel {
        /** A short name for logs and test names. */
        String name();

        /** SGD; {@code damp1 = 1 - dampening}. */
        void sgd(int len, float lr, float momentum, float damp1, float weightDecay, boolean nesterov, boolean firstStep,
                 float[] ps, int po, float[] gs, int go, float[] bs, int bo);

        /** AdaGrad with the step's {@code clr}. */
        void adagrad(int len, float clr, float weightDecay, float eps, float[] ps, int po, float[] gs, int go, float[] ss, int so);

        /** RMSProp; {@code alpha1 = 1 - alpha}. */
        void rmsprop(int len, float lr, float alpha, float alpha1, float eps, float weightDecay, float momentum,
                     float[] ps, int po, float[] gs, int go, float[] qs, int qo, float[] as, int ao, float[] bs, int bo);

        /** Adam and AdamW; {@code beta1c = 1 - beta1}, {@code beta2c = 1 - beta2}, the rest as {@link #adamStepSize} etc. */
        void adam(int len, float beta1, float beta2, float beta1c, float beta2c, float eps, float weightDecay,
                  boolean decoupled, float decay, float stepSize, float bc2Sqrt, float[] ps, int po, float[] gs, int go,
                  float[] ms, int mo, float[] vs, int vo, float[] xs, int xo);
    }

    private static final Kernel BEST = CpuVectorSupport.choose("optimizer", Kernel.class, "org.cnn4j.cpu.CpuOptimizerVector",
            CpuOptimizerPlain::new);

    private final Kernel kernel;

    /** With the kernel {@link CpuVectorSupport} chooses. */
    CpuOptimizer() {
        this(BEST);
    }

    /** With {@code kernel} (tests run both). */
    CpuOptimizer(Kernel kernel) {
        this.kernel = kernel;
    }

    /** The kernel this instance runs. */
    Kernel kernel() {
        return kernel;
    }

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
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> kernel.sgd((int) (to - from), lr, momentum, damp1, weightDecay,
                nesterov, firstStep, ps, (int) (pOff + from), gs, (int) (gOff + from), bs, (int) (bufOff + from)));
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
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> kernel.adagrad((int) (to - from), clr, weightDecay, eps,
                ps, (int) (pOff + from), gs, (int) (gOff + from), ss, (int) (sumOff + from)));
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
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> kernel.rmsprop((int) (to - from), lr, alpha, alpha1, eps,
                weightDecay, momentum, ps, (int) (pOff + from), gs, (int) (gOff + from), qs, (int) (sqOff + from),
                as, (int) (avgOff + from), bs, (int) (bufOff + from)));
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
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> kernel.adam((int) (to - from), beta1, beta2, beta1c, beta2c,
                eps, weightDecay, decoupled, decay, stepSize, bc2Sqrt, ps, (int) (pOff + from), gs, (int) (gOff + from),
                ms, (int) (mOff + from), vs, (int) (vOff + from), xs, (int) (vmaxOff + from)));
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
