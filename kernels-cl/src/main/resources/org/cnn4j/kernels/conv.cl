/*
 * conv.cl -- convolution over three spatial dimensions with stride, zero padding, dilation and groups, and its
 * two gradients (OpenCL C 1.2). A 2-D convolution has D = kD = OD = 1.
 *
 *   x: [N, C, D, H, W]   w: [K, Cg, kD, kH, kW]   y, dy: [N, K, OD, OH, OW]   Cg = C / G, Kg = K / G
 *   output k belongs to group k / Kg and reads input channels c = (k / Kg) Cg + c', c' < Cg
 *   tap (a, b, e) of output (od, oh, ow) reads x at (od sD - pD + a dD, oh sH - pH + b dH, ow sW - pW + e dW),
 *   zero outside the input
 *   forward          y[n, k, o]  = bias[k] + sum_{c', a, b, e} w[k, c', a, b, e] x[n, c, tap(o)]
 *   backward input   dx[n, c, i] = sum over k of c's group and taps (a, b, e) with i = tap(o) for an output o
 *                                  of w[k, c', a, b, e] dy[n, k, o]    (a gather: o = (i + p - a dil) / s when exact)
 *   backward weight  dw[k, c', a, b, e] = sum_{n, o} dy[n, k, o] x[n, c, tap(o)]   (a reduction per weight element)
 * No atomics and no barriers: every output element is written by exactly one work-item, which overwrites it.
 *
 * Variants (the launcher's comment says which runs when, as measured):
 *   conv_forward_direct    one output element per work-item; dim 0 output position, dim 1 k, dim 2 n
 *   conv_forward_blocked   KB consecutive output channels of one group per work-item (KB divides Kg): each loaded
 *                          x value feeds KB multiply-adds, the KB weights of a tap are the same for every work-item
 *                          of a launch row. Dim 0 output position (neighbours read neighbouring x), dim 1 k / KB.
 *   conv_bwd_input_direct  one input element per work-item; dim 0 input position, dim 1 c, dim 2 n
 *   conv_bwd_input_blocked CB consecutive input channels of one group per work-item (CB divides Cg)
 *   conv_bwd_weight_direct one weight element per work-item, summing over n and o
 *   conv_bwd_weight_blocked KB consecutive output channels per work-item (KB divides Kg): each x value feeds KB
 *                          multiply-adds. Dim 0 is (c', tap), dim 1 is k / KB.
 *   conv_im2col / conv_col2im / conv_add_bias   the GEMM formulation (launcher ClConvGemm): the column matrix
 *                          col[n][r][o] = x[n, c, tap(o, a, b, e)] (0 outside), r = ((c kD + a) kH + b) kW + e over
 *                          all C channels; forward y_n,g = w_g col_n,g, input gradient dcol_n,g = w_g^T dy_n,g
 *                          scattered back by col2im as a gather, weight gradient dw_g = sum_n dy_n,g col_n,g^T.
 *   The tap ranges that stay inside the input are computed once per work-item (forward, backward weight), so the
 *   inner loops have no bounds tests. Weight-gradient sums are accumulated per image and the per-image sums are
 *   added, which keeps the rounding error of the long reduction small.
 *
 * -D parameters:
 *   KB   output channels per work-item of conv_forward_blocked and conv_bwd_weight_blocked (default 4)
 *   CB   input channels per work-item of conv_bwd_input_blocked (default 4)
 *
 * Launcher: org.cnn4j.kernels.ClConv
 */

#ifndef KB
#define KB 4
#endif
#ifndef CB
#define CB 4
#endif

/* The geometry as kernel parameters, in ConvGeometry's order. */
#define CONV_GEOM const int N, const int C, const int D, const int H, const int W, const int K, \
                  const int kD, const int kH, const int kW, const int sD, const int sH, const int sW, \
                  const int pD, const int pH, const int pW, const int dD, const int dH, const int dW, \
                  const int G, const int OD, const int OH, const int OW

/* (a, b, c) coordinates of flat index f in an [A, B, C] box; A is implied. Remainders as f - q d. */
#define SPLIT3(f, B, C, a, b, c) \
    const int a = (f) / ((B) * (C)); \
    const int b##_rest = (f) - a * ((B) * (C)); \
    const int b = b##_rest / (C); \
    const int c = b##_rest - b * (C);

/* Taps [lo, hi) of a kernel extent k with dilation dil that keep start + tap * dil in [0, in). */
inline int tap_lo(const int start, const int dil) {
    return start >= 0 ? 0 : (-start - 1) / dil + 1; /* ceil(-start / dil), no overflow for dil near INT_MAX */
}

inline int tap_hi(const int start, const int dil, const int k, const int in) {
    return start >= in ? 0 : min(k, (in - 1 - start) / dil + 1);
}

/* Outputs [lo, hi) of an extent out with stride s whose tap at offset t = a dil - pad stays in [0, in). */
inline int out_lo(const int t, const int s) {
    return t >= 0 ? 0 : (-t - 1) / s + 1; /* ceil(-t / s), no overflow for s near INT_MAX */
}

inline int out_hi(const int t, const int s, const int in, const int out) {
    return in - 1 - t < 0 ? 0 : min(out, (in - 1 - t) / s + 1);
}

/* No barriers in any kernel of this file, so a work-item past the end may return early. */
__kernel void conv_forward_direct(CONV_GEOM, __global const float* x, const ulong xOff,
                                  __global const float* w, const ulong wOff, const int hasBias,
                                  __global const float* bias, const ulong biasOff, __global float* y, const ulong yOff) {
    const int o = get_global_id(0);
    const int k = get_global_id(1);
    const int n = get_global_id(2);
    const int P = OD * OH * OW;
    if (o >= P || k >= K || n >= N) {
        return;
    }
    SPLIT3(o, OH, OW, od, oh, ow)
    const int Cg = C / G;
    const int grp = k / (K / G);
    const int ds = od * sD - pD, hs = oh * sH - pH, ws = ow * sW - pW;
    const int a0 = tap_lo(ds, dD), a1 = tap_hi(ds, dD, kD, D);
    const int b0 = tap_lo(hs, dH), b1 = tap_hi(hs, dH, kH, H);
    const int e0 = tap_lo(ws, dW), e1 = tap_hi(ws, dW, kW, W);
    const int taps = kD * kH * kW;
    float acc = 0.0f;
    for (int cc = 0; cc < Cg; ++cc) {
        __global const float* xc = x + xOff + ((ulong)n * (ulong)C + (ulong)(grp * Cg + cc)) * (ulong)(D * H * W);
        __global const float* wc = w + wOff + ((ulong)k * (ulong)Cg + (ulong)cc) * (ulong)taps;
        for (int a = a0; a < a1; ++a) {
            for (int b = b0; b < b1; ++b) {
                const int xrow = ((ds + a * dD) * H + hs + b * dH) * W + ws;
                const int wrow = (a * kH + b) * kW;
                for (int e = e0; e < e1; ++e) {
                    acc += wc[wrow + e] * xc[xrow + e * dW];
                }
            }
        }
    }
    if (hasBias) {
        acc += bias[biasOff + k];
    }
    y[yOff + ((ulong)n * (ulong)K + (ulong)k) * (ulong)P + (ulong)o] = acc;
}

__kernel void conv_forward_blocked(CONV_GEOM, __global const float* x, const ulong xOff,
                                   __global const float* w, const ulong wOff, const int hasBias,
                                   __global const float* bias, const ulong biasOff, __global float* y, const ulong yOff) {
    const int o = get_global_id(0);
    const int k0 = get_global_id(1) * KB;
    const int n = get_global_id(2);
    const int P = OD * OH * OW;
    if (o >= P || k0 >= K || n >= N) {
        return;
    }
    SPLIT3(o, OH, OW, od, oh, ow)
    const int Cg = C / G;
    const int grp = k0 / (K / G);
    const int ds = od * sD - pD, hs = oh * sH - pH, ws = ow * sW - pW;
    const int a0 = tap_lo(ds, dD), a1 = tap_hi(ds, dD, kD, D);
    const int b0 = tap_lo(hs, dH), b1 = tap_hi(hs, dH, kH, H);
    const int e0 = tap_lo(ws, dW), e1 = tap_hi(ws, dW, kW, W);
    const int taps = kD * kH * kW;
    const ulong wStride = (ulong)Cg * (ulong)taps;      /* from w[k] to w[k + 1] */
    float acc[KB];
    for (int j = 0; j < KB; ++j) {
        acc[j] = 0.0f;
    }
    for (int cc = 0; cc < Cg; ++cc) {
        __global const float* xc = x + xOff + ((ulong)n * (ulong)C + (ulong)(grp * Cg + cc)) * (ulong)(D * H * W);
        __global const float* wc = w + wOff + ((ulong)k0 * (ulong)Cg + (ulong)cc) * (ulong)taps;
        for (int a = a0; a < a1; ++a) {
            for (int b = b0; b < b1; ++b) {
                const int xrow = ((ds + a * dD) * H + hs + b * dH) * W + ws;
                const int wrow = (a * kH + b) * kW;
                for (int e = e0; e < e1; ++e) {
                    const float xv = xc[xrow + e * dW];
                    for (int j = 0; j < KB; ++j) {
                        acc[j] = mad(wc[(ulong)j * wStride + (ulong)(wrow + e)], xv, acc[j]);
                    }
                }
            }
        }
    }
    __global float* yo = y + yOff + ((ulong)n * (ulong)K + (ulong)k0) * (ulong)P + (ulong)o;
    for (int j = 0; j < KB; ++j) {
        yo[(ulong)j * (ulong)P] = hasBias ? acc[j] + bias[biasOff + k0 + j] : acc[j];
    }
}

__kernel void conv_bwd_input_direct(CONV_GEOM, __global const float* dy, const ulong dyOff,
                                    __global const float* w, const ulong wOff, __global float* dx, const ulong dxOff) {
    const int i = get_global_id(0);
    const int c = get_global_id(1);
    const int n = get_global_id(2);
    const int S = D * H * W;
    if (i >= S || c >= C || n >= N) {
        return;
    }
    SPLIT3(i, H, W, id, ih, iw)
    const int Cg = C / G;
    const int Kg = K / G;
    const int grp = c / Cg;
    const int cc = c - grp * Cg;
    const int P = OD * OH * OW;
    const int taps = kD * kH * kW;
    __global const float* dyn = dy + dyOff + ((ulong)n * (ulong)K + (ulong)(grp * Kg)) * (ulong)P;
    __global const float* wg = w + wOff + ((ulong)(grp * Kg) * (ulong)Cg + (ulong)cc) * (ulong)taps;
    float acc = 0.0f;
    for (int a = 0; a < kD; ++a) {
        const int td = id + pD - a * dD;
        const int od = td / sD;
        if (td < 0 || od * sD != td || od >= OD) {
            continue;
        }
        for (int b = 0; b < kH; ++b) {
            const int th = ih + pH - b * dH;
            const int oh = th / sH;
            if (th < 0 || oh * sH != th || oh >= OH) {
                continue;
            }
            for (int e = 0; e < kW; ++e) {
                const int tw = iw + pW - e * dW;
                const int ow = tw / sW;
                if (tw < 0 || ow * sW != tw || ow >= OW) {
                    continue;
                }
                const int o = (od * OH + oh) * OW + ow;
                const int tap = (a * kH + b) * kW + e;
                for (int kk = 0; kk < Kg; ++kk) {
                    acc += wg[(ulong)kk * (ulong)Cg * (ulong)taps + (ulong)tap] * dyn[(ulong)kk * (ulong)P + (ulong)o];
                }
            }
        }
    }
    dx[dxOff + ((ulong)n * (ulong)C + (ulong)c) * (ulong)S + (ulong)i] = acc;
}

__kernel void conv_bwd_input_blocked(CONV_GEOM, __global const float* dy, const ulong dyOff,
                                     __global const float* w, const ulong wOff, __global float* dx, const ulong dxOff) {
    const int i = get_global_id(0);
    const int c0 = get_global_id(1) * CB;
    const int n = get_global_id(2);
    const int S = D * H * W;
    if (i >= S || c0 >= C || n >= N) {
        return;
    }
    SPLIT3(i, H, W, id, ih, iw)
    const int Cg = C / G;
    const int Kg = K / G;
    const int grp = c0 / Cg;
    const int cc0 = c0 - grp * Cg;
    const int P = OD * OH * OW;
    const int taps = kD * kH * kW;
    const ulong kStride = (ulong)Cg * (ulong)taps;      /* from w[k] to w[k + 1] */
    __global const float* dyn = dy + dyOff + ((ulong)n * (ulong)K + (ulong)(grp * Kg)) * (ulong)P;
    __global const float* wg = w + wOff + ((ulong)(grp * Kg) * (ulong)Cg + (ulong)cc0) * (ulong)taps;
    float acc[CB];
    for (int j = 0; j < CB; ++j) {
        acc[j] = 0.0f;
    }
    for (int a = 0; a < kD; ++a) {
        const int td = id + pD - a * dD;
        const int od = td / sD;
        if (td < 0 || od * sD != td || od >= OD) {
            continue;
        }
        for (int b = 0; b < kH; ++b) {
            const int th = ih + pH - b * dH;
            const int oh = th / sH;
            if (th < 0 || oh * sH != th || oh >= OH) {
                continue;
            }
            for (int e = 0; e < kW; ++e) {
                const int tw = iw + pW - e * dW;
                const int ow = tw / sW;
                if (tw < 0 || ow * sW != tw || ow >= OW) {
                    continue;
                }
                const int o = (od * OH + oh) * OW + ow;
                const int tap = (a * kH + b) * kW + e;
                for (int kk = 0; kk < Kg; ++kk) {
                    const float g = dyn[(ulong)kk * (ulong)P + (ulong)o];
                    __global const float* wk = wg + (ulong)kk * kStride + (ulong)tap;
                    for (int j = 0; j < CB; ++j) {
                        acc[j] = mad(wk[(ulong)j * (ulong)taps], g, acc[j]);
                    }
                }
            }
        }
    }
    __global float* dxo = dx + dxOff + ((ulong)n * (ulong)C + (ulong)c0) * (ulong)S + (ulong)i;
    for (int j = 0; j < CB; ++j) {
        dxo[(ulong)j * (ulong)S] = acc[j];
    }
}

/* Output ranges [o0, o1) per dimension whose tap (a, b, e) lies inside the input. */
#define WEIGHT_TAP_RANGES \
    const int td = a * dD - pD, th = b * dH - pH, tw = e * dW - pW; \
    const int od0 = out_lo(td, sD), od1 = out_hi(td, sD, D, OD); \
    const int oh0 = out_lo(th, sH), oh1 = out_hi(th, sH, H, OH); \
    const int ow0 = out_lo(tw, sW), ow1 = out_hi(tw, sW, W, OW);

__kernel void conv_bwd_weight_direct(CONV_GEOM, __global const float* x, const ulong xOff,
                                     __global const float* dy, const ulong dyOff, __global float* dw, const ulong dwOff) {
    const int u = get_global_id(0);          /* (c', a, b, e) */
    const int k = get_global_id(1);
    const int Cg = C / G;
    const int taps = kD * kH * kW;
    if (u >= Cg * taps || k >= K) {
        return;
    }
    const int cc = u / taps;
    const int tap = u - cc * taps;
    SPLIT3(tap, kH, kW, a, b, e)
    WEIGHT_TAP_RANGES
    const int grp = k / (K / G);
    const int S = D * H * W;
    const int P = OD * OH * OW;
    float total = 0.0f;
    for (int n = 0; n < N; ++n) {
        __global const float* xc = x + xOff + ((ulong)n * (ulong)C + (ulong)(grp * Cg + cc)) * (ulong)S;
        __global const float* dyk = dy + dyOff + ((ulong)n * (ulong)K + (ulong)k) * (ulong)P;
        float acc = 0.0f;
        for (int od = od0; od < od1; ++od) {
            for (int oh = oh0; oh < oh1; ++oh) {
                const int xrow = ((od * sD + td) * H + oh * sH + th) * W + tw;
                const int orow = (od * OH + oh) * OW;
                for (int ow = ow0; ow < ow1; ++ow) {
                    acc += dyk[orow + ow] * xc[xrow + ow * sW];
                }
            }
        }
        total += acc;
    }
    dw[dwOff + (ulong)k * (ulong)Cg * (ulong)taps + (ulong)u] = total;
}

__kernel void conv_bwd_weight_blocked(CONV_GEOM, __global const float* x, const ulong xOff,
                                      __global const float* dy, const ulong dyOff, __global float* dw, const ulong dwOff) {
    const int u = get_global_id(0);          /* (c', a, b, e) */
    const int k0 = get_global_id(1) * KB;
    const int Cg = C / G;
    const int taps = kD * kH * kW;
    if (u >= Cg * taps || k0 >= K) {
        return;
    }
    const int cc = u / taps;
    const int tap = u - cc * taps;
    SPLIT3(tap, kH, kW, a, b, e)
    WEIGHT_TAP_RANGES
    const int grp = k0 / (K / G);
    const int S = D * H * W;
    const int P = OD * OH * OW;
    float total[KB];
    for (int j = 0; j < KB; ++j) {
        total[j] = 0.0f;
    }
    for (int n = 0; n < N; ++n) {
        __global const float* xc = x + xOff + ((ulong)n * (ulong)C + (ulong)(grp * Cg + cc)) * (ulong)S;
        __global const float* dyk = dy + dyOff + ((ulong)n * (ulong)K + (ulong)k0) * (ulong)P;
        float acc[KB];
        for (int j = 0; j < KB; ++j) {
            acc[j] = 0.0f;
        }
        for (int od = od0; od < od1; ++od) {
            for (int oh = oh0; oh < oh1; ++oh) {
                const int xrow = ((od * sD + td) * H + oh * sH + th) * W + tw;
                const int orow = (od * OH + oh) * OW;
                for (int ow = ow0; ow < ow1; ++ow) {
                    const float xv = xc[xrow + ow * sW];
                    for (int j = 0; j < KB; ++j) {
                        acc[j] = mad(dyk[(ulong)j * (ulong)P + (ulong)(orow + ow)], xv, acc[j]);
                    }
                }
            }
        }
        for (int j = 0; j < KB; ++j) {
            total[j] += acc[j];
        }
    }
    __global float* dwo = dw + dwOff + (ulong)k0 * (ulong)Cg * (ulong)taps + (ulong)u;
    for (int j = 0; j < KB; ++j) {
        dwo[(ulong)j * (ulong)Cg * (ulong)taps] = total[j];
    }
}

/*
 * col[colOff + (n - n0) R P + r P + o] = x[n, c, tap(o, a, b, e)], 0 where the tap is outside the input, for
 * images n0 <= n < n0 + (global size 2), r = ((c kD + a) kH + b) kW + e < R = C kD kH kW, o < P = OD OH OW.
 * Dim 0 is o (neighbouring work-items read neighbouring x), dim 1 is r, dim 2 the image within the chunk.
 */
__kernel void conv_im2col(CONV_GEOM, const int n0, __global const float* x, const ulong xOff,
                          __global float* col, const ulong colOff) {
    const int o = get_global_id(0);
    const int r = get_global_id(1);
    const int j = get_global_id(2);
    const int P = OD * OH * OW;
    const int taps = kD * kH * kW;
    const int R = C * taps;
    if (o >= P || r >= R) {
        return;
    }
    const int c = r / taps;
    SPLIT3(r - c * taps, kH, kW, a, b, e)
    SPLIT3(o, OH, OW, od, oh, ow)
    const int id = od * sD - pD + a * dD;
    const int ih = oh * sH - pH + b * dH;
    const int iw = ow * sW - pW + e * dW;
    float v = 0.0f;
    if (id >= 0 && id < D && ih >= 0 && ih < H && iw >= 0 && iw < W) {
        v = x[xOff + ((ulong)(n0 + j) * (ulong)C + (ulong)c) * (ulong)(D * H * W) + (ulong)((id * H + ih) * W + iw)];
    }
    col[colOff + ((ulong)j * (ulong)R + (ulong)r) * (ulong)P + (ulong)o] = v;
}

/*
 * dx[n, c, i] = sum over taps (a, b, e) and outputs o with tap(o, a, b, e) = i of
 * col[colOff + (n - n0) R P + r(c, a, b, e) P + o], for images n0 <= n < n0 + (global size 2); overwrites dx.
 * A gather (one work-item per input element, no atomics): o = (i + pad - tap dil) / stride where that is exact.
 */
__kernel void conv_col2im(CONV_GEOM, const int n0, __global const float* col, const ulong colOff,
                          __global float* dx, const ulong dxOff) {
    const int i = get_global_id(0);
    const int c = get_global_id(1);
    const int j = get_global_id(2);
    if (i >= D * H * W || c >= C) {
        return;
    }
    SPLIT3(i, H, W, id, ih, iw)
    const int P = OD * OH * OW;
    const int taps = kD * kH * kW;
    __global const float* cc = col + colOff + ((ulong)j * (ulong)C + (ulong)c) * (ulong)taps * (ulong)P;
    float acc = 0.0f;
    /* quotient and multiply-back rather than %: LLVM pairs / and % with a freeze Oclgrind cannot check */
    for (int a = 0; a < kD; ++a) {
        const int td = id + pD - a * dD;
        const int od = td / sD;
        if (td < 0 || od * sD != td || od >= OD) {
            continue;
        }
        for (int b = 0; b < kH; ++b) {
            const int th = ih + pH - b * dH;
            const int oh = th / sH;
            if (th < 0 || oh * sH != th || oh >= OH) {
                continue;
            }
            for (int e = 0; e < kW; ++e) {
                const int tw = iw + pW - e * dW;
                const int ow = tw / sW;
                if (tw < 0 || ow * sW != tw || ow >= OW) {
                    continue;
                }
                acc += cc[(ulong)((a * kH + b) * kW + e) * (ulong)P + (ulong)((od * OH + oh) * OW + ow)];
            }
        }
    }
    dx[dxOff + ((ulong)(n0 + j) * (ulong)C + (ulong)c) * (ulong)(D * H * W) + (ulong)i] = acc;
}

/* y[n, k, o] += bias[k] for o < P; dim 0 o, dim 1 k, dim 2 n. */
__kernel void conv_add_bias(const int K, const int P, __global float* y, const ulong yOff,
                            __global const float* bias, const ulong biasOff) {
    const int o = get_global_id(0);
    const int k = get_global_id(1);
    const int n = get_global_id(2);
    if (o >= P || k >= K) {
        return;
    }
    y[yOff + ((ulong)n * (ulong)K + (ulong)k) * (ulong)P + (ulong)o] += bias[biasOff + k];
}

/*
 * ---- Row kernels for CPU devices (launcher ClConvRows): 2-D convolution with stride 1 ----
 *
 * Operands are first copied into zero-padded planes by conv_pad_planes, so that the inner loops run without a
 * single bounds test: plane p of a padded copy has PR rows of PC floats,
 *   xp[p][r][col] = src[p][r - top][col - left] where that lies inside the [SH, SW] source plane, else 0.
 * A work-item then keeps VW consecutive output columns of a row in one floatVW register and walks the taps
 * (KH x KW, unrolled) with one unaligned vector load per tap and row: no barriers, no local memory (both are
 * emulated on a CPU), and all loads within the padded planes (PC and PR leave room for the last vector and
 * row block).
 *   conv_rows_forward  y[n, k, oh, ow] = bias[k] + sum_{c', b, e} w[k, c', b, e] xp[n, c, oh + b DH, ow + e DW]
 *                      (top = pH, left = pW). One work-item: RKB output channels of one group x RRB output rows
 *                      x VW columns; each loaded x vector feeds RKB fused multiply-adds, each weight RRB.
 *                      The input gradient is the same kernel on dy padded by (k - 1) dil - pad with the weight
 *                      flipped and transposed by conv_flip_weight (a stride-1 convolution's transpose).
 *   conv_rows_weight   dw[k, c', b, e] = sum_n sum_{oh, ow} dy[n, k, oh, ow] xp[n, c, oh + b DH, ow + e DW]
 *                      One work-item: WKB output channels x one input channel x all KH KW taps, vector
 *                      accumulators over the VW columns of a row, WRB rows per step (lanes past OW masked to zero
 *                      in dy and x, rows past OH zero in dy), for the images
 *                      of one chunk; the lanes are added at the end. With several chunks each writes its partial
 *                      [chunk][K][Cg][KH KW] and conv_sum_chunks adds them in chunk order (deterministic).
 *   conv_chan_weight   the same weight gradient with VW input channels in the vector lanes (Cg a multiple of VW), from x
 *                      padded with the channels innermost by conv_pad_channels: per output position WKB scalar dy
 *                      values times the KH x KW window of x vectors, which slides along the row (with DW = 1 only KH
 *                      new vectors per position). No lane is wasted or masked. PoCL, conv2 of the reference CNN:
 *                      half of conv_rows_weight's CPU time.
 *   conv_flip_weight   wt[c, k', b, e] = w[g Kg + k', c - g Cg, KH - 1 - b, KW - 1 - e], g = c / Cg
 *   conv_sum_chunks    out[i] = sum_{j < chunks} partial[j len + i], in order of j
 * -D parameters of these kernels (the launcher sets them all; a program per kernel extent and dilation):
 *   VW        floats per vector: 4, 8 or 16 (default 16; the launcher uses CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT)
 *   KH, KW    kernel extent (default 3, 3)      DH, DW   dilation (default 1, 1)
 *   RKB, RRB  output channels and output rows per work-item of conv_rows_forward (default 8, 2)
 *   WKB       output channels per work-item of conv_rows_weight and conv_chan_weight (default 2)
 *   WRB       output rows conv_rows_weight takes per step (default 2): with DH = 1 consecutive rows share KH - 1
 *             of their x rows, so a loaded x vector feeds up to min(WRB, KH) WKB fused multiply-adds; the padded
 *             planes have room for the rows of the last step
 */

#include "vector_width.clh"
#ifndef KH
#define KH 3
#endif
#ifndef KW
#define KW 3
#endif
#ifndef DH
#define DH 1
#endif
#ifndef DW
#define DW 1
#endif
#ifndef RKB
#define RKB 8
#endif
#ifndef RRB
#define RRB 2
#endif
#ifndef WKB
#define WKB 2
#endif
#ifndef WRB
#define WRB 2
#endif

#define TAPS (KH * KW)

#if VW == 16
#define LANES ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#elif VW == 8
#define LANES ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#elif VW == 4
#define LANES ((int4)(0, 1, 2, 3))
#endif

/*
 * One work-item per plane (dim 0), walking its PR rows: zeros, the row's copy, zeros. Every element of xp is written.
 * (A work-item per element made a work-group per padded row, tens of thousands per launch, each paying PoCL's
 * per-work-group cost.)
 */
__kernel void conv_pad_planes(const int SH, const int SW, const int top, const int left, const int PR, const int PC,
                              const ulong planes, __global const float* src, const ulong srcOff, __global float* xp) {
    const ulong p = get_global_id(0);
    if (p >= planes) {
        return;
    }
    __global const float* in = src + srcOff + p * (ulong)SH * (ulong)SW;
    __global float* out = xp + p * (ulong)PR * (ulong)PC;
    const int c0 = clamp(left, 0, PC);            /* columns [c0, c1) come from the source row */
    const int c1 = clamp(left + SW, c0, PC);
    for (int r = 0; r < PR; ++r) {
        const int h = r - top;
        __global float* o = out + (ulong)r * (ulong)PC;
        if (h < 0 || h >= SH) {
            for (int col = 0; col < PC; ++col) {
                o[col] = 0.0f;
            }
            continue;
        }
        __global const float* i = in + (ulong)h * (ulong)SW;
        for (int col = 0; col < c0; ++col) {
            o[col] = 0.0f;
        }
        for (int col = c0; col < c1; ++col) {
            o[col] = i[col - left];
        }
        for (int col = c1; col < PC; ++col) {
            o[col] = 0.0f;
        }
    }
}

/* K output channels in G groups, C input channels (planes of xp per image); OH x OW outputs per plane. */
__kernel void conv_rows_forward(const int C, const int G, const int K, const int OH, const int OW, const int PR,
                                const int PC, const int segs, const int rowBlocks,
                                __global const float* xp, __global const float* w, const ulong wOff, const int hasBias,
                                __global const float* bias, const ulong biasOff, __global float* y, const ulong yOff) {
    const int s = get_global_id(0);
    const int k0 = get_global_id(1) * RKB;
    const int n = get_global_id(2);
    if (s >= rowBlocks * segs || k0 >= K) {
        return;
    }
    const int rb = s / segs;
    const int oh0 = rb * RRB;
    const int ow0 = (s - rb * segs) * VW;
    const int Cg = C / G;
    const int grp = k0 / (K / G);
    floatV acc[RRB][RKB];
#pragma unroll
    for (int r = 0; r < RRB; ++r) {
#pragma unroll
        for (int j = 0; j < RKB; ++j) {
            acc[r][j] = (floatV)(0.0f);
        }
    }
    const ulong plane = (ulong)PR * (ulong)PC;
    for (int cc = 0; cc < Cg; ++cc) {
        __global const float* xc = xp + ((ulong)n * (ulong)C + (ulong)(grp * Cg + cc)) * plane + (ulong)(oh0 * PC + ow0);
        __global const float* wc = w + wOff + ((ulong)k0 * (ulong)Cg + (ulong)cc) * TAPS;
#pragma unroll
        for (int b = 0; b < KH; ++b) {
#pragma unroll
            for (int e = 0; e < KW; ++e) {
                floatV xv[RRB];
#pragma unroll
                for (int r = 0; r < RRB; ++r) {
                    xv[r] = vloadV(0, xc + (r + b * DH) * PC + e * DW);
                }
#pragma unroll
                for (int j = 0; j < RKB; ++j) {
                    const floatV wv = (floatV)(wc[(ulong)j * (ulong)Cg * TAPS + (ulong)(b * KW + e)]);
#pragma unroll
                    for (int r = 0; r < RRB; ++r) {
                        acc[r][j] = fma(wv, xv[r], acc[r][j]);
                    }
                }
            }
        }
    }
    const int cols = min(VW, OW - ow0);
#pragma unroll
    for (int r = 0; r < RRB; ++r) {
        if (oh0 + r < OH) {
#pragma unroll
            for (int j = 0; j < RKB; ++j) {
                __global float* yo = y + yOff + (((ulong)n * (ulong)K + (ulong)(k0 + j)) * (ulong)OH + (ulong)(oh0 + r)) * (ulong)OW
                        + (ulong)ow0;
                const floatV v = hasBias ? acc[r][j] + (floatV)(bias[biasOff + k0 + j]) : acc[r][j];
                if (cols == VW) {
                    vstoreV(v, 0, yo);
                } else {
                    float t[VW];
                    vstoreV(v, 0, t);
                    for (int i = 0; i < cols; ++i) {
                        yo[i] = t[i];
                    }
                }
            }
        }
    }
}

/*
 * dy holds N x K planes of OH x OW from dyOff, dyCount floats in all (no load reaches past them). Work-item
 * (c', k / WKB, chunk) covers images [chunk perChunk, min(N, (chunk + 1) perChunk)) and writes
 * out[outOff + ((chunk K + k) Cg + c') TAPS + tap].
 */
__kernel void conv_rows_weight(const int N, const int C, const int G, const int K, const int OH, const int OW, const int PR,
                               const int PC, const int perChunk, __global const float* xp,
                               __global const float* dy, const ulong dyOff, const ulong dyCount,
                               __global float* out, const ulong outOff) {
    const int cc = get_global_id(0);
    const int k0 = get_global_id(1) * WKB;
    const int chunk = get_global_id(2);
    const int Cg = C / G;
    if (cc >= Cg || k0 >= K) {
        return;
    }
    const int grp = k0 / (K / G);
    const int n0 = chunk * perChunk;
    const int n1 = min(N, n0 + perChunk);
    const ulong P = (ulong)OH * (ulong)OW;
    const ulong plane = (ulong)PR * (ulong)PC;
    floatV acc[WKB][TAPS];
#pragma unroll
    for (int j = 0; j < WKB; ++j) {
#pragma unroll
        for (int t = 0; t < TAPS; ++t) {
            acc[j][t] = (floatV)(0.0f);
        }
    }
    for (int n = n0; n < n1; ++n) {
        __global const float* xc = xp + ((ulong)n * (ulong)C + (ulong)(grp * Cg + cc)) * plane;
        const ulong dyk = ((ulong)n * (ulong)K + (ulong)k0) * P;
        for (int oh = 0; oh < OH; oh += WRB) {
            for (int ow0 = 0; ow0 < OW; ow0 += VW) {
                const intV valid = LANES < (intV)(OW - ow0);
                floatV g[WRB][WKB];
#pragma unroll
                for (int r = 0; r < WRB; ++r) {
#pragma unroll
                    for (int j = 0; j < WKB; ++j) {
                        const ulong aj = dyk + (ulong)j * P + (ulong)((oh + r) * OW + ow0);
                        if (oh + r >= OH) {
                            g[r][j] = (floatV)(0.0f);        /* past the last row: its x rows are zero padding */
                        } else if (aj + VW <= dyCount) {
                            g[r][j] = select((floatV)(0.0f), vloadV(0, dy + dyOff + aj), valid);
                        } else {        /* the last row of the last plane: no load past the tensor */
                            float t[VW];
                            for (int i = 0; i < VW; ++i) {
                                t[i] = i < OW - ow0 ? dy[dyOff + aj + (ulong)i] : 0.0f;
                            }
                            g[r][j] = vloadV(0, t);
                        }
                    }
                }
                __global const float* xr = xc + (ulong)(oh * PC + ow0);
#pragma unroll
                for (int r = 0; r < WRB; ++r) {
#pragma unroll
                    for (int b = 0; b < KH; ++b) {
#pragma unroll
                        for (int e = 0; e < KW; ++e) {
                            /* lanes past OW read real x further right; zero them so that an infinity there stays out */
                            const floatV xv = select((floatV)(0.0f), vloadV(0, xr + (r + b * DH) * PC + e * DW), valid);
#pragma unroll
                            for (int j = 0; j < WKB; ++j) {
                                acc[j][b * KW + e] = fma(g[r][j], xv, acc[j][b * KW + e]);
                            }
                        }
                    }
                }
            }
        }
    }
#pragma unroll
    for (int j = 0; j < WKB; ++j) {
        __global float* o = out + outOff + (((ulong)chunk * (ulong)K + (ulong)(k0 + j)) * (ulong)Cg + (ulong)cc) * TAPS;
#pragma unroll
        for (int t = 0; t < TAPS; ++t) {
            o[t] = vw_lane_sum(acc[j][t]);
        }
    }
}

/*
 * xt[p][r][col][c] = src[p][c][r - top][col - left] inside the [C, SH, SW] image p, else 0: padded planes with the
 * channels innermost (conv_chan_weight reads a vector of VW channels at one position). One work-item per padded row
 * u = p PR + r (dim 0), walking its columns and channels.
 */
__kernel void conv_pad_channels(const int C, const int SH, const int SW, const int top, const int left, const int PR,
                                const int PC, const ulong rows, __global const float* src, const ulong srcOff,
                                __global float* xt) {
    const ulong u = get_global_id(0);
    if (u >= rows) {
        return;
    }
    const ulong p = u / (ulong)PR;
    const int r = (int)(u - p * (ulong)PR);
    const int h = r - top;
    __global float* out = xt + u * (ulong)PC * (ulong)C;
    const ulong plane = (ulong)SH * (ulong)SW;
    for (int col = 0; col < PC; ++col) {
        const int w = col - left;
        __global float* o = out + (ulong)col * (ulong)C;
        if (h >= 0 && h < SH && w >= 0 && w < SW) {
            __global const float* in = src + srcOff + p * (ulong)C * plane + (ulong)(h * SW + w);
            for (int c = 0; c < C; ++c) {
                o[c] = in[(ulong)c * plane];
            }
        } else {
            for (int c = 0; c < C; ++c) {
                o[c] = 0.0f;
            }
        }
    }
}

/*
 * conv_chan_weight: the weight gradient with the channels in the vector lanes (Cg a multiple of VW),
 *   dw[k, c' + l, b, e] = sum_n sum_{oh, ow} dy[n, k, oh, ow] xt[n][oh + b DH][ow + e DW][c + l],   l < VW
 * Work-item (c' / VW, k / WKB, chunk): WKB KH KW vector accumulators; per output position WKB scalar dy values and
 * the KH KW x vectors, of which with DW = 1 only KH are loaded (a sliding window of KW columns per tap row). No
 * lanes are wasted and nothing needs masking: every product is a real term.
 */
__kernel void conv_chan_weight(const int N, const int C, const int G, const int K, const int OH, const int OW,
                               const int PR, const int PC, const int perChunk, __global const float* xt,
                               __global const float* dy, const ulong dyOff, __global float* out, const ulong outOff) {
    const int cv = get_global_id(0);
    const int k0 = get_global_id(1) * WKB;
    const int chunk = get_global_id(2);
    const int Cg = C / G;
    if (cv * VW >= Cg || k0 >= K) {
        return;
    }
    const int grp = k0 / (K / G);
    const int c = grp * Cg + cv * VW;
    const int n0 = chunk * perChunk;
    const int n1 = min(N, n0 + perChunk);
    const ulong P = (ulong)OH * (ulong)OW;
    floatV acc[WKB][TAPS];
#pragma unroll
    for (int j = 0; j < WKB; ++j) {
#pragma unroll
        for (int t = 0; t < TAPS; ++t) {
            acc[j][t] = (floatV)(0.0f);
        }
    }
    for (int n = n0; n < n1; ++n) {
        __global const float* dyn = dy + dyOff + ((ulong)n * (ulong)K + (ulong)k0) * P;
        for (int oh = 0; oh < OH; ++oh) {
            __global const float* xr = xt + ((ulong)n * (ulong)PR + (ulong)oh) * (ulong)PC * (ulong)C + (ulong)c;
            floatV win[KH][KW];
#pragma unroll
            for (int b = 0; b < KH; ++b) {
#pragma unroll
                for (int e = 0; e < KW; ++e) {
                    win[b][e] = vloadV(0, xr + ((ulong)(b * DH) * (ulong)PC + (ulong)(e * DW)) * (ulong)C);
                }
            }
#if DW == 1
            /* KW positions per step, unrolled, so the window's slots rotate without moves: at position ow + u the
               slot of column ow + u + e is (u + e) % KW, and the slot of column ow + u, done, takes column ow + u + KW */
            for (int ow = 0; ow < OW; ow += KW) {
#pragma unroll
                for (int u = 0; u < KW; ++u) {
                    if (ow + u < OW) {
                        float g[WKB];
#pragma unroll
                        for (int j = 0; j < WKB; ++j) {
                            g[j] = dyn[(ulong)j * P + (ulong)(oh * OW + ow + u)];
                        }
#pragma unroll
                        for (int b = 0; b < KH; ++b) {
#pragma unroll
                            for (int e = 0; e < KW; ++e) {
#pragma unroll
                                for (int j = 0; j < WKB; ++j) {
                                    acc[j][b * KW + e] = fma((floatV)(g[j]), win[b][(u + e) % KW], acc[j][b * KW + e]);
                                }
                            }
                        }
                        if (ow + u + 1 < OW) {
#pragma unroll
                            for (int b = 0; b < KH; ++b) {
                                win[b][u] = vloadV(0, xr + ((ulong)(b * DH) * (ulong)PC + (ulong)(ow + u + KW)) * (ulong)C);
                            }
                        }
                    }
                }
            }
#else
            for (int ow = 0; ow < OW; ++ow) {
                float g[WKB];
#pragma unroll
                for (int j = 0; j < WKB; ++j) {
                    g[j] = dyn[(ulong)j * P + (ulong)(oh * OW + ow)];
                }
#pragma unroll
                for (int b = 0; b < KH; ++b) {
#pragma unroll
                    for (int e = 0; e < KW; ++e) {
                        win[b][e] = vloadV(0, xr + ((ulong)(b * DH) * (ulong)PC + (ulong)(ow + e * DW)) * (ulong)C);
#pragma unroll
                        for (int j = 0; j < WKB; ++j) {
                            acc[j][b * KW + e] = fma((floatV)(g[j]), win[b][e], acc[j][b * KW + e]);
                        }
                    }
                }
            }
#endif
        }
    }
#pragma unroll
    for (int j = 0; j < WKB; ++j) {
        __global float* o = out + outOff + (((ulong)chunk * (ulong)K + (ulong)(k0 + j)) * (ulong)Cg + (ulong)(cv * VW)) * TAPS;
#pragma unroll
        for (int t = 0; t < TAPS; ++t) {
            float lanes[VW];
            vstoreV(acc[j][t], 0, lanes);
            for (int l = 0; l < VW; ++l) {
                o[(ulong)l * TAPS + (ulong)t] = lanes[l];
            }
        }
    }
}

/* wt: [C, Kg, KH, KW] from w: [K, Cg, KH, KW]; one work-item per element of wt. */
__kernel void conv_flip_weight(const int C, const int G, const int K, __global const float* w, const ulong wOff,
                               __global float* wt) {
    const int i = get_global_id(0);
    const int Cg = C / G;
    const int Kg = K / G;
    if (i >= C * Kg * TAPS) {
        return;
    }
    const int c = i / (Kg * TAPS);
    const int rest = i - c * (Kg * TAPS);
    const int kk = rest / TAPS;
    const int tap = rest - kk * TAPS;
    const int grp = c / Cg;
    const int flipped = TAPS - 1 - tap;    /* (KH - 1 - b) KW + (KW - 1 - e) */
    wt[i] = w[wOff + ((ulong)(grp * Kg + kk) * (ulong)Cg + (ulong)(c - grp * Cg)) * TAPS + (ulong)flipped];
}

__kernel void conv_sum_chunks(const int chunks, const int len, __global const float* partial,
                              __global float* out, const ulong outOff) {
    const int i = get_global_id(0);
    if (i >= len) {
        return;
    }
    float s = 0.0f;
    for (int j = 0; j < chunks; ++j) {
        s += partial[(ulong)j * (ulong)len + (ulong)i];
    }
    out[outOff + i] = s;
}
