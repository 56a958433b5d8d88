/*
 * pool.cl -- max, average and adaptive average pooling over [planes, D, H, W] and their gradients
 * (OpenCL C 1.2). 2-D pooling has D = kD = 1, stride 1 and padding 0 in depth.
 *
 * Window o = (od, oh, ow) of a plane starts at (od sD - pD, oh sH - pH, ow sW - pW) and spans (kD, kH, kW);
 * clipped to the input it is [d0, d1) x [h0, h1) x [w0, w1). With i = (d H + h) W + w the flat plane index:
 *   maxpool_forward    y[p, o] = max over the clipped window of x[p, i]; argmax[p, o] = (float) the first i
 *                      (in d, h, w order) holding the maximum, a NaN counting as the maximum; padding never wins
 *                      (a window with no input element gives -inf and argmax -1)
 *   maxpool_backward   dx[p, i] = sum over windows o covering i with argmax[p, o] == i of dy[p, o]
 *   avgpool_forward    y[p, o] = (1 / count(o)) sum over the clipped window of x[p, i]
 *                      count = window clipped to the padded input [-pad, in + pad) (COUNT_PAD = 1, as PyTorch's
 *                      count_include_pad) or to the input (COUNT_PAD = 0)
 *   avgpool_backward   dx[p, i] = sum over windows o covering i of dy[p, o] / count(o)
 *   adaptive_forward   output cell o of extent out over input extent in averages [floor(o in / out),
 *                      ceil((o + 1) in / out)) in each dimension (PyTorch's adaptive_avg_pool)
 *   adaptive_backward  dx[p, i] = sum over cells o containing i of dy[p, o] / |cell o|; in each dimension the
 *                      cells containing i are o in [floor(i out / in), ceil((i + 1) out / in))
 * The backward passes are gathers (one work-item per input element visits the windows that cover it, in a
 * fixed order), so they need no atomics, are deterministic and overwrite dx. Window o covers input row h
 * iff o s - pad <= h < o s - pad + k, i.e. o in [floor((h + pad - k) / s) + 1, floor((h + pad) / s)].
 *
 * Variants: one work-item per output element (forward) or input element (backward); dimension 0 of the
 *   launch is the flat position within a plane (consecutive work-items touch consecutive elements),
 *   dimension 1 the plane. Remainders are computed as i - q * d.
 *   maxpool_tiles_forward / maxpool_tiles_backward: for windows that tile a 2-D plane (kernel = stride, no
 *   padding, OH sH <= H, OW sW <= W; the common 2x2 stride 2), on CPU devices. One work-item per output row
 *   R = p OH + oh walks its OW windows with the window extent unrolled (-D PKH, PKW): no division per element,
 *   no gather and no branch (the first-maximum and NaN rules as selects). With PKW = 2 the forward pass takes 8
 *   windows at a time from one float16 load per window row (even lanes one column, odd lanes the other) while
 *   the loads stay inside x. The backward pass writes every element of the input rows [oh sH, (oh + 1) sH) of its plane
 *   once: dy[p, o] where argmax[p, o] is that element, else 0, including the columns past OW sW (and the last
 *   output row also the rows past OH sH), so dx needs no separate zero fill and nothing is added.
 *
 * -D parameters:
 *   COUNT_PAD   avgpool_*: 1 to count padding in the divisor, 0 not to (default 1)
 *   PKH, PKW    maxpool_tiles_*: window height and width (default 2, 2; the launcher sets the geometry's)
 *
 * Launcher: org.cnn4j.kernels.ClPool
 */

#ifndef COUNT_PAD
#define COUNT_PAD 1
#endif
#ifndef PKH
#define PKH 2
#endif
#ifndef PKW
#define PKW 2
#endif

/* The geometry as kernel parameters, in PoolGeometry's order (planes is the launch's dimension 1). */
#define POOL_GEOM const int D, const int H, const int W, const int kD, const int kH, const int kW, \
                  const int sD, const int sH, const int sW, const int pD, const int pH, const int pW, \
                  const int OD, const int OH, const int OW

/* (a, b, c) coordinates of flat index f in an [A, B, C] box; A is implied. */
#define SPLIT3(f, B, C, a, b, c) \
    const int a = (f) / ((B) * (C)); \
    const int b##_rest = (f) - a * ((B) * (C)); \
    const int b = b##_rest / (C); \
    const int c = b##_rest - b * (C);

/* First window index covering input coordinate t (padded coordinate t + pad) and one past the last. */
inline int first_window(const int t, const int pad, const int k, const int s) {
    const int u = t + pad - k;
    return u < 0 ? 0 : u / s + 1;
}

inline int end_window(const int t, const int pad, const int s, const int out) {
    return min(out, (t + pad) / s + 1);
}

/* No barriers in these kernels, so a work-item past the end may return early. */
__kernel void maxpool_forward(const int planes, POOL_GEOM, __global const float* x, const ulong xOff,
                              __global float* y, const ulong yOff, __global float* argmax, const ulong argmaxOff) {
    const int o = get_global_id(0);
    const int p = get_global_id(1);
    if (o >= OD * OH * OW || p >= planes) {
        return;
    }
    SPLIT3(o, OH, OW, od, oh, ow)
    const int ds = od * sD - pD;
    const int hs = oh * sH - pH;
    const int ws = ow * sW - pW;
    const int d0 = max(ds, 0), d1 = min(ds + kD, D);
    const int h0 = max(hs, 0), h1 = min(hs + kH, H);
    const int w0 = max(ws, 0), w1 = min(ws + kW, W);
    __global const float* xp = x + xOff + (ulong)p * (ulong)(D * H * W);
    float best = -INFINITY;
    int bi = -1;
    for (int d = d0; d < d1; ++d) {
        for (int h = h0; h < h1; ++h) {
            const int row = (d * H + h) * W;
            for (int w = w0; w < w1; ++w) {
                const float v = xp[row + w];
                /* first maximum wins; the first NaN wins and then nothing beats it */
                if (bi < 0 || (!isnan(best) && (v > best || isnan(v)))) {
                    best = v;
                    bi = row + w;
                }
            }
        }
    }
    const ulong at = (ulong)p * (ulong)(OD * OH * OW) + (ulong)o;
    y[yOff + at] = best;
    argmax[argmaxOff + at] = (float)bi;
}

__kernel void maxpool_backward(const int planes, POOL_GEOM, __global const float* dy, const ulong dyOff,
                               __global const float* argmax, const ulong argmaxOff, __global float* dx, const ulong dxOff) {
    const int i = get_global_id(0);
    const int p = get_global_id(1);
    if (i >= D * H * W || p >= planes) {
        return;
    }
    SPLIT3(i, H, W, d, h, w)
    const ulong plane = (ulong)p * (ulong)(OD * OH * OW);
    const float fi = (float)i;
    float acc = 0.0f;
    const int od1 = end_window(d, pD, sD, OD), oh1 = end_window(h, pH, sH, OH), ow1 = end_window(w, pW, sW, OW);
    for (int od = first_window(d, pD, kD, sD); od < od1; ++od) {
        for (int oh = first_window(h, pH, kH, sH); oh < oh1; ++oh) {
            for (int ow = first_window(w, pW, kW, sW); ow < ow1; ++ow) {
                const ulong at = plane + (ulong)((od * OH + oh) * OW + ow);
                if (argmax[argmaxOff + at] == fi) {
                    acc += dy[dyOff + at];
                }
            }
        }
    }
    dx[dxOff + (ulong)p * (ulong)(D * H * W) + (ulong)i] = acc;
}

/* The divisor of window (od, oh, ow), as PyTorch's avg_pool. */
inline float avg_count(const int od, const int oh, const int ow, const int D, const int H, const int W,
                       const int kD, const int kH, const int kW, const int sD, const int sH, const int sW,
                       const int pD, const int pH, const int pW) {
    const int ds = od * sD - pD, hs = oh * sH - pH, ws = ow * sW - pW;
#if COUNT_PAD
    const int de = min(ds + kD, D + pD), he = min(hs + kH, H + pH), we = min(ws + kW, W + pW);
    return (float)((de - ds) * (he - hs) * (we - ws));
#else
    const int de = min(ds + kD, D), he = min(hs + kH, H), we = min(ws + kW, W);
    return (float)((de - max(ds, 0)) * (he - max(hs, 0)) * (we - max(ws, 0)));
#endif
}

__kernel void avgpool_forward(const int planes, POOL_GEOM, __global const float* x, const ulong xOff,
                              __global float* y, const ulong yOff) {
    const int o = get_global_id(0);
    const int p = get_global_id(1);
    if (o >= OD * OH * OW || p >= planes) {
        return;
    }
    SPLIT3(o, OH, OW, od, oh, ow)
    const int ds = od * sD - pD, hs = oh * sH - pH, ws = ow * sW - pW;
    const int d0 = max(ds, 0), d1 = min(ds + kD, D);
    const int h0 = max(hs, 0), h1 = min(hs + kH, H);
    const int w0 = max(ws, 0), w1 = min(ws + kW, W);
    __global const float* xp = x + xOff + (ulong)p * (ulong)(D * H * W);
    float acc = 0.0f;
    for (int d = d0; d < d1; ++d) {
        for (int h = h0; h < h1; ++h) {
            const int row = (d * H + h) * W;
            for (int w = w0; w < w1; ++w) {
                acc += xp[row + w];
            }
        }
    }
    y[yOff + (ulong)p * (ulong)(OD * OH * OW) + (ulong)o] =
            acc / avg_count(od, oh, ow, D, H, W, kD, kH, kW, sD, sH, sW, pD, pH, pW);
}

__kernel void avgpool_backward(const int planes, POOL_GEOM, __global const float* dy, const ulong dyOff,
                               __global float* dx, const ulong dxOff) {
    const int i = get_global_id(0);
    const int p = get_global_id(1);
    if (i >= D * H * W || p >= planes) {
        return;
    }
    SPLIT3(i, H, W, d, h, w)
    __global const float* dyp = dy + dyOff + (ulong)p * (ulong)(OD * OH * OW);
    float acc = 0.0f;
    const int od1 = end_window(d, pD, sD, OD), oh1 = end_window(h, pH, sH, OH), ow1 = end_window(w, pW, sW, OW);
    for (int od = first_window(d, pD, kD, sD); od < od1; ++od) {
        for (int oh = first_window(h, pH, kH, sH); oh < oh1; ++oh) {
            for (int ow = first_window(w, pW, kW, sW); ow < ow1; ++ow) {
                acc += dyp[(od * OH + oh) * OW + ow] / avg_count(od, oh, ow, D, H, W, kD, kH, kW, sD, sH, sW, pD, pH, pW);
            }
        }
    }
    dx[dxOff + (ulong)p * (ulong)(D * H * W) + (ulong)i] = acc;
}

/* [floor(o in / out), ceil((o + 1) in / out)) */
inline int cell_start(const int o, const int in, const int out) {
    return (int)(((long)o * in) / out);
}

inline int cell_end(const int o, const int in, const int out) {
    return (int)(((long)(o + 1) * in + out - 1) / out);
}

__kernel void adaptive_forward(const int planes, const int D, const int H, const int W,
                               const int OD, const int OH, const int OW,
                               __global const float* x, const ulong xOff, __global float* y, const ulong yOff) {
    const int o = get_global_id(0);
    const int p = get_global_id(1);
    if (o >= OD * OH * OW || p >= planes) {
        return;
    }
    SPLIT3(o, OH, OW, od, oh, ow)
    const int d0 = cell_start(od, D, OD), d1 = cell_end(od, D, OD);
    const int h0 = cell_start(oh, H, OH), h1 = cell_end(oh, H, OH);
    const int w0 = cell_start(ow, W, OW), w1 = cell_end(ow, W, OW);
    __global const float* xp = x + xOff + (ulong)p * (ulong)(D * H * W);
    float acc = 0.0f;
    for (int d = d0; d < d1; ++d) {
        for (int h = h0; h < h1; ++h) {
            const int row = (d * H + h) * W;
            for (int w = w0; w < w1; ++w) {
                acc += xp[row + w];
            }
        }
    }
    y[yOff + (ulong)p * (ulong)(OD * OH * OW) + (ulong)o] = acc / (float)((d1 - d0) * (h1 - h0) * (w1 - w0));
}

__kernel void adaptive_backward(const int planes, const int D, const int H, const int W,
                                const int OD, const int OH, const int OW,
                                __global const float* dy, const ulong dyOff, __global float* dx, const ulong dxOff) {
    const int i = get_global_id(0);
    const int p = get_global_id(1);
    if (i >= D * H * W || p >= planes) {
        return;
    }
    SPLIT3(i, H, W, d, h, w)
    __global const float* dyp = dy + dyOff + (ulong)p * (ulong)(OD * OH * OW);
    float acc = 0.0f;
    /* cells containing coordinate t: o in [floor(t out / in), ceil((t + 1) out / in)) */
    const int od1 = cell_end(d, OD, D), oh1 = cell_end(h, OH, H), ow1 = cell_end(w, OW, W);
    for (int od = cell_start(d, OD, D); od < od1; ++od) {
        const int nd = cell_end(od, D, OD) - cell_start(od, D, OD);
        for (int oh = cell_start(h, OH, H); oh < oh1; ++oh) {
            const int nh = cell_end(oh, H, OH) - cell_start(oh, H, OH);
            for (int ow = cell_start(w, OW, W); ow < ow1; ++ow) {
                const int nw = cell_end(ow, W, OW) - cell_start(ow, W, OW);
                acc += dyp[(od * OH + oh) * OW + ow] / (float)(nd * nh * nw);
            }
        }
    }
    dx[dxOff + (ulong)p * (ulong)(D * H * W) + (ulong)i] = acc;
}

/* Windows tiling [planes, H, W]: rows = planes OH work-items, PKH x PKW windows with stride (PKH, PKW). */
__kernel void maxpool_tiles_forward(const int rows, const int H, const int W, const int OH, const int OW,
                                    __global const float* x, const ulong xOff, __global float* y, const ulong yOff,
                                    __global float* argmax, const ulong argmaxOff) {
    const int R = get_global_id(0);
    if (R >= rows) {
        return;
    }
    const int p = R / OH;
    const int h0 = (R - p * OH) * PKH;
    const ulong rowAt = (ulong)p * (ulong)H * (ulong)W + (ulong)h0 * (ulong)W;   /* within x */
    __global const float* xr = x + xOff + rowAt;
    __global float* yr = y + yOff + (ulong)R * (ulong)OW;
    __global float* ar = argmax + argmaxOff + (ulong)R * (ulong)OW;
    int ow = 0;
#if PKW == 2
    /* 8 windows at a time: one float16 load per window row, its even and odd lanes the two columns. A chunk
       whose loads would pass the end of x (rows x PKH x W floats) is left to the scalar loop. */
    const ulong xCount = (ulong)(rows / OH) * (ulong)H * (ulong)W;
    const int8 cols = (int8)(0, 2, 4, 6, 8, 10, 12, 14);
    for (; ow < OW && rowAt + (ulong)(PKH - 1) * (ulong)W + (ulong)(2 * ow + 16) <= xCount; ow += 8) {
        const int w0 = 2 * ow;
        float8 best = (float8)(0.0f);
        int8 bi = (int8)(0);
#pragma unroll
        for (int a = 0; a < PKH; ++a) {
            const float16 r = vload16(0, xr + a * W + w0);
            /* shuffle rather than .even / .odd, which Oclgrind's uninitialised-value checker misreads */
            const float8 even = shuffle(r, (uint8)(0, 2, 4, 6, 8, 10, 12, 14));
            const float8 odd = shuffle(r, (uint8)(1, 3, 5, 7, 9, 11, 13, 15));
            const int8 at = (int8)((h0 + a) * W + w0) + cols;
            if (a == 0) {
                best = even;
                bi = at;
            } else {
                const int8 take = ~isnan(best) & ~islessequal(even, best);     /* v > best, or v NaN */
                best = select(best, even, take);
                bi = select(bi, at, take);
            }
            const int8 take = ~isnan(best) & ~islessequal(odd, best);
            best = select(best, odd, take);
            bi = select(bi, at + (int8)(1), take);
        }
        const float8 fi = convert_float8(bi);
        if (ow + 8 <= OW) {
            vstore8(best, 0, yr + ow);
            vstore8(fi, 0, ar + ow);
        } else {
            float tb[8], ti[8];
            vstore8(best, 0, tb);
            vstore8(fi, 0, ti);
            for (int j = 0; j < OW - ow; ++j) {
                yr[ow + j] = tb[j];
                ar[ow + j] = ti[j];
            }
        }
    }
#endif
    for (; ow < OW; ++ow) {
        const int w0 = ow * PKW;
        float best = xr[w0];
        int bi = h0 * W + w0;
#pragma unroll
        for (int a = 0; a < PKH; ++a) {
#pragma unroll
            for (int b = 0; b < PKW; ++b) {
                if (a + b > 0) {
                    const float v = xr[a * W + w0 + b];
                    /* first maximum wins; the first NaN wins and then nothing beats it (no branches) */
                    const int take = (!isnan(best)) & ((v > best) | isnan(v));
                    best = select(best, v, take);
                    bi = select(bi, (h0 + a) * W + w0 + b, take);
                }
            }
        }
        yr[ow] = best;
        ar[ow] = (float)bi;
    }
}

__kernel void maxpool_tiles_backward(const int rows, const int H, const int W, const int OH, const int OW,
                                     __global const float* dy, const ulong dyOff, __global const float* argmax,
                                     const ulong argmaxOff, __global float* dx, const ulong dxOff) {
    const int R = get_global_id(0);
    if (R >= rows) {
        return;
    }
    const int p = R / OH;
    const int oh = R - p * OH;
    const int h0 = oh * PKH;
    __global float* dxp = dx + dxOff + (ulong)p * (ulong)H * (ulong)W;
    __global const float* dyr = dy + dyOff + (ulong)R * (ulong)OW;
    __global const float* ar = argmax + argmaxOff + (ulong)R * (ulong)OW;
    for (int ow = 0; ow < OW; ++ow) {
        const float g = dyr[ow];
        const float at = ar[ow];
        const int w0 = ow * PKW;
#pragma unroll
        for (int a = 0; a < PKH; ++a) {
#pragma unroll
            for (int b = 0; b < PKW; ++b) {
                const int i = (h0 + a) * W + w0 + b;
                dxp[i] = at == (float)i ? g : 0.0f;
            }
        }
    }
    /* the columns no window covers, and after the last output row the rows no window covers */
    const int h1 = oh == OH - 1 ? H : h0 + PKH;
    for (int h = h0; h < h1; ++h) {
        for (int w = h < h0 + PKH ? OW * PKW : 0; w < W; ++w) {
            dxp[h * W + w] = 0.0f;
        }
    }
}
