/*
 * dropout.cl -- inverted dropout with a Philox mask that is recomputed, never stored (OpenCL C 1.2).
 *
 * Computes, for i < n:
 *   j = i / groupSize                       (groupSize 1: element-wise; H*W: whole channels, Dropout2d)
 *   u(j) = uniform word j % 4 of the Philox 4x32-10 block with key (lo32(seed), hi32(seed)) and counter
 *          (lo32(q), hi32(q), 0, 0), q = offset + j / 4;  u = (w >> 8) * 2^-24, as org.cnn4j.runtime.spi.Philox
 *   y[yOff + i] = u(j) >= p ? x[xOff + i] / keep : 0,       keep = 1 - p rounded to float by the launcher
 * The quotient is rounded as an IEEE division (as Java's x / (1f - p)) without relying on the device's division,
 * which OpenCL lets be 2.5 ulp: q0 = x * inv (inv = 1 / keep from the launcher), r = fma(-q0, keep, x) exactly,
 * q = fma(r, inv, q0) (Markstein's correction).
 * The backward pass is the same kernel applied to dy with the same (seed, offset). The keep decision is
 * bit-identical to the Java reference (integer Philox and an exact conversion); x and y may be the same
 * range (each element is read before it is written by the same work-item).
 *
 * Variants: one kernel. A work-item takes IPW consecutive elements, walks (group, rest) incrementally (no
 *   division per element) and computes a Philox block only when the counter changes, so element-wise dropout
 *   costs one block per four elements and channel dropout one per four channels.
 *
 * -D parameters:
 *   IPW   elements per work-item (default 16; the launcher sets 16)
 *
 * Launcher: org.cnn4j.kernels.ClDropout
 */

#pragma OPENCL FP_CONTRACT OFF

#ifndef IPW
#define IPW 16
#endif

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

inline uint4 dropout_philox(const ulong q, const ulong seed) {
    uint4 c = (uint4)((uint)q, (uint)(q >> 32), 0u, 0u);
    uint k0 = (uint)seed;
    uint k1 = (uint)(seed >> 32);
    for (int round = 0; round < 10; ++round) {
        const uint hi0 = mul_hi(PHILOX_M0, c.x);
        const uint lo0 = PHILOX_M0 * c.x;
        const uint hi1 = mul_hi(PHILOX_M1, c.z);
        const uint lo1 = PHILOX_M1 * c.z;
        c = (uint4)(hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0);
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
    return c;
}

inline uint dropout_word(const uint4 w, const uint slot) {
    return slot == 0u ? w.x : slot == 1u ? w.y : slot == 2u ? w.z : w.w;
}

/* No barriers here, so a work-item past the end may return early. */
__kernel void dropout_forward(const ulong n, const ulong groupSize, const float p, const float keep, const float inv,
                              const ulong seed, const ulong offset,
                              __global const float* x, const ulong xOff, __global float* y, const ulong yOff) {
    const ulong first = get_global_id(0) * IPW;
    if (first >= n) {
        return;
    }
    const ulong last = min(n, first + IPW);
    ulong j = first / groupSize;                 /* group of element i */
    ulong rest = first - j * groupSize;          /* i - j * groupSize */
    ulong q = offset + j / 4;
    uint4 block = dropout_philox(q, seed);
    for (ulong i = first; i < last; ++i) {
        const ulong qj = offset + j / 4;
        if (qj != q) {
            q = qj;
            block = dropout_philox(q, seed);
        }
        const uint word = dropout_word(block, (uint)(j - (j / 4) * 4));
        const float u = (float)(word >> 8) * 0x1.0p-24f;
        const float v = x[xOff + i];
        const float q0 = v * inv;
        y[yOff + i] = u >= p ? fma(fma(-q0, keep, v), inv, q0) : 0.0f;
        if (++rest == groupSize) {
            rest = 0;
            ++j;
        }
    }
}
