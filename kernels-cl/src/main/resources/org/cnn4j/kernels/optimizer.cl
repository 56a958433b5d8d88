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
 *   sgd_step_vec, adam_step_vec: for CPU devices, the same lines on floatVW vectors, OPT_CHUNK = 16 VW consecutive
 *   elements per work-item (the last, partial work-item element by element with the scalar lines). Vector sqrt
 *   and division round as the scalar ones (correctly on PoCL), so the results are the scalar kernels' bit for bit.
 *
 * -D parameters:
 *   VW         floats per vector of the *_vec kernels, 4, 8 or 16 (default 16; the launcher uses the device's width)
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

#include "vector_width.clh"
#define OPT_CHUNK (16 * VW)

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

/*
 * The *_vec kernels: work-item g takes elements [g OPT_CHUNK, (g + 1) OPT_CHUNK); the body is the scalar kernel's,
 * line for line, on vectors (a macro of the element type T, the loads L(name) and the stores S(name, value)).
 */
#define SGD_BODY(T, L, S) \
    const T pi = L(p); \
    T d = L(g); \
    if (wd != 0.0f) { \
        d = d + wd * pi; \
    } \
    SGD_MOMENTUM(T, L, S) \
    S(p, pi - lr * d);

#if MOMENTUM
#if NESTEROV
#define SGD_MOMENTUM(T, L, S) \
    const T b = first ? d : L(buf) * momentum + damp1 * d; \
    S(buf, b); \
    d = d + momentum * b;
#else
#define SGD_MOMENTUM(T, L, S) \
    const T b = first ? d : L(buf) * momentum + damp1 * d; \
    S(buf, b); \
    d = b;
#endif
#else
#define SGD_MOMENTUM(T, L, S)
#endif

#if DECOUPLED
#define ADAM_DECAY(T) pi = pi * decay;
#else
#define ADAM_DECAY(T) if (wd != 0.0f) { d = d + wd * pi; }
#endif
#if AMSGRAD
#define ADAM_MAX(T, L, S, GT, NAN_OF) \
    const T old = L(vmax); \
    vi = OPT_SELECT(vi, old, GT(old, vi) | NAN_OF(old)); \
    S(vmax, vi);
#else
#define ADAM_MAX(T, L, S, GT, NAN_OF)
#endif

#define ADAM_BODY(T, L, S, GT, NAN_OF) \
    T pi = L(p); \
    T d = L(g); \
    ADAM_DECAY(T) \
    const T mi = L(m) * beta1 + beta1c * d; \
    S(m, mi); \
    T vi = L(v) * beta2 + (beta2c * d) * d; \
    S(v, vi); \
    ADAM_MAX(T, L, S, GT, NAN_OF) \
    const T den = sqrt(vi) / bc2Sqrt + eps; \
    S(p, pi - (stepSize * mi) / den);

/* vector access to chunk vector k of buffer NAME (offset NAME##Off), scalar access to element t */
#define VL(name) vloadV(k, name + name##Off + base)
#define VS(name, value) vstoreV(value, k, name + name##Off + base)
#define SL(name) name[name##Off + base + t]
#define SS(name, value) name[name##Off + base + t] = (value)
#define VGT(a, b) isgreater(a, b)
#define SGT(a, b) ((a) > (b))
#define VNAN(a) isnan(a)
#define SNAN(a) isnan(a)

__kernel void sgd_step_vec(const ulong n, const float lr, const float momentum, const float damp1, const float wd,
                           const int first, __global float* p, const ulong pOff, __global const float* g, const ulong gOff,
                           __global float* buf, const ulong bufOff) {
    const ulong base = get_global_id(0) * OPT_CHUNK;
    if (base >= n) {
        return;
    }
    if (base + OPT_CHUNK <= n) {
        for (int k = 0; k < OPT_CHUNK / VW; ++k) {
            SGD_BODY(floatV, VL, VS)
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
            SGD_BODY(float, SL, SS)
        }
    }
}

__kernel void adam_step_vec(const ulong n, const float beta1, const float beta1c, const float beta2, const float beta2c,
                            const float eps, const float wd, const float decay, const float stepSize, const float bc2Sqrt,
                            __global float* p, const ulong pOff, __global const float* g, const ulong gOff,
                            __global float* m, const ulong mOff, __global float* v, const ulong vOff,
                            __global float* vmax, const ulong vmaxOff) {
    const ulong base = get_global_id(0) * OPT_CHUNK;
    if (base >= n) {
        return;
    }
    if (base + OPT_CHUNK <= n) {
        for (int k = 0; k < OPT_CHUNK / VW; ++k) {
#define OPT_SELECT(a, b, c) select(a, b, c)
            ADAM_BODY(floatV, VL, VS, VGT, VNAN)
#undef OPT_SELECT
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
#define OPT_SELECT(a, b, c) ((c) ? (b) : (a))
            ADAM_BODY(float, SL, SS, SGT, SNAN)
#undef OPT_SELECT
        }
    }
}
