/*
 * batchnorm.cl -- batch normalization over x: [n, C, S] per channel c (OpenCL C 1.2).
 *
 * With M = n * S and x_c the M elements x[(i * C + c) * S + s] of channel c:
 *   mean_c = (1 / M) sum x_c           var_c = (1 / M) sum (x_c - mean_c)^2  (biased; two passes over x, so the
 *                                      variance never suffers the cancellation of E[x^2] - E[x]^2)
 *   invStd_c = 1 / sqrt(var_c + eps)   xhat = (x - mean_c) invStd_c
 *   bn_forward    y = gamma_c xhat + beta_c        (gamma = 1 when hasGamma == 0, beta = 0 when hasBeta == 0)
 *   backward      dbeta_c = sum dy,  dgamma_c = sum dy xhat                    (bn_partial_backward, bn_finalize)
 *   bn_backward_dx  dx = gamma_c invStd_c (dy - dbeta_c / M - xhat dgamma_c / M)
 *
 * Per-channel sums are segment partials plus a second pass, as reduction.cl splits a long axis: work-item
 * (g, c) of bn_partial_* sums segment g of channel c, elements [g chunk, min(M, (g + 1) chunk)) in (i, s)
 * order, chunk = ceil(M / segments), pairwise (runs of SUM_BLOCK summed in order, runs combined as a binary
 * tree), and writes partial[c * segments + g] / divisor; bn_finalize adds a channel's partials in order and
 * divides by the divisor. With one segment the launcher passes divisor M to the partial kernel and skips
 * bn_finalize. No barriers, no atomics: results do not depend on scheduling.
 *   bn_partial_sum       partial sum of x                              (pass 1 of the statistics)
 *   bn_partial_sqdev     partial sum of (x - mean_c)^2                 (pass 2 of the statistics)
 *   bn_partial_backward  partial sums of dy and of dy xhat; the second set at partial + C * segments
 *   bn_finalize          out[c] = (sum_g partial[c * segments + g]) / divisor for c < count
 *   bn_forward, bn_backward_dx  element-wise; launch dimension 0 is s, dimension 1 is the row i * C + c
 *
 * -D parameters:
 *   SUM_BLOCK   elements summed in order before pairwise combination (default 16; the launcher sets 16)
 *
 * Launcher: org.cnn4j.kernels.ClNorm
 */

#ifndef SUM_BLOCK
#define SUM_BLOCK 16
#endif

/*
 * Pairwise sum of VALUE(p) over the elements p of segment g of channel c; declares `total` (and `total2` for a
 * second expression VALUE2 when TWO is 1). Walks the segment row run by row, no division per element.
 */
#define SEGMENT_SUM(VALUE, VALUE2, TWO) \
    const ulong M = (ulong)n * (ulong)S; \
    const ulong chunk = (M + (ulong)segments - 1) / (ulong)segments; \
    const ulong m0 = (ulong)g * chunk; \
    const ulong m1 = min(M, m0 + chunk); \
    float stack[32], stack2[32]; \
    int top = 0; \
    uint blocks = 0; \
    ulong row = m0 / (ulong)S; \
    ulong s = m0 - row * (ulong)S; \
    ulong at = (row * (ulong)C + (ulong)c) * (ulong)S + s; \
    for (ulong m = m0; m < m1; m += SUM_BLOCK) { \
        const ulong end = min(m1, m + SUM_BLOCK); \
        float b = 0.0f, b2 = 0.0f; \
        for (ulong k = m; k < end; ++k) { \
            b += VALUE(at); \
            if (TWO) b2 += VALUE2(at); \
            if (++s == (ulong)S) { \
                s = 0; \
                ++row; \
                at = row * (ulong)C * (ulong)S + (ulong)c * (ulong)S; \
            } else { \
                ++at; \
            } \
        } \
        ++blocks; \
        for (uint carry = blocks; (carry & 1u) == 0u; carry >>= 1) { \
            --top; \
            b = stack[top] + b; \
            if (TWO) b2 = stack2[top] + b2; \
        } \
        stack[top] = b; \
        stack2[top] = b2; \
        ++top; \
    } \
    float total = 0.0f, total2 = 0.0f; \
    while (top > 0) { \
        --top; \
        total = stack[top] + total; \
        if (TWO) total2 = stack2[top] + total2; \
    } \


#define BN_PARTIAL_ARGS const int n, const int C, const int S, const int segments, const float divisor, \
                        __global const float* x, const ulong xOff, __global float* partial, const ulong partialOff

/* No barriers in these kernels, so a work-item past the end may return early. */
__kernel void bn_partial_sum(BN_PARTIAL_ARGS) {
    const int g = get_global_id(0);
    const int c = get_global_id(1);
    if (g >= segments || c >= C) {
        return;
    }
    __global const float* xb = x + xOff;
#define X_AT(a) xb[a]
    SEGMENT_SUM(X_AT, X_AT, 0)
    partial[partialOff + (ulong)c * (ulong)segments + (ulong)g] = total / divisor;
    (void)total2;
}

__kernel void bn_partial_sqdev(BN_PARTIAL_ARGS, __global const float* mean, const ulong meanOff) {
    const int g = get_global_id(0);
    const int c = get_global_id(1);
    if (g >= segments || c >= C) {
        return;
    }
    __global const float* xb = x + xOff;
    const float mu = mean[meanOff + c];
#define SQDEV_AT(a) ((xb[a] - mu) * (xb[a] - mu))
    SEGMENT_SUM(SQDEV_AT, SQDEV_AT, 0)
    partial[partialOff + (ulong)c * (ulong)segments + (ulong)g] = total / divisor;
    (void)total2;
}

__kernel void bn_partial_backward(BN_PARTIAL_ARGS, __global const float* dy, const ulong dyOff,
                                  __global const float* mean, const ulong meanOff,
                                  __global const float* var, const ulong varOff, const float eps) {
    const int g = get_global_id(0);
    const int c = get_global_id(1);
    if (g >= segments || c >= C) {
        return;
    }
    __global const float* xb = x + xOff;
    __global const float* dyb = dy + dyOff;
    const float mu = mean[meanOff + c];
    const float invStd = 1.0f / sqrt(var[varOff + c] + eps);
#define DY_AT(a) dyb[a]
#define DY_XHAT_AT(a) (dyb[a] * ((xb[a] - mu) * invStd))
    SEGMENT_SUM(DY_AT, DY_XHAT_AT, 1)
    partial[partialOff + (ulong)c * (ulong)segments + (ulong)g] = total / divisor;
    partial[partialOff + (ulong)C * (ulong)segments + (ulong)c * (ulong)segments + (ulong)g] = total2 / divisor;
}

__kernel void bn_finalize(const int count, const int segments, const float divisor,
                          __global const float* partial, const ulong partialOff, __global float* out, const ulong outOff) {
    const int c = get_global_id(0);
    if (c >= count) {
        return;
    }
    __global const float* p = partial + partialOff + (ulong)c * (ulong)segments;
    float total = 0.0f;
    for (int g = 0; g < segments; ++g) {
        total += p[g];
    }
    out[outOff + c] = total / divisor;
}

__kernel void bn_forward(const int n, const int C, const int S, const float eps,
                         __global const float* x, const ulong xOff,
                         __global const float* mean, const ulong meanOff, __global const float* var, const ulong varOff,
                         const int hasGamma, __global const float* gamma, const ulong gammaOff,
                         const int hasBeta, __global const float* beta, const ulong betaOff,
                         __global float* y, const ulong yOff) {
    const int s = get_global_id(0);
    const int r = get_global_id(1);
    if (s >= S || r >= n * C) {
        return;
    }
    const int c = r - (r / C) * C;
    const ulong at = (ulong)r * (ulong)S + (ulong)s;
    const float invStd = 1.0f / sqrt(var[varOff + c] + eps);
    const float xhat = (x[xOff + at] - mean[meanOff + c]) * invStd;
    const float gm = hasGamma ? gamma[gammaOff + c] : 1.0f;
    const float bt = hasBeta ? beta[betaOff + c] : 0.0f;
    y[yOff + at] = gm * xhat + bt;
}

/* sums[c] = dbeta_c, sums[C + c] = dgamma_c */
__kernel void bn_backward_dx(const int n, const int C, const int S, const float eps,
                             __global const float* x, const ulong xOff, __global const float* dy, const ulong dyOff,
                             __global const float* mean, const ulong meanOff, __global const float* var, const ulong varOff,
                             const int hasGamma, __global const float* gamma, const ulong gammaOff,
                             __global const float* sums, const ulong sumsOff, __global float* dx, const ulong dxOff) {
    const int s = get_global_id(0);
    const int r = get_global_id(1);
    if (s >= S || r >= n * C) {
        return;
    }
    const int c = r - (r / C) * C;
    const ulong at = (ulong)r * (ulong)S + (ulong)s;
    const float invM = 1.0f / ((float)n * (float)S);
    const float invStd = 1.0f / sqrt(var[varOff + c] + eps);
    const float xhat = (x[xOff + at] - mean[meanOff + c]) * invStd;
    const float gm = hasGamma ? gamma[gammaOff + c] : 1.0f;
    const float dbeta = sums[sumsOff + c];
    const float dgamma = sums[sumsOff + C + c];
    dx[dxOff + at] = gm * invStd * (dy[dyOff + at] - dbeta * invM - xhat * dgamma * invM);
}

/*
 * ---- Row kernels for CPU devices (ClNorm chooses them on CL_DEVICE_TYPE_CPU) ----
 * x is n x C rows of S floats. One work-item walks whole rows with VW-wide vector loads (four independent vector
 * accumulators, lanes added in a fixed halving order at the end, the < VW tail of a row added in order after the
 * vectors): no barriers, no per-element index arithmetic. A channel's sums are split over `parts` work-items,
 * part q taking the rows of images [q n / parts, (q + 1) n / parts); partials are combined in part order, so
 * results depend only on (n, C, S, parts), never on scheduling.
 *   bn_rows_sum       partial[c parts + q] = sum of x over part q of channel c
 *   bn_rows_sqdev     mean_c = (sum_q partial[c parts + q]) / M (written by part 0 to mean[c]);
 *                     partial2[c parts + q] = sum of (x - mean_c)^2 over part q
 *   bn_rows_finalize  out[c] = (sum_q partial[c parts + q]) / M         (the variance)
 *   bn_rows_forward   one work-item per row: y = gamma_c ((x - mean_c) invStd_c) + beta_c (bn_forward's rounding)
 *   bn_rows_partial_backward  partial[c parts + q] = sum dy, partial[C parts + c parts + q] = sum dy xhat (one pass,
 *                     two vector accumulators per sum)
 *   bn_rows_backward_dx       one work-item per row: dbeta_c, dgamma_c from the partials (the row of image 0 also
 *                     stores them to dbeta/dgamma when asked), then dx as bn_backward_dx
 * -D parameters: VW  floats per vector load, 4, 8 or 16 (default 16; the launcher uses the device's preferred width)
 */
#include "vector_width.clh"

/* Sum of VALUE(v) over rows [n0, n1) of channel c (vector expression on floatV v, scalar on float v). */
#define BN_ROWS_SUM(VALUE, total) \
    floatV a0 = (floatV)(0.0f), a1 = (floatV)(0.0f), a2 = (floatV)(0.0f), a3 = (floatV)(0.0f); \
    float tail = 0.0f; \
    for (int i = n0; i < n1; ++i) { \
        const ulong row = ((ulong)i * (ulong)C + (ulong)c) * (ulong)S; \
        int s = 0; \
        for (; s + 4 * VW <= S; s += 4 * VW) { \
            a0 += VALUE(vloadV(0, xb + row + s), vloadV(0, yb + row + s)); \
            a1 += VALUE(vloadV(1, xb + row + s), vloadV(1, yb + row + s)); \
            a2 += VALUE(vloadV(2, xb + row + s), vloadV(2, yb + row + s)); \
            a3 += VALUE(vloadV(3, xb + row + s), vloadV(3, yb + row + s)); \
        } \
        for (; s + VW <= S; s += VW) { \
            a0 += VALUE(vloadV(0, xb + row + s), vloadV(0, yb + row + s)); \
        } \
        for (; s < S; ++s) { \
            tail += VALUE(xb[row + s], yb[row + s]); \
        } \
    } \
    const float total = vw_lane_sum((a0 + a1) + (a2 + a3)) + tail;

#define BN_ROWS_ARGS const int n, const int C, const int S, const int parts, \
                     __global const float* x, const ulong xOff, __global float* partial

/* Work-item (c, q): dim 0 channel, dim 1 part. */
#define BN_ROWS_RANGE \
    const int c = get_global_id(0); \
    const int q = get_global_id(1); \
    if (c >= C || q >= parts) { \
        return; \
    } \
    const int n0 = (int)(((long)q * n) / parts); \
    const int n1 = (int)(((long)(q + 1) * n) / parts);

/* The channel's mean from the partial sums, in part order. */
inline float bn_rows_mean(__global const float* partial, const int c, const int parts, const float M) {
    float s = 0.0f;
    for (int q = 0; q < parts; ++q) {
        s += partial[c * parts + q];
    }
    return s / M;
}

__kernel void bn_rows_sum(BN_ROWS_ARGS) {
    BN_ROWS_RANGE
    __global const float* xb = x + xOff;
    __global const float* yb = xb;
#define BN_X(v, unused) (v)
    BN_ROWS_SUM(BN_X, total)
    partial[c * parts + q] = total;
}

__kernel void bn_rows_sqdev(BN_ROWS_ARGS, __global float* partial2, __global float* mean, const ulong meanOff) {
    BN_ROWS_RANGE
    const float mu = bn_rows_mean(partial, c, parts, (float)n * (float)S);
    if (q == 0) {
        mean[meanOff + c] = mu;
    }
    __global const float* xb = x + xOff;
    __global const float* yb = xb;
#define BN_SQDEV(v, unused) (((v) - mu) * ((v) - mu))
    BN_ROWS_SUM(BN_SQDEV, total)
    partial2[c * parts + q] = total;
}

__kernel void bn_rows_finalize(const int count, const int parts, const float divisor, __global const float* partial,
                               __global float* out, const ulong outOff) {
    const int c = get_global_id(0);
    if (c >= count) {
        return;
    }
    out[outOff + c] = bn_rows_mean(partial, c, parts, divisor);
}

__kernel void bn_rows_forward(const int rows, const int C, const int S, const float eps,
                              __global const float* x, const ulong xOff,
                              __global const float* mean, const ulong meanOff, __global const float* var, const ulong varOff,
                              const int hasGamma, __global const float* gamma, const ulong gammaOff,
                              const int hasBeta, __global const float* beta, const ulong betaOff,
                              __global float* y, const ulong yOff) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int c = r - (r / C) * C;
    const float invStd = 1.0f / sqrt(var[varOff + c] + eps);
    const float mu = mean[meanOff + c];
    const float gm = hasGamma ? gamma[gammaOff + c] : 1.0f;
    const float bt = hasBeta ? beta[betaOff + c] : 0.0f;
    __global const float* xr = x + xOff + (ulong)r * (ulong)S;
    __global float* yr = y + yOff + (ulong)r * (ulong)S;
    int s = 0;
    for (; s + VW <= S; s += VW) {
        const floatV xhat = (vloadV(0, xr + s) - (floatV)(mu)) * (floatV)(invStd);
        vstoreV((floatV)(gm) * xhat + (floatV)(bt), 0, yr + s);
    }
    for (; s < S; ++s) {
        const float xhat = (xr[s] - mu) * invStd;
        yr[s] = gm * xhat + bt;
    }
}

__kernel void bn_rows_partial_backward(BN_ROWS_ARGS, __global const float* dy, const ulong dyOff,
                                       __global const float* mean, const ulong meanOff,
                                       __global const float* var, const ulong varOff, const float eps) {
    BN_ROWS_RANGE
    const float mu = mean[meanOff + c];
    const float invStd = 1.0f / sqrt(var[varOff + c] + eps);
    __global const float* xb = x + xOff;
    __global const float* db = dy + dyOff;
    /* one pass: two accumulators for each sum */
    floatV g0 = (floatV)(0.0f), g1 = (floatV)(0.0f), h0 = (floatV)(0.0f), h1 = (floatV)(0.0f);
    float gt = 0.0f, ht = 0.0f;
    for (int i = n0; i < n1; ++i) {
        const ulong row = ((ulong)i * (ulong)C + (ulong)c) * (ulong)S;
        int s = 0;
        for (; s + 2 * VW <= S; s += 2 * VW) {
            const floatV d0 = vloadV(0, db + row + s);
            const floatV d1 = vloadV(1, db + row + s);
            g0 += d0;
            g1 += d1;
            h0 += d0 * ((vloadV(0, xb + row + s) - (floatV)(mu)) * (floatV)(invStd));
            h1 += d1 * ((vloadV(1, xb + row + s) - (floatV)(mu)) * (floatV)(invStd));
        }
        for (; s + VW <= S; s += VW) {
            const floatV d0 = vloadV(0, db + row + s);
            g0 += d0;
            h0 += d0 * ((vloadV(0, xb + row + s) - (floatV)(mu)) * (floatV)(invStd));
        }
        for (; s < S; ++s) {
            const float d = db[row + s];
            gt += d;
            ht += d * ((xb[row + s] - mu) * invStd);
        }
    }
    partial[c * parts + q] = vw_lane_sum(g0 + g1) + gt;
    partial[C * parts + c * parts + q] = vw_lane_sum(h0 + h1) + ht;
}

__kernel void bn_rows_backward_dx(const int rows, const int C, const int S, const int parts, const float eps,
                                  __global const float* x, const ulong xOff, __global const float* dy, const ulong dyOff,
                                  __global const float* mean, const ulong meanOff, __global const float* var, const ulong varOff,
                                  const int hasGamma, __global const float* gamma, const ulong gammaOff,
                                  __global const float* partial, __global float* dx, const ulong dxOff,
                                  const int hasDgamma, __global float* dgamma, const ulong dgammaOff,
                                  const int hasDbeta, __global float* dbeta, const ulong dbetaOff) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int c = r - (r / C) * C;
    const float dbt = bn_rows_mean(partial, c, parts, 1.0f);
    const float dgm = bn_rows_mean(partial + C * parts, c, parts, 1.0f);
    if (r < C) {        /* the row of image 0 of channel c */
        if (hasDbeta) {
            dbeta[dbetaOff + c] = dbt;
        }
        if (hasDgamma) {
            dgamma[dgammaOff + c] = dgm;
        }
    }
    const float invM = 1.0f / ((float)(rows / C) * (float)S);
    const float invStd = 1.0f / sqrt(var[varOff + c] + eps);
    const float mu = mean[meanOff + c];
    const float gm = hasGamma ? gamma[gammaOff + c] : 1.0f;
    const float k = gm * invStd;
    const float bterm = dbt * invM;
    const float gterm = dgm * invM;
    __global const float* xr = x + xOff + (ulong)r * (ulong)S;
    __global const float* dyr = dy + dyOff + (ulong)r * (ulong)S;
    __global float* dxr = dx + dxOff + (ulong)r * (ulong)S;
    int s = 0;
    for (; s + VW <= S; s += VW) {
        const floatV xhat = (vloadV(0, xr + s) - (floatV)(mu)) * (floatV)(invStd);
        vstoreV((floatV)(k) * (vloadV(0, dyr + s) - (floatV)(bterm) - xhat * (floatV)(gterm)), 0, dxr + s);
    }
    for (; s < S; ++s) {
        const float xhat = (xr[s] - mu) * invStd;
        dxr[s] = k * (dyr[s] - bterm - xhat * gterm);
    }
}
