/*
 * random.cl -- counter-based random numbers from Philox 4x32-10 (OpenCL C 1.2).
 *
 * Element i of a call with (seed, offset) takes word w = i % 4 of the Philox 4x32-10 block with
 *   key     (k0, k1) = (lo32(seed), hi32(seed))
 *   counter (lo32(q), hi32(q), 0, 0),  q = offset + i / 4
 *   round   (c0, c1, c2, c3) -> (hi(M1 c2) ^ c1 ^ k0, lo(M1 c2), hi(M0 c0) ^ c3 ^ k1, lo(M0 c0)),
 *           then (k0, k1) += (W0, W1); 10 rounds
 * and converts it as org.cnn4j.runtime.spi.Philox does:
 *   rng_uniform     y = low + (high - low) * u,        u = (w >> 8) * 2^-24 in [0, 1)
 *   rng_bernoulli   y = u < p ? 1 : 0
 *   rng_normal      y = mean + std * z, with Box-Muller on the word pair (w_{2j}, w_{2j+1}) of the block:
 *                   u1 = ((w_{2j} >> 8) + 1) * 2^-24 in (0, 1], u2 = (w_{2j+1} >> 8) * 2^-24,
 *                   r = sqrt(-2 ln u1), z_{2j} = r cos(2 pi u2), z_{2j+1} = r sin(2 pi u2)
 * uniform and bernoulli are bit-identical to the Java reference; normal is computed in float with
 * cospi / sinpi (no rounding of 2 pi u2), within a few ulps of the reference's double computation.
 * FP_CONTRACT is off so that low + (high - low) * u is rounded twice, as in Java, never fused.
 *
 * Variants: one kernel per distribution; each work-item computes one block, i.e. four consecutive elements.
 *
 * -D parameters: none (the launcher passes no defines; the round count is part of the contract).
 *
 * Launcher: org.cnn4j.kernels.ClRandom
 */

#pragma OPENCL FP_CONTRACT OFF

#define PHILOX_ROUNDS 10
#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

inline uint4 philox_block(const ulong q, const ulong seed) {
    uint4 c = (uint4)((uint)q, (uint)(q >> 32), 0u, 0u);
    uint k0 = (uint)seed;
    uint k1 = (uint)(seed >> 32);
    for (int round = 0; round < PHILOX_ROUNDS; ++round) {
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

inline float philox_uniform(const uint w) {
    return (float)(w >> 8) * 0x1.0p-24f;
}

inline float philox_uniform_open_zero(const uint w) {
    return (float)((w >> 8) + 1u) * 0x1.0p-24f;
}

inline void store_block(__global float* y, const ulong first, const ulong n, const float4 v) {
    if (first + 4 <= n) {
        y[first] = v.s0;
        y[first + 1] = v.s1;
        y[first + 2] = v.s2;
        y[first + 3] = v.s3;
    } else {
        if (first < n) y[first] = v.s0;
        if (first + 1 < n) y[first + 1] = v.s1;
        if (first + 2 < n) y[first + 2] = v.s2;
    }
}

/* No barriers in these kernels, so a work-item past the end may return early. */
__kernel void rng_uniform(const ulong n, const ulong seed, const ulong offset, const float low, const float high,
                          __global float* y, const ulong yOff) {
    const ulong g = get_global_id(0);
    if (g * 4 >= n) {
        return;
    }
    const uint4 w = philox_block(offset + g, seed);
    const float span = high - low;
    const float4 v = (float4)(low + span * philox_uniform(w.x), low + span * philox_uniform(w.y),
                              low + span * philox_uniform(w.z), low + span * philox_uniform(w.w));
    store_block(y + yOff, g * 4, n, v);
}

__kernel void rng_bernoulli(const ulong n, const ulong seed, const ulong offset, const float p,
                            __global float* y, const ulong yOff) {
    const ulong g = get_global_id(0);
    if (g * 4 >= n) {
        return;
    }
    const uint4 w = philox_block(offset + g, seed);
    const float4 v = (float4)(philox_uniform(w.x) < p ? 1.0f : 0.0f, philox_uniform(w.y) < p ? 1.0f : 0.0f,
                              philox_uniform(w.z) < p ? 1.0f : 0.0f, philox_uniform(w.w) < p ? 1.0f : 0.0f);
    store_block(y + yOff, g * 4, n, v);
}

__kernel void rng_normal(const ulong n, const ulong seed, const ulong offset, const float mean, const float std,
                         __global float* y, const ulong yOff) {
    const ulong g = get_global_id(0);
    if (g * 4 >= n) {
        return;
    }
    const uint4 w = philox_block(offset + g, seed);
    const float r0 = sqrt(-2.0f * log(philox_uniform_open_zero(w.x)));
    const float t0 = 2.0f * philox_uniform(w.y);
    const float r1 = sqrt(-2.0f * log(philox_uniform_open_zero(w.z)));
    const float t1 = 2.0f * philox_uniform(w.w);
    const float4 z = (float4)(r0 * cospi(t0), r0 * sinpi(t0), r1 * cospi(t1), r1 * sinpi(t1));
    store_block(y + yOff, g * 4, n, (float4)(mean + std * z.s0, mean + std * z.s1, mean + std * z.s2, mean + std * z.s3));
}
