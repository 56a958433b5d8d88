/*
 * loss.cl -- row-wise softmax, log-softmax and cross-entropy with label smoothing (OpenCL C 1.2).
 *
 * For each row r < rows of a [rows, classes] matrix x (K = classes), with m = max_j x_j and
 * lse = log sum_j exp(x_j - m) (the maximum is subtracted first, so exp never overflows):
 *   softmax_forward        y_j = exp(x_j - m) / sum_i exp(x_i - m)                (LOG == 0)
 *                          y_j = x_j - m - lse                                    (LOG == 1)
 *   softmax_backward       dx_j = y_j (dy_j - sum_i dy_i y_i)                      (LOG == 0)
 *                          dx_j = dy_j - exp(y_j) sum_i dy_i                       (LOG == 1)
 *   cross_entropy_forward  q_j = (1 - s) [j = t] + s / K,  loss_r = -sum_j q_j logSoftmax_j
 *                                = -(1 - s) logSoftmax_t - (s / K) sum_j logSoftmax_j   (second term only when s != 0,
 *                                  so that s = 0 never multiplies a -inf by 0)
 *   cross_entropy_backward dx_j = scale[0] * (softmax_j - q_j), scale read from device memory (no host round trip)
 * t = targets[r] is a class index stored as a float; when t is not an integer in [0, K) the row's loss and
 * every element of its gradient are NaN. A row containing NaN gives NaN. Every element of a row is read
 * before the row is written, by the same work-item, so y may alias x and dx may alias dy.
 *
 * Variants: one work-item per row, three sweeps over the row (max, sum of exponentials, output); rows are
 *   short in classification (K = 10 .. 1000) and a row stays in cache between sweeps.
 *
 * -D parameters:
 *   LOG   softmax_forward / softmax_backward: 1 for log-softmax, 0 for softmax (default 0)
 *
 * Launcher: org.cnn4j.kernels.ClLoss
 */

#ifndef LOG
#define LOG 0
#endif

/* m and lse of a row; m is NaN if the row has a NaN (then everything downstream is NaN too). */
inline float2 row_max_lse(__global const float* row, const int classes) {
    float m = -INFINITY;
    for (int j = 0; j < classes; ++j) {
        const float v = row[j];
        m = (v > m || isnan(v)) ? v : m;
        if (isnan(m)) {
            break;
        }
    }
    if (m == -INFINITY) {
        m = 0.0f;          /* all -inf: exp(x - 0) = 0, lse = -inf, softmax NaN as 0/0 */
    }
    float s = 0.0f;
    for (int j = 0; j < classes; ++j) {
        s += exp(row[j] - m);
    }
    return (float2)(m, log(s));
}

/* The target class, or -1 when t is not an integer in [0, classes). */
inline int target_class(const float t, const int classes) {
    if (!(t >= 0.0f && t < (float)classes) || t != floor(t)) {
        return -1;
    }
    return (int)t;
}

/* No barriers in these kernels, so a work-item past the end may return early. */
__kernel void softmax_forward(const int rows, const int classes, __global const float* x, const ulong xOff,
                              __global float* y, const ulong yOff) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    __global const float* xr = x + xOff + (ulong)r * (ulong)classes;
    __global float* yr = y + yOff + (ulong)r * (ulong)classes;
    const float2 ml = row_max_lse(xr, classes);
#if LOG
    for (int j = 0; j < classes; ++j) {
        yr[j] = (xr[j] - ml.x) - ml.y;
    }
#else
    const float inv = 1.0f / exp(ml.y);
    for (int j = 0; j < classes; ++j) {
        yr[j] = exp(xr[j] - ml.x) * inv;
    }
#endif
}

__kernel void softmax_backward(const int rows, const int classes, __global const float* y, const ulong yOff,
                               __global const float* dy, const ulong dyOff, __global float* dx, const ulong dxOff) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    __global const float* yr = y + yOff + (ulong)r * (ulong)classes;
    __global const float* dyr = dy + dyOff + (ulong)r * (ulong)classes;
    __global float* dxr = dx + dxOff + (ulong)r * (ulong)classes;
    float s = 0.0f;
#if LOG
    for (int j = 0; j < classes; ++j) {
        s += dyr[j];
    }
    for (int j = 0; j < classes; ++j) {
        dxr[j] = dyr[j] - exp(yr[j]) * s;
    }
#else
    for (int j = 0; j < classes; ++j) {
        s += dyr[j] * yr[j];
    }
    for (int j = 0; j < classes; ++j) {
        dxr[j] = yr[j] * (dyr[j] - s);
    }
#endif
}

__kernel void cross_entropy_forward(const int rows, const int classes, const float smoothing,
                                    __global const float* logits, const ulong logitsOff,
                                    __global const float* targets, const ulong targetsOff,
                                    __global float* loss, const ulong lossOff) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    __global const float* xr = logits + logitsOff + (ulong)r * (ulong)classes;
    const int t = target_class(targets[targetsOff + r], classes);
    if (t < 0) {
        loss[lossOff + r] = NAN;
        return;
    }
    const float2 ml = row_max_lse(xr, classes);
    float l = -(1.0f - smoothing) * ((xr[t] - ml.x) - ml.y);
    if (smoothing != 0.0f) {
        float s = 0.0f;
        for (int j = 0; j < classes; ++j) {
            s += (xr[j] - ml.x) - ml.y;
        }
        l -= smoothing / (float)classes * s;
    }
    loss[lossOff + r] = l;
}

__kernel void cross_entropy_backward(const int rows, const int classes, const float smoothing,
                                     __global const float* logits, const ulong logitsOff,
                                     __global const float* targets, const ulong targetsOff,
                                     __global const float* scale, const ulong scaleOff,
                                     __global float* dx, const ulong dxOff) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    __global const float* xr = logits + logitsOff + (ulong)r * (ulong)classes;
    __global float* dxr = dx + dxOff + (ulong)r * (ulong)classes;
    const int t = target_class(targets[targetsOff + r], classes);
    if (t < 0) {
        for (int j = 0; j < classes; ++j) {
            dxr[j] = NAN;
        }
        return;
    }
    const float g = scale[scaleOff];
    const float2 ml = row_max_lse(xr, classes);
    const float inv = 1.0f / exp(ml.y);
    const float off = smoothing / (float)classes;
    const float on = (1.0f - smoothing) + off;
    for (int j = 0; j < classes; ++j) {
        const float sm = exp(xr[j] - ml.x) * inv;
        dxr[j] = g * (sm - (j == t ? on : off));
    }
}
