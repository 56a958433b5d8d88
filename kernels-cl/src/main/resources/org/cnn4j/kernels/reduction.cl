/*
 * reduction.cl -- reductions along the middle axis of [outer, axis, inner] (OpenCL C 1.2).
 *
 * Computes, for o < outer, j < inner, with x_k = x[xOff + (o * axis + k) * inner + j]:
 *   SUM     y[yOff + o * inner + j] = sum_{k < axis} x_k
 *   MEAN    y[...] = (1 / axis) sum_k x_k
 *   MAX     y[...] = max_k x_k     (NaN if any x_k is NaN)
 *   MIN     y[...] = min_k x_k     (NaN if any x_k is NaN)
 *   argmax  y[...] = (float) the first k with x_k = max_k x_k; a NaN counts as larger than any number
 *
 * Variants:
 *   *_serial  one work-item per output; consecutive work-items take consecutive j, so the loads of a
 *             work-group are contiguous when inner is large. Sums are pairwise: blocks of SUM_BLOCK
 *             elements summed in order, blocks combined as a binary tree (a counter of completed blocks
 *             tells how many partial sums to merge, as in carry propagation).
 *   *_tree    one work-group per output; each work-item reduces a strided share of the axis (pairwise for
 *             sums), then the group combines the partials in a tree in local memory. The local size must
 *             be a power of two; the __local scratch is a kernel argument sized by the launcher.
 *             Every work-item reaches every barrier (no early return).
 *   segments  both variants can split a long axis into segments reduced in parallel (pass 1, partials
 *             [outer, segments, inner]) and then reduce the partials (pass 2); see below.
 *   argmax_merge  pass 2 of a split argmax.
 *   reduce_rows   inner == 1 on CPU devices: one work-item per output row (or segment) reads it with floatVW loads
 *             into four vector accumulators (added as (a0 + a1) + (a2 + a3), then the lanes halving, then the
 *             < VW tail in order; MAX / MIN lane-wise with the same NaN rule). PoCL, [2048, 784] sums: ~4x faster
 *             than reduce_serial's scalar pairwise loop.
 * Op codes: R_SUM, R_MEAN, R_MAX, R_MIN below.
 *
 * -D parameters:
 *   SUM_BLOCK   elements summed sequentially before pairwise combination (default 16; the launcher sets 16)
 *   VW          floats per vector of reduce_rows, 4, 8 or 16 (default 16; the launcher uses the device's width)
 *
 * Launcher: org.cnn4j.kernels.ClReduction
 */

#ifndef SUM_BLOCK
#define SUM_BLOCK 16
#endif

#include "vector_width.clh"

#define R_SUM 0
#define R_MEAN 1
#define R_MAX 2
#define R_MIN 3

/* max / min that propagate NaN: once acc is NaN it stays NaN; a NaN v replaces acc. */
inline float combine(const int op, const float acc, const float v) {
    if (op == R_MAX) {
        return (v > acc || isnan(v)) ? v : acc;
    }
    if (op == R_MIN) {
        return (v < acc || isnan(v)) ? v : acc;
    }
    return acc + v;
}

/* Pairwise sum of p[k * stride] for k < len. */
inline float pairwise_sum(__global const float* p, const uint len, const ulong stride) {
    float partial[32];
    int top = 0;
    uint blocks = 0;
    for (uint k0 = 0; k0 < len; k0 += SUM_BLOCK) {
        const uint k1 = min(len, (uint)(k0 + SUM_BLOCK));
        float s = 0.0f;
        for (uint k = k0; k < k1; ++k) {
            s += p[k * stride];
        }
        ++blocks;
        for (uint c = blocks; (c & 1u) == 0u; c >>= 1) {
            s = partial[--top] + s;
        }
        partial[top++] = s;
    }
    float total = 0.0f;
    while (top > 0) {
        total = partial[--top] + total;
    }
    return total;
}

/* Whether (v, i) beats (best, bi) for argmax: NaN is largest, ties go to the smaller index. */
inline int argmax_better(const float v, const uint i, const float best, const uint bi) {
    if (isnan(v)) {
        return !isnan(best) || i < bi;
    }
    if (isnan(best)) {
        return 0;
    }
    return v > best || (v == best && i < bi);
}

/*
 * Splitting a long axis: with segments > 1, segment g of the axis is k in [g * chunk, min(axis, (g + 1) * chunk)),
 * chunk = ceil(axis / segments), and pass 1 writes partial results shaped [outer, segments, inner] (MEAN acts as
 * SUM there; argmax writes value / index pairs). Pass 2 reduces the partials along their middle axis with
 * segments = 1 (reduce_* with meanCount = the original axis, argmax_merge for argmax). With segments = 1 the
 * partial index (o * segments + g) * inner + j is the output index o * inner + j.
 */

/* Which (o, g, j) the linear index u of an [outer, segments, inner] grid is, and where its segment starts. */
#define SPLIT_INDEX(u) \
    const ulong rest = (u) / (ulong)inner; \
    const ulong j = (u) - rest * (ulong)inner; \
    const ulong o = rest / (ulong)segments; \
    const ulong g = rest - o * (ulong)segments; \
    const ulong chunk = ((ulong)axis + (ulong)segments - 1) / (ulong)segments; \
    const ulong k0 = g * chunk; \
    const uint len = (uint)(k0 >= (ulong)axis ? 0 : min(chunk, (ulong)axis - k0)); \
    __global const float* p = x + xOff + (o * (ulong)axis + k0) * (ulong)inner + j;

/* No barriers here, so a work-item past the end may return early. */
__kernel void reduce_serial(const int op, const int outer, const int axis, const int inner,
                            const int segments, const int meanCount,
                            __global const float* x, const ulong xOff,
                            __global float* y, const ulong yOff) {
    const ulong u = get_global_id(0);
    if (u >= (ulong)outer * (ulong)segments * (ulong)inner) {
        return;
    }
    SPLIT_INDEX(u)
    float r;
    if (op == R_SUM || op == R_MEAN) {
        r = pairwise_sum(p, len, (ulong)inner);
        if (op == R_MEAN && segments == 1) {
            r = r / (float)meanCount;
        }
    } else {
        r = op == R_MAX ? -INFINITY : INFINITY;
        for (uint k = 0; k < len; ++k) {
            r = combine(op, r, p[k * (ulong)inner]);
        }
    }
    y[yOff + u] = r;
}

__kernel void reduce_tree(const int op, const int outer, const int axis, const int inner,
                          const int segments, const int meanCount,
                          __global const float* x, const ulong xOff,
                          __global float* y, const ulong yOff,
                          __local float* scratch) {
    const uint lid = get_local_id(0);
    const uint size = get_local_size(0);
    const ulong u = get_group_id(0);       /* the launcher starts exactly outer * segments * inner groups */
    SPLIT_INDEX(u)
    float acc;
    if (op == R_SUM || op == R_MEAN) {
        const uint share = lid < len ? (len - lid + size - 1) / size : 0;
        acc = pairwise_sum(p + lid * (ulong)inner, share, (ulong)size * (ulong)inner);
    } else {
        acc = op == R_MAX ? -INFINITY : INFINITY;
        for (uint k = lid; k < len; k += size) {
            acc = combine(op, acc, p[k * (ulong)inner]);
        }
    }
    scratch[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint stride = size / 2; stride > 0; stride >>= 1) {
        if (lid < stride) {
            scratch[lid] = combine(op, scratch[lid], scratch[lid + stride]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        float r = scratch[0];
        if (op == R_MEAN && segments == 1) {
            r = r / (float)meanCount;
        }
        y[yOff + u] = r;
    }
}

/* Writes an argmax result: the index as a float, or with segments > 1 the (value, index bits) pair. */
#define ARGMAX_STORE(u, best, bi) \
    if (segments == 1) { \
        y[yOff + (u)] = (float)(bi); \
    } else { \
        y[yOff + (u)] = (best); \
        y[yOff + (ulong)outer * (ulong)segments * (ulong)inner + (u)] = as_float((uint)(bi)); \
    }

/* No barriers here, so a work-item past the end may return early. */
__kernel void argmax_serial(const int outer, const int axis, const int inner, const int segments,
                            __global const float* x, const ulong xOff,
                            __global float* y, const ulong yOff) {
    const ulong u = get_global_id(0);
    if (u >= (ulong)outer * (ulong)segments * (ulong)inner) {
        return;
    }
    SPLIT_INDEX(u)
    float best = -INFINITY;
    uint bi = UINT_MAX;
    for (uint k = 0; k < len; ++k) {
        const float v = p[k * (ulong)inner];
        if (argmax_better(v, (uint)k0 + k, best, bi)) {
            best = v;
            bi = (uint)k0 + k;
        }
    }
    ARGMAX_STORE(u, best, bi)
}

__kernel void argmax_tree(const int outer, const int axis, const int inner, const int segments,
                          __global const float* x, const ulong xOff,
                          __global float* y, const ulong yOff,
                          __local float* values, __local uint* indices) {
    const uint lid = get_local_id(0);
    const uint size = get_local_size(0);
    const ulong u = get_group_id(0);       /* the launcher starts exactly outer * segments * inner groups */
    SPLIT_INDEX(u)
    float best = -INFINITY;
    uint bi = UINT_MAX;
    for (uint k = lid; k < len; k += size) {
        const float v = p[k * (ulong)inner];
        if (argmax_better(v, (uint)k0 + k, best, bi)) {
            best = v;
            bi = (uint)k0 + k;
        }
    }
    values[lid] = best;
    indices[lid] = bi;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (uint stride = size / 2; stride > 0; stride >>= 1) {
        if (lid < stride && argmax_better(values[lid + stride], indices[lid + stride], values[lid], indices[lid])) {
            values[lid] = values[lid + stride];
            indices[lid] = indices[lid + stride];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        ARGMAX_STORE(u, values[0], indices[0])
    }
}

/*
 * Pass 2 of a split argmax: pairs[(o * segments + g) * inner + j] are the partial maxima and
 * pairs[outer * segments * inner + ...] their indices (uint bits); y[yOff + o * inner + j] gets the winner.
 */
__kernel void argmax_merge(const int outer, const int segments, const int inner,
                           __global const float* pairs, __global float* y, const ulong yOff) {
    const ulong out = get_global_id(0);
    if (out >= (ulong)outer * (ulong)inner) {
        return;
    }
    const ulong o = out / (ulong)inner;
    const ulong j = out - o * (ulong)inner;
    const ulong total = (ulong)outer * (ulong)segments * (ulong)inner;
    float best = -INFINITY;
    uint bi = UINT_MAX;
    for (int g = 0; g < segments; ++g) {
        const ulong at = (o * (ulong)segments + (ulong)g) * (ulong)inner + j;
        const float v = pairs[at];
        const uint i = as_uint(pairs[total + at]);
        if (argmax_better(v, i, best, bi)) {
            best = v;
            bi = i;
        }
    }
    y[yOff + out] = (float)bi;
}

/* combine on vectors, lane by lane (NaN sticky in acc, a NaN v replaces acc). */
inline floatV combine_v(const int op, const floatV acc, const floatV v) {
    if (op == R_MAX) {
        return select(acc, v, isgreater(v, acc) | isnan(v));
    }
    if (op == R_MIN) {
        return select(acc, v, isless(v, acc) | isnan(v));
    }
    return acc + v;
}

/* inner == 1: work-item u = o * segments + g reduces segment g of row o (see SPLIT_INDEX) with vector loads. */
__kernel void reduce_rows(const int op, const int outer, const int axis, const int segments, const int meanCount,
                          __global const float* x, const ulong xOff, __global float* y, const ulong yOff) {
    const ulong u = get_global_id(0);
    const int inner = 1;
    if (u >= (ulong)outer * (ulong)segments) {
        return;
    }
    SPLIT_INDEX(u)
    const int sum = op == R_SUM || op == R_MEAN;
    const floatV start = (floatV)(sum ? 0.0f : op == R_MAX ? -INFINITY : INFINITY);
    floatV a0 = start, a1 = start, a2 = start, a3 = start;
    uint k = 0;
    for (; k + 4 * VW <= len; k += 4 * VW) {
        a0 = combine_v(op, a0, vloadV(0, p + k));
        a1 = combine_v(op, a1, vloadV(1, p + k));
        a2 = combine_v(op, a2, vloadV(2, p + k));
        a3 = combine_v(op, a3, vloadV(3, p + k));
    }
    for (; k + VW <= len; k += VW) {
        a0 = combine_v(op, a0, vloadV(0, p + k));
    }
    const floatV all = combine_v(op, combine_v(op, a0, a1), combine_v(op, a2, a3));
    /* the lanes, halving, through a private array (Oclgrind misreads .lo / .hi) */
    float t[VW];
    vstoreV(all, 0, t);
#pragma unroll
    for (int w = VW / 2; w >= 1; w /= 2) {
#pragma unroll
        for (int i = 0; i < w; ++i) {
            t[i] = combine(op, t[i], t[i + w]);
        }
    }
    float r = t[0];
    for (; k < len; ++k) {
        r = combine(op, r, p[k]);
    }
    if (op == R_MEAN && segments == 1) {
        r = r / (float)meanCount;
    }
    y[yOff + u] = r;
}
