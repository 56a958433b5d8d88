/*
 * elementwise.cl -- element-wise arithmetic and activations (OpenCL C 1.2).
 *
 * Computes, for every output index i < n:
 *   ew_unary           y[yOff + i]     = f(x[xOff + i])
 *   ew_scalar          y[yOff + i]     = x[xOff + i] op s         (scalarFirst == 0)
 *                      y[yOff + i]     = s op x[xOff + i]         (scalarFirst != 0)
 *   ew_binary          out[outOff + i] = a[aOff + i] op b[bOff + i]
 *   ew_binary_strided  out[outOff + i] = a[aOff + A(i)] op b[bOff + B(i)],
 *                      A(i) = sum_d c_d(i) * aStrides[d], (c_0, ..., c_7) the row-major coordinates of i in dims
 *
 * f: NEG -x, ABS |x|, RELU max(x, 0) (NaN stays NaN), SIGMOID x >= 0 ? 1 / (1 + e^-x) : e^x / (1 + e^x),
 *    TANH, EXP, LOG ln x, SQRT, SQUARE x * x, RECIPROCAL 1 / x.
 * op: ADD, SUB, MUL, DIV, MAX and MIN (NaN if either operand is NaN), POW pow(a, b).
 * The op is a compile-time define (UNARY_OP, BINARY_OP), so each program computes one function and the
 * compiler can vectorise it; a runtime switch costs about 5x on CPU devices (PoCL: 35 ms vs 7 ms for a
 * ReLU over 16M floats). Op codes are the UN_* and BIN_* values below; the launcher maps the SPI enums.
 *
 * Variants: contiguous (ew_unary, ew_scalar, ew_binary: four consecutive elements per work-item, a guarded
 *   tail on the last) and strided (ew_binary_strided: rank <= 8, dims right-aligned in an int8 with unused
 *   leading dims 1 and strides 0, IPW consecutive outputs per work-item). x and y (or an input and out) may
 *   be the same range on the contiguous variants: every element is read before it is written by the same
 *   work-item.
 *
 *   ew_unary_vec, ew_scalar_vec, ew_binary_vec: the contiguous kernels for CPU devices. A work-item takes
 *   EW_CHUNK = 16 VW consecutive elements as 16 floatVW loads, computes the op on whole vectors (the function's
 *   vector form below: the same formula, with select for its branches), and the last, partial work-item walks its
 *   elements one by one with the scalar form. PoCL, 1.6M floats: ReLU 1.0 ms -> 0.3 ms (the scalar kernels' 4
 *   elements per work-item do not vectorise across work-items there).
 *
 * -D parameters:
 *   VW          floats per vector of the *_vec kernels, 4, 8 or 16 (default 16; the launcher uses the device's width)
 *   UNARY_OP    the function of ew_unary, one of UN_* (default UN_NEG)
 *   BINARY_OP   the operator of ew_scalar, ew_binary and ew_binary_strided, one of BIN_* (default BIN_ADD)
 *   IPW         outputs per work-item in ew_binary_strided (default 4; the launcher sets 64 on CPU devices,
 *               where it amortises the index divisions, and 1 elsewhere, for coalesced stores)
 *
 * Launcher: org.cnn4j.kernels.ClElementwise
 */

#define UN_NEG 0
#define UN_ABS 1
#define UN_RELU 2
#define UN_SIGMOID 3
#define UN_TANH 4
#define UN_EXP 5
#define UN_LOG 6
#define UN_SQRT 7
#define UN_SQUARE 8
#define UN_RECIPROCAL 9

#define BIN_ADD 0
#define BIN_SUB 1
#define BIN_MUL 2
#define BIN_DIV 3
#define BIN_MAX 4
#define BIN_MIN 5
#define BIN_POW 6

#ifndef UNARY_OP
#define UNARY_OP UN_NEG
#endif
#ifndef BINARY_OP
#define BINARY_OP BIN_ADD
#endif
#ifndef IPW
#define IPW 4
#endif
#include "vector_width.clh"
#define EW_CHUNK (16 * VW)

inline float unary_apply(const float x) {
#if UNARY_OP == UN_NEG
    return -x;
#elif UNARY_OP == UN_ABS
    return fabs(x);
#elif UNARY_OP == UN_RELU
    return x < 0.0f ? 0.0f : x;
#elif UNARY_OP == UN_SIGMOID
    if (x >= 0.0f) {
        return 1.0f / (1.0f + exp(-x));
    }
    const float e = exp(x);
    return e / (1.0f + e);
#elif UNARY_OP == UN_TANH
    return tanh(x);
#elif UNARY_OP == UN_EXP
    return exp(x);
#elif UNARY_OP == UN_LOG
    return log(x);
#elif UNARY_OP == UN_SQRT
    return sqrt(x);
#elif UNARY_OP == UN_SQUARE
    return x * x;
#elif UNARY_OP == UN_RECIPROCAL
    return 1.0f / x;
#else
#error "UNARY_OP must be one of UN_*"
#endif
}

inline float binary_apply(const float a, const float b) {
#if BINARY_OP == BIN_ADD
    return a + b;
#elif BINARY_OP == BIN_SUB
    return a - b;
#elif BINARY_OP == BIN_MUL
    return a * b;
#elif BINARY_OP == BIN_DIV
    return a / b;
#elif BINARY_OP == BIN_MAX
    return (isnan(a) || isnan(b)) ? NAN : fmax(a, b);
#elif BINARY_OP == BIN_MIN
    return (isnan(a) || isnan(b)) ? NAN : fmin(a, b);
#elif BINARY_OP == BIN_POW
    return pow(a, b);
#else
#error "BINARY_OP must be one of BIN_*"
#endif
}

/* unary_apply on a vector: the same formula per lane, branches as selects. */
inline floatV unary_apply_v(const floatV x) {
#if UNARY_OP == UN_NEG
    return -x;
#elif UNARY_OP == UN_ABS
    return fabs(x);
#elif UNARY_OP == UN_RELU
    return select(x, (floatV)(0.0f), isless(x, (floatV)(0.0f)));
#elif UNARY_OP == UN_SIGMOID
    const floatV e = exp(x);
    return select(e / ((floatV)(1.0f) + e), (floatV)(1.0f) / ((floatV)(1.0f) + exp(-x)), isgreaterequal(x, (floatV)(0.0f)));
#elif UNARY_OP == UN_TANH
    return tanh(x);
#elif UNARY_OP == UN_EXP
    return exp(x);
#elif UNARY_OP == UN_LOG
    return log(x);
#elif UNARY_OP == UN_SQRT
    return sqrt(x);
#elif UNARY_OP == UN_SQUARE
    return x * x;
#elif UNARY_OP == UN_RECIPROCAL
    return (floatV)(1.0f) / x;
#endif
}

/* binary_apply on vectors. */
inline floatV binary_apply_v(const floatV a, const floatV b) {
#if BINARY_OP == BIN_ADD
    return a + b;
#elif BINARY_OP == BIN_SUB
    return a - b;
#elif BINARY_OP == BIN_MUL
    return a * b;
#elif BINARY_OP == BIN_DIV
    return a / b;
#elif BINARY_OP == BIN_MAX
    return select(fmax(a, b), (floatV)(NAN), isnan(a) | isnan(b));
#elif BINARY_OP == BIN_MIN
    return select(fmin(a, b), (floatV)(NAN), isnan(a) | isnan(b));
#elif BINARY_OP == BIN_POW
    return pow(a, b);
#endif
}

/* Elements each work-item of the contiguous kernels handles. */
#define PER_ITEM 4

/*
 * Offset of row-major index i under dims / strides (right-aligned, 8 slots). Remainders are written
 * as i - q * d, not with %: a / and % pair makes LLVM insert a 'freeze' that Oclgrind's
 * uninitialised-value checker cannot interpret.
 */
#define COORD_STEP(c) q = i / (ulong)dims.c; off += (long)(i - q * (ulong)dims.c) * st.c; i = q;

inline long strided_offset(ulong i, const int8 dims, const long8 st) {
    long off = 0;
    ulong q;
    COORD_STEP(s7) COORD_STEP(s6) COORD_STEP(s5) COORD_STEP(s4)
    COORD_STEP(s3) COORD_STEP(s2) COORD_STEP(s1)
    off += (long)i * st.s0;
    return off;
}

/*
 * The contiguous kernels: work-item g handles elements [4g, 4g + 4). A full block is a fixed-count loop
 * the compiler unrolls and vectorises; only the last work-item takes the guarded tail. (Building a
 * float4 from per-component results is as fast on PoCL but crashes Oclgrind's uninitialised-value
 * checker, so the kernels stay scalar.)
 */
__kernel void ew_unary(const ulong n,
                       __global const float* x, const ulong xOff,
                       __global float* y, const ulong yOff) {
    const ulong base = (ulong)get_global_id(0) * PER_ITEM;
    x += xOff + base;
    y += yOff + base;
    if (base + PER_ITEM <= n) {
        for (int t = 0; t < PER_ITEM; ++t) {
            y[t] = unary_apply(x[t]);
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
            y[t] = unary_apply(x[t]);
        }
    }
}

__kernel void ew_scalar(const int scalarFirst, const ulong n,
                        __global const float* x, const ulong xOff, const float s,
                        __global float* y, const ulong yOff) {
    const ulong base = (ulong)get_global_id(0) * PER_ITEM;
    x += xOff + base;
    y += yOff + base;
    if (base + PER_ITEM <= n) {
        for (int t = 0; t < PER_ITEM; ++t) {
            y[t] = scalarFirst ? binary_apply(s, x[t]) : binary_apply(x[t], s);
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
            y[t] = scalarFirst ? binary_apply(s, x[t]) : binary_apply(x[t], s);
        }
    }
}

__kernel void ew_binary(const ulong n,
                        __global const float* a, const ulong aOff,
                        __global const float* b, const ulong bOff,
                        __global float* out, const ulong outOff) {
    const ulong base = (ulong)get_global_id(0) * PER_ITEM;
    a += aOff + base;
    b += bOff + base;
    out += outOff + base;
    if (base + PER_ITEM <= n) {
        for (int t = 0; t < PER_ITEM; ++t) {
            out[t] = binary_apply(a[t], b[t]);
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
            out[t] = binary_apply(a[t], b[t]);
        }
    }
}

/* No barriers here, so a work-item past the end may return early. */
__kernel void ew_binary_strided(const ulong n, const int8 dims,
                                __global const float* a, const ulong aOff, const long8 aSt,
                                __global const float* b, const ulong bOff, const long8 bSt,
                                __global float* out, const ulong outOff) {
    ulong i = (ulong)get_global_id(0) * IPW;
    if (i >= n) {
        return;
    }
    long ao = strided_offset(i, dims, aSt);
    long bo = strided_offset(i, dims, bSt);
    ulong c7 = i - i / (ulong)dims.s7 * (ulong)dims.s7;
    for (int t = 0; t < IPW && i < n; ++t, ++i) {
        out[outOff + i] = binary_apply(a[aOff + ao], b[bOff + bo]);
        if (++c7 < (ulong)dims.s7) {
            ao += aSt.s7;
            bo += bSt.s7;
        } else {
            c7 = 0;
            ao = strided_offset(i + 1, dims, aSt);
            bo = strided_offset(i + 1, dims, bSt);
        }
    }
}

/*
 * The contiguous kernels for CPU devices: work-item g handles elements [g EW_CHUNK, (g + 1) EW_CHUNK) as EW_CHUNK / VW
 * vectors; the last, partial work-item one element at a time. No barriers, so a work-item past the end returns.
 */
__kernel void ew_unary_vec(const ulong n, __global const float* x, const ulong xOff, __global float* y, const ulong yOff) {
    const ulong base = (ulong)get_global_id(0) * EW_CHUNK;
    if (base >= n) {
        return;
    }
    x += xOff + base;
    y += yOff + base;
    if (base + EW_CHUNK <= n) {
        for (int v = 0; v < EW_CHUNK / VW; ++v) {
            vstoreV(unary_apply_v(vloadV(v, x)), v, y);
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
            y[t] = unary_apply(x[t]);
        }
    }
}

__kernel void ew_scalar_vec(const int scalarFirst, const ulong n, __global const float* x, const ulong xOff, const float s,
                            __global float* y, const ulong yOff) {
    const ulong base = (ulong)get_global_id(0) * EW_CHUNK;
    if (base >= n) {
        return;
    }
    x += xOff + base;
    y += yOff + base;
    if (base + EW_CHUNK <= n) {
        const floatV sv = (floatV)(s);
        if (scalarFirst) {
            for (int v = 0; v < EW_CHUNK / VW; ++v) {
                vstoreV(binary_apply_v(sv, vloadV(v, x)), v, y);
            }
        } else {
            for (int v = 0; v < EW_CHUNK / VW; ++v) {
                vstoreV(binary_apply_v(vloadV(v, x), sv), v, y);
            }
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
            y[t] = scalarFirst ? binary_apply(s, x[t]) : binary_apply(x[t], s);
        }
    }
}

__kernel void ew_binary_vec(const ulong n, __global const float* a, const ulong aOff, __global const float* b, const ulong bOff,
                            __global float* out, const ulong outOff) {
    const ulong base = (ulong)get_global_id(0) * EW_CHUNK;
    if (base >= n) {
        return;
    }
    a += aOff + base;
    b += bOff + base;
    out += outOff + base;
    if (base + EW_CHUNK <= n) {
        for (int v = 0; v < EW_CHUNK / VW; ++v) {
            vstoreV(binary_apply_v(vloadV(v, a), vloadV(v, b)), v, out);
        }
    } else {
        for (ulong t = 0; base + t < n; ++t) {
            out[t] = binary_apply(a[t], b[t]);
        }
    }
}
