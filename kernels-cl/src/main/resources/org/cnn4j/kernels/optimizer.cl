/*
 * optimizer.cl -- fused optimizer updates, one launch per parameter tensor (OpenCL C 1.2).
 *
 * Computes, for i < n, on p[pOff + i], g[gOff + i] and the state buffers at their offsets, the formulas of
 * org.cnn4j.runtime.spi.OptimizerOps in PyTorch 1.13's order (single-tensor torch.optim, one tensor op per line):
 *   all           d = wd != 0 ? g + wd * p : g                       (skipped at 0, as PyTorch does)
 *   sgd_step      buf = first ? d : buf * momentum + damp1 * d,       damp1 = 1 - dampening
 *                 d = NESTEROV ? d + momentum * buf : buf;   p = p - lr * d
 *   adagrad_step  sum = sum + d * d;   p = p - (clr * d) / (sqrt(sum) + eps)
 *   rmsprop_step  sq = sq * alpha + (alpha1 * d) * d,                  alpha1 = 1 - alpha
 *                 CENTERED: avg = avg * alpha + alpha1 * d;  den = sqrt(sq - avg * avg) + eps
 *                 else:     den = sqrt(sq) + eps
 *                 MOMENTUM: buf = buf * momentum + d / den;  p = p - lr * buf
 *                 else:     p = p - (lr * d) / den
 *   adam_step     DECOUPLED: p = p * decay (decay = 1 - lr * wd);  d = g     (AdamW)
 *                 m = m * beta1 + beta1c * d;   v = v * beta2 + (beta2c * d) * d,   beta1c = 1 - beta1, ...
 *                 AMSGRAD: vmax = max(vmax, v) (NaN propagates, as torch.maximum);  vhat = AMSGRAD ? vmax : v
 *                 p = p - (stepSize * m) / (sqrt(vhat) / bc2Sqrt + eps),   stepSize = lr / bc1, bc2Sqrt = sqrt(bc2)
 * The grouping of the squared terms is PyTorch's addcmul, (value * t1) * t2. Every scalar (damp1, alpha1,
 * beta1c, beta2c, decay, stepSize, bc2Sqrt) is computed by the launcher on the host exactly as the CPU backend
 * computes it, so with FP_CONTRACT off (no fused multiply-add) every line rounds as Java float arithmetic does;
 * results then equal org.cnn4j.cpu.CpuOptimizer's bit for bit wherever the device's sqrt and division are
 * correctly rounded (OpenCL 1.2 allows 3 and 2.5 ulp without -cl-fp32-correctly-rounded-divide-sqrt).
 * g is only read; each element is read and written by one work-item. A state buffer the variant does not use
 * (buf without MOMENTUM, avg without CENTERED, vmax without AMSGRAD) is never touched: the launcher passes
 * another buffer in its place.
 *
 * Variants: the per-configuration booleans are -D defines, so each optimizer configuration is one cached
 *   program and the kernels carry no dead branches; first (SGD's first step with momentum) and wd changing to
 *   zero are run-time values, uniform across the launch. Each work-item takes elements gid, gid + G, gid + 2G,
 *   ... (G the global size; the launcher sizes it to about n / 4), so neighbouring work-items touch
 *   neighbouring elements (coalesced on GPUs, vectorisable across work-items on CPUs).
 *
 * -D parameters:
 *   MOMENTUM   1: sgd_step and rmsprop_step keep a momentum buffer (default 0)
 *   NESTEROV   1: sgd_step uses Nesterov momentum; needs MOMENTUM (default 0)
 *   CENTERED   1: rmsprop_step keeps the gradient average and centres the second moment (default 0)
 *   AMSGRAD    1: adam_step keeps the running maximum of v (default 0)
 *   DECOUPLED  1: adam_step decays p before the update (AdamW) instead of adding wd * p to g (default 0)
 *
 * Launcher: org.cnn4j.kernels.ClOptimizer
 */

#pragma OPENCL FP_CONTRACT OFF

#ifndef MOMENTUM
#define MOMENTUM 0
#endif
#ifndef NESTEROV
#define NESTEROV 0
#endif
#ifndef CENTERED
#define CENTERED 0
#endif
#ifndef AMSGRAD
#define AMSGRAD 0
#endif
#ifndef DECOUPLED
#define DECOUPLED 0
#endif

#if NESTEROV && !MOMENTUM
#error "NESTEROV needs MOMENTUM"
#endif

/* No barriers in these kernels, so a work-item past the end simply does not enter its loop. */

__kernel void sgd_step(const ulong n, const float lr, const float momentum, const float damp1, const float wd,
                       const int first, __global float* p, const ulong pOff, __global const float* g, const ulong gOff,
                       __global float* buf, const ulong bufOff) {
    const ulong stride = get_global_size(0);
    for (ulong i = get_global_id(0); i < n; i += stride) {
        const float pi = p[pOff + i];
        float d = g[gOff + i];
        if (wd != 0.0f) {
            d = d + wd * pi;
        }
#if MOMENTUM
        const float b = first ? d : buf[bufOff + i] * momentum + damp1 * d;
        buf[bufOff + i] = b;
#if NESTEROV
        d = d + momentum * b;
#else
        d = b;
#endif
#endif
        p[pOff + i] = pi - lr * d;
    }
}

__kernel void adagrad_step(const ulong n, const float clr, const float wd, const float eps,
                           __global float* p, const ulong pOff, __global const float* g, const ulong gOff,
                           __global float* sum, const ulong sumOff) {
    const ulong stride = get_global_size(0);
    for (ulong i = get_global_id(0); i < n; i += stride) {
        const float pi = p[pOff + i];
        float d = g[gOff + i];
        if (wd != 0.0f) {
            d = d + wd * pi;
        }
        const float s = sum[sumOff + i] + d * d;
        sum[sumOff + i] = s;
        const float std = sqrt(s) + eps;
        p[pOff + i] = pi - (clr * d) / std;
    }
}

__kernel void rmsprop_step(const ulong n, const float lr, const float alpha, const float alpha1, const float eps,
                           const float wd, const float momentum,
                           __global float* p, const ulong pOff, __global const float* g, const ulong gOff,
                           __global float* sq, const ulong sqOff, __global float* avg, const ulong avgOff,
                           __global float* buf, const ulong bufOff) {
    const ulong stride = get_global_size(0);
    for (ulong i = get_global_id(0); i < n; i += stride) {
        const float pi = p[pOff + i];
        float d = g[gOff + i];
        if (wd != 0.0f) {
            d = d + wd * pi;
        }
        const float s = sq[sqOff + i] * alpha + (alpha1 * d) * d;
        sq[sqOff + i] = s;
#if CENTERED
        const float a = avg[avgOff + i] * alpha + alpha1 * d;
        avg[avgOff + i] = a;
        const float den = sqrt(s - a * a) + eps;
#else
        const float den = sqrt(s) + eps;
#endif
#if MOMENTUM
        const float b = buf[bufOff + i] * momentum + d / den;
        buf[bufOff + i] = b;
        p[pOff + i] = pi - lr * b;
#else
        p[pOff + i] = pi - (lr * d) / den;
#endif
    }
}

__kernel void adam_step(const ulong n, const float beta1, const float beta1c, const float beta2, const float beta2c,
                        const float eps, const float wd, const float decay, const float stepSize, const float bc2Sqrt,
                        __global float* p, const ulong pOff, __global const float* g, const ulong gOff,
                        __global float* m, const ulong mOff, __global float* v, const ulong vOff,
                        __global float* vmax, const ulong vmaxOff) {
    const ulong stride = get_global_size(0);
    for (ulong i = get_global_id(0); i < n; i += stride) {
        float pi = p[pOff + i];
        float d = g[gOff + i];
#if DECOUPLED
        pi = pi * decay;
#else
        if (wd != 0.0f) {
            d = d + wd * pi;
        }
#endif
        const float mi = m[mOff + i] * beta1 + beta1c * d;
        m[mOff + i] = mi;
        float vi = v[vOff + i] * beta2 + (beta2c * d) * d;
        v[vOff + i] = vi;
#if AMSGRAD
        const float old = vmax[vmaxOff + i];
        vi = (old > vi || isnan(old)) ? old : vi;
        vmax[vmaxOff + i] = vi;
#endif
        const float den = sqrt(vi) / bc2Sqrt + eps;
        p[pOff + i] = pi - (stepSize * mi) / den;
    }
}
