/*
 * gemm.cl -- batched general matrix multiply, row-major (OpenCL C 1.2).
 *
 * Computes, for every batch index b < batch (global dimension 2):
 *   C_b = alpha * op(A_b) * op(B_b) + beta * C_b
 *   op(A) = A (transA == 0) or A^T, m x k;  op(B) = B (transB == 0) or B^T, k x n;  C is m x n
 *   A_b starts at aOff + b * strideA, stored element (r, c) at A_b[r * lda + c]; the same for B and C.
 * When beta == 0, C is not read (NaN in C does not propagate), and when alpha == 0, A and B do not
 * contribute (as in BLAS).
 *
 * Variants:
 *   gemm_tiled    for GPUs and accelerators. A work-group computes a TS x TS tile of C with
 *                 TS x (TS / WPT) work-items; each work-item computes WPT rows (ly, ly + TS/WPT, ...) of one
 *                 column lx. The k dimension is walked in steps of TS: the group stages a TS x TS tile of
 *                 op(A) and of op(B) in local memory (each work-item loads WPT elements of each, in the index
 *                 order that makes consecutive work-items read consecutive addresses for each transposition),
 *                 synchronises, and accumulates. Loads outside the matrices read as zero, so m, n and k need
 *                 not be multiples of TS; stores are guarded. Every work-item reaches every barrier.
 *   gemm_blocked  for CPU devices, where local memory and barriers are emulated and slow. No local memory,
 *                 no barriers: each work-item computes an RM x RN block of C in registers, the RN columns of
 *                 op(B) as one floatRN vector, streaming over k. Blocks that overhang the matrix edges take a
 *                 guarded path. (PoCL, n = 1024: ~30 GFLOP/s against ~1.4 for gemm_tiled.)
 *
 * -D parameters:
 *   TS    gemm_tiled: tile edge in elements (default 16); local memory 2 * TS * TS floats
 *   WPT   gemm_tiled: rows of C per work-item, must divide TS (default 4); work-group TS x (TS / WPT)
 *   RM    gemm_blocked: rows of C per work-item (default 8)
 *   RN    gemm_blocked: columns of C per work-item, an OpenCL vector width 2, 4, 8 or 16 (default 16)
 *
 * Launcher: org.cnn4j.kernels.ClGemm (picks the variant by device type, and TS and WPT within the device's
 *   local-memory and work-group limits)
 */

#ifndef TS
#define TS 16
#endif
#ifndef WPT
#define WPT 4
#endif
#define RTS (TS / WPT)

#ifndef RM
#define RM 8
#endif
#ifndef RN
#define RN 16
#endif

#if (TS % WPT) != 0
#error "WPT must divide TS"
#endif

#define GEMM_CAT_(a, b) a##b
#define GEMM_CAT(a, b) GEMM_CAT_(a, b)
#define floatRN GEMM_CAT(float, RN)
#define vloadRN GEMM_CAT(vload, RN)
#define vstoreRN GEMM_CAT(vstore, RN)

__kernel __attribute__((reqd_work_group_size(TS, RTS, 1)))
void gemm_tiled(const int transA, const int transB, const int m, const int n, const int k, const float alpha,
                __global const float* A, const ulong aOff, const int lda, const ulong strideA,
                __global const float* B, const ulong bOff, const int ldb, const ulong strideB,
                const float beta, __global float* C, const ulong cOff, const int ldc, const ulong strideC) {
    __local float As[TS][TS];   /* As[kk][r]: op(A)(m0 + r, k0 + kk) */
    __local float Bs[TS][TS];   /* Bs[kk][c]: op(B)(k0 + kk, n0 + c) */

    const int lx = get_local_id(0);
    const int ly = get_local_id(1);
    const int n0 = get_group_id(0) * TS;
    const int m0 = get_group_id(1) * TS;
    const ulong batch = get_global_id(2);
    A += aOff + batch * strideA;
    B += bOff + batch * strideB;
    C += cOff + batch * strideC;

    float acc[WPT];
    for (int w = 0; w < WPT; ++w) {
        acc[w] = 0.0f;
    }

    for (int k0 = 0; k0 < k; k0 += TS) {
        for (int w = 0; w < WPT; ++w) {
            const int t = ly + w * RTS;   /* 0 .. TS-1 */
            if (transA == 0) {            /* A is m x k: consecutive lx read consecutive k */
                const int gm = m0 + t;
                const int gk = k0 + lx;
                As[lx][t] = (gm < m && gk < k) ? A[(ulong)gm * (ulong)lda + (ulong)gk] : 0.0f;
            } else {                      /* A is k x m: consecutive lx read consecutive m */
                const int gk = k0 + t;
                const int gm = m0 + lx;
                As[t][lx] = (gm < m && gk < k) ? A[(ulong)gk * (ulong)lda + (ulong)gm] : 0.0f;
            }
            if (transB == 0) {            /* B is k x n: consecutive lx read consecutive n */
                const int gk = k0 + t;
                const int gn = n0 + lx;
                Bs[t][lx] = (gk < k && gn < n) ? B[(ulong)gk * (ulong)ldb + (ulong)gn] : 0.0f;
            } else {                      /* B is n x k: consecutive lx read consecutive k */
                const int gn = n0 + t;
                const int gk = k0 + lx;
                Bs[lx][t] = (gk < k && gn < n) ? B[(ulong)gn * (ulong)ldb + (ulong)gk] : 0.0f;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TS; ++kk) {
            const float b = Bs[kk][lx];
            for (int w = 0; w < WPT; ++w) {
                acc[w] += As[kk][ly + w * RTS] * b;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    const int gn = n0 + lx;
    for (int w = 0; w < WPT; ++w) {
        const int gm = m0 + ly + w * RTS;
        if (gm < m && gn < n) {
            const ulong ci = (ulong)gm * (ulong)ldc + (ulong)gn;
            const float ab = alpha == 0.0f ? 0.0f : alpha * acc[w];
            C[ci] = beta == 0.0f ? ab : ab + beta * C[ci];
        }
    }
}

/* No barriers in this kernel, so a work-item past the edge may return early. */
__kernel void gemm_blocked(const int transA, const int transB, const int m, const int n, const int k, const float alpha,
                           __global const float* A, const ulong aOff, const int lda, const ulong strideA,
                           __global const float* B, const ulong bOff, const int ldb, const ulong strideB,
                           const float beta, __global float* C, const ulong cOff, const int ldc, const ulong strideC) {
    const int c0 = get_global_id(0) * RN;
    const int r0 = get_global_id(1) * RM;
    if (c0 >= n || r0 >= m) {
        return;
    }
    const ulong batch = get_global_id(2);
    A += aOff + batch * strideA;
    B += bOff + batch * strideB;
    C += cOff + batch * strideC;
    /* op(A)(r, p) = A[r * aRow + p * aCol], op(B)(p, c) = B[p * bRow + c * bCol] */
    const ulong aRow = transA ? 1 : (ulong)lda;
    const ulong aCol = transA ? (ulong)lda : 1;
    const ulong bRow = transB ? 1 : (ulong)ldb;
    const ulong bCol = transB ? (ulong)ldb : 1;
    const int rows = min(RM, m - r0);
    const int cols = min(RN, n - c0);

    floatRN acc[RM];
    for (int r = 0; r < RM; ++r) {
        acc[r] = (floatRN)(0.0f);
    }
    if (rows == RM && cols == RN && transB == 0) {
        /* interior block: one vector load of op(B) per step */
        for (int p = 0; p < k; ++p) {
            const floatRN b = vloadRN(0, B + (ulong)p * bRow + (ulong)c0);
            for (int r = 0; r < RM; ++r) {
                acc[r] = mad((floatRN)(A[(ulong)(r0 + r) * aRow + (ulong)p * aCol]), b, acc[r]);
            }
        }
    } else {
        /* edge block or transposed B: gather op(B) element by element, zero outside the matrix */
        for (int p = 0; p < k; ++p) {
            float bs[RN];
            for (int j = 0; j < RN; ++j) {
                bs[j] = j < cols ? B[(ulong)p * bRow + (ulong)(c0 + j) * bCol] : 0.0f;
            }
            const floatRN b = vloadRN(0, bs);
            for (int r = 0; r < rows; ++r) {
                acc[r] = mad((floatRN)(A[(ulong)(r0 + r) * aRow + (ulong)p * aCol]), b, acc[r]);
            }
        }
    }

    for (int r = 0; r < rows; ++r) {
        __global float* c = C + (ulong)(r0 + r) * (ulong)ldc + (ulong)c0;
        const floatRN ab = alpha == 0.0f ? (floatRN)(0.0f) : alpha * acc[r];
        if (cols == RN) {
            vstoreRN(beta == 0.0f ? ab : ab + beta * vloadRN(0, c), 0, c);
        } else {
            float out[RN];
            vstoreRN(ab, 0, out);
            for (int j = 0; j < cols; ++j) {
                c[j] = beta == 0.0f ? out[j] : out[j] + beta * c[j];
            }
        }
    }
}
