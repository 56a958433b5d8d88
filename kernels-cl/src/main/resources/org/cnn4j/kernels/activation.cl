/*
 * activation.cl -- activations and their backward passes (OpenCL C 1.2).
 *
 * Computes, for i < n (see org.cnn4j.runtime.spi.Activation; a is the function's parameter):
 *   act_forward    y[yOff + i]   = f(x[xOff + i]; a)
 *   act_backward   dx[dxOff + i] = dy[dyOff + i] * f'(x[xOff + i], y[yOff + i]; a)
 *   RELU        y = x > 0 ? x : 0 (NaN stays NaN)      f' = x > 0 ? 1 : 0
 *   LEAKY_RELU  y = x > 0 ? x : a x                    f' = x > 0 ? 1 : a
 *   ELU         y = x > 0 ? x : a (exp(x) - 1)         f' = x > 0 ? 1 : y + a
 *   GELU        y = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2     f' = Phi(x) + x phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi)
 *   SIGMOID     y = x >= 0 ? 1 / (1 + e^-x) : e^x / (1 + e^x)  (no overflow)     f' = y (1 - y)
 *   TANH        y = tanh(x)                            f' = 1 - y^2
 * The backward of RELU reads only x: the runtime also uses it as a mask, act_backward(RELU, x = y = z),
 * "dy where z > 0". Each element is read before it is written by the same work-item, so x and y (forward)
 * and dy and dx (backward) may be the same range.
 *
 * Variants: one program per function (-D ACT), as elementwise.cl does, so that the function is fixed at
 *   compile time and the compiler can vectorise across work-items. Four consecutive elements per work-item,
 *   the last work-item guarded.
 *
 *   act_forward_vec, act_backward_vec: for CPU devices, ACT_CHUNK = 16 VW consecutive elements per work-item as
 *   floatVW vectors (the function's vector form: the same formula, branches as selects); the last, partial
 *   work-item walks its elements with the scalar form. PoCL, ReLU backward over 1.6M floats: ~2x faster than 4
 *   scalar elements per work-item (whose short-circuit || compiled to branches there).
 *
 * -D parameters:
 *   ACT   the function, one of ACT_* below (default ACT_RELU); the launcher maps the SPI enum
 *   VW    floats per vector of the *_vec kernels, 4, 8 or 16 (default 16; the launcher uses the device's width)
 *
 * Launcher: org.cnn4j.kernels.ClActivation
 */

#define ACT_RELU 0
#define ACT_LEAKY_RELU 1
#define ACT_ELU 2
#define ACT_GELU 3
#define ACT_SIGMOID 4
#define ACT_TANH 5

#ifndef ACT
#define ACT ACT_RELU
#endif

#define PER_ITEM 4

#include "vector_width.clh"
#define ACT_CHUNK (16 * VW)
#define ZERO ((floatV)(0.0f))

inline float act_f(const float x, const float a) {
#if ACT == ACT_RELU
    return x > 0.0f || isnan(x) ? x : 0.0f;
#elif ACT == ACT_LEAKY_RELU
    return x > 0.0f || isnan(x) ? x : a * x;
#elif ACT == ACT_ELU
    return x > 0.0f || isnan(x) ? x : a * expm1(x);
#elif ACT == ACT_GELU
    return 0.5f * x * (1.0f + erf(x * M_SQRT1_2_F));
#elif ACT == ACT_SIGMOID
    if (x >= 0.0f) {
        return 1.0f / (1.0f + exp(-x));
    }
    const float e = exp(x);
    return e / (1.0f + e);
#elif ACT == ACT_TANH
    return tanh(x);
#else
#error "ACT must be one of ACT_*"
#endif
}

/* dy * f'(x, y) */
inline float act_df(const float x, const float y, const float dy, const float a) {
#if ACT == ACT_RELU
    return x > 0.0f ? dy : 0.0f;
#elif ACT == ACT_LEAKY_RELU
    return x > 0.0f ? dy : a * dy;
#elif ACT == ACT_ELU
    return x > 0.0f ? dy : dy * (y + a);
#elif ACT == ACT_GELU
    const float cdf = 0.5f * (1.0f + erf(x * M_SQRT1_2_F));
    const float pdf = exp(-0.5f * x * x) * (0.5f * M_2_SQRTPI_F * M_SQRT1_2_F);   /* 1 / sqrt(2 pi) */
    return dy * (cdf + x * pdf);
#elif ACT == ACT_SIGMOID
    return dy * (y * (1.0f - y));
#elif ACT == ACT_TANH
    return dy * (1.0f - y * y);
#endif
}

/* act_f on a vector. */
inline floatV act_f_v(const floatV x, const float a) {
#if ACT == ACT_RELU
    return select(ZERO, x, isgreater(x, ZERO) | isnan(x));
#elif ACT == ACT_LEAKY_RELU
    return select(a * x, x, isgreater(x, ZERO) | isnan(x));
#elif ACT == ACT_ELU
    return select(a * expm1(x), x, isgreater(x, ZERO) | isnan(x));
#elif ACT == ACT_GELU
    return 0.5f * x * (1.0f + erf(x * M_SQRT1_2_F));
#elif ACT == ACT_SIGMOID
    const floatV e = exp(x);
    return select(e / (1.0f + e), 1.0f / (1.0f + exp(-x)), isgreaterequal(x, ZERO));
#elif ACT == ACT_TANH
    return tanh(x);
#endif
}

/* act_df on vectors. */
inline floatV act_df_v(const floatV x, const floatV y, const floatV dy, const float a) {
#if ACT == ACT_RELU
    return select(ZERO, dy, isgreater(x, ZERO));
#elif ACT == ACT_LEAKY_RELU
    return select(a * dy, dy, isgreater(x, ZERO));
#elif ACT == ACT_ELU
    return select(dy * (y + a), dy, isgreater(x, ZERO));
#elif ACT == ACT_GELU
    const floatV cdf = 0.5f * (1.0f + erf(x * M_SQRT1_2_F));
    const floatV pdf = exp(-0.5f * x * x) * (0.5f * M_2_SQRTPI_F * M_SQRT1_2_F);
    return dy * (cdf + x * pdf);
#elif ACT == ACT_SIGMOID
    return dy * (y * (1.0f - y));
#elif ACT == ACT_TANH
    return dy * (1.0f - y * y);
#endif
}

/* No barriers in these kernels, so a work-item past the end may return early. */
__kernel void act_forward(const ulong n, const float a, __global const float* x, const ulong xOff,
                          __global float* y, const ulong yOff) {
    const ulong first = get_global_id(0) * PER_ITEM;
    if (first >= n) {
        return;
    }
    const ulong last = min(n, first + PER_ITEM);
    for (ulong i = first; i < last; ++i) {
        y[yOff + i] = act_f(x[xOff + i], a);
    }
}

__kernel void act_backward(const ulong n, const float a, __global const float* x, const ulong xOff,
                           __global const float* y, const ulong yOff, __global const float* dy, const ulong dyOff,
                           __global float* dx, const ulong dxOff) {
    const ulong first = get_global_id(0) * PER_ITEM;
    if (first >= n) {
        return;
    }
    const ulong last = min(n, first + PER_ITEM);
    for (ulong i = first; i < last; ++i) {
#if ACT == ACT_RELU || ACT == ACT_LEAKY_RELU || ACT == ACT_GELU
        const float yi = 0.0f;             /* not needed: y is not read */
#else
        const float yi = y[yOff + i];
#endif
#if ACT == ACT_SIGMOID || ACT == ACT_TANH
        const float xi = 0.0f;             /* not needed: x is not read */
#else
        const float xi = x[xOff + i];
#endif
        dx[dxOff + i] = act_df(xi, yi, dy[dyOff + i], a);
    }
}

/* CPU devices: work-item g takes elements [g ACT_CHUNK, (g + 1) ACT_CHUNK); the last, partial one element by element. */
__kernel void act_forward_vec(const ulong n, const float a, __global const float* x, const ulong xOff,
                              __global float* y, const ulong yOff) {
    const ulong base = get_global_id(0) * ACT_CHUNK;
    if (base >= n) {
        return;
    }
    x += xOff + base;
    y += yOff + base;
    if (base + ACT_CHUNK <= n) {
        for (int v = 0; v < ACT_CHUNK / VW; ++v) {
            vstoreV(act_f_v(vloadV(v, x), a), v, y);
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
            y[t] = act_f(x[t], a);
        }
    }
}

__kernel void act_backward_vec(const ulong n, const float a, __global const float* x, const ulong xOff,
                               __global const float* y, const ulong yOff, __global const float* dy, const ulong dyOff,
                               __global float* dx, const ulong dxOff) {
    const ulong base = get_global_id(0) * ACT_CHUNK;
    if (base >= n) {
        return;
    }
    x += xOff + base;
    y += yOff + base;
    dy += dyOff + base;
    dx += dxOff + base;
    if (base + ACT_CHUNK <= n) {
        for (int v = 0; v < ACT_CHUNK / VW; ++v) {
#if ACT == ACT_RELU || ACT == ACT_LEAKY_RELU || ACT == ACT_GELU
            const floatV yv = ZERO;             /* not needed: y is not read */
#else
            const floatV yv = vloadV(v, y);
#endif
#if ACT == ACT_SIGMOID || ACT == ACT_TANH
            const floatV xv = ZERO;             /* not needed: x is not read */
#else
            const floatV xv = vloadV(v, x);
#endif
            vstoreV(act_df_v(xv, yv, vloadV(v, dy), a), v, dx);
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
#if ACT == ACT_RELU || ACT == ACT_LEAKY_RELU || ACT == ACT_GELU
            const float yi = 0.0f;
#else
            const float yi = y[t];
#endif
#if ACT == ACT_SIGMOID || ACT == ACT_TANH
            const float xi = 0.0f;
#else
            const float xi = x[t];
#endif
            dx[t] = act_df(xi, yi, dy[t], a);
        }
    }
}
