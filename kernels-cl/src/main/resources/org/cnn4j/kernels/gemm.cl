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
 *   gemm_tiled2   for GPUs: a work-group computes a TS2 x TS2 tile of C with (TS2 / WPT2)^2 work-items, each
 *                 holding a WPT2 x WPT2 register block (rows ly + i TS2 / WPT2, columns lx + j TS2 / WPT2, so
 *                 that a warp's local-memory reads of B are consecutive and of A broadcast). k is walked in
 *                 steps of TSK: the group stages the TS2 x TSK slice of op(A) and the TSK x TS2 slice of op(B)
 *                 in local memory (rows padded by one float against bank conflicts), each work-item loading
 *                 TS2 TSK / (TS2 / WPT2)^2 elements of each in the order that makes neighbouring work-items read
 *                 neighbouring addresses for each transposition (coalesced), then every work-item does
 *                 TSK WPT2^2 fused multiply-adds from registers per 2 WPT2 local reads. Zero-padded loads and
 *                 guarded stores at the edges; every work-item reaches every barrier. With 128 x 128 tiles and
 *                 8 x 8 blocks this is the register-blocked scheme of the fast OpenCL SGEMMs (CLBlast's xgemm,
 *                 Nugteren's myGEMM 6). Not measured on a GPU here; correct on PoCL and under Oclgrind.
 *   gemm_blocked  for CPU devices, where local memory and barriers are emulated and slow. No local memory,
 *                 no barriers: each work-item computes an RM x RN block of C in registers, the RN columns of
 *                 op(B) as one floatRN vector, streaming over k (loops over the RM rows unrolled, fused
 *                 multiply-adds). Blocks that overhang the column edge, and transposed B, gather op(B) element
 *                 by element. (PoCL, 64 x 3136 x 128: 0.4 ms; with the rows loop rolled, which kept acc in
 *                 memory, 1.6 ms.)
 *   gemm_dot      for CPU devices, A B^T (transA == 0, transB == 1; a Linear layer's forward pass): both operands'
 *                 rows are contiguous along k, so a work-item keeps DM x DN floatV accumulators of dot products
 *                 along k and adds their lanes at the end. (PoCL, 64 x 128 x 3136: 0.55 ms against 4.6 ms for
 *                 gemm_blocked's gathering path.)
 *
 * -D parameters:
 *   TS    gemm_tiled: tile edge in elements (default 16); local memory 2 * TS * TS floats
 *   WPT   gemm_tiled: rows of C per work-item, must divide TS (default 4); work-group TS x (TS / WPT)
 *   TS2, WPT2, TSK  gemm_tiled2: tile edge, register block edge (divides TS2) and k step (default 64, 4, 16);
 *         work-group (TS2 / WPT2) x (TS2 / WPT2), local memory TSK (2 TS2 + 2) floats
 *   RM    gemm_blocked: rows of C per work-item (default 8)
 *   RN    gemm_blocked: columns of C per work-item, an OpenCL vector width 2, 4, 8 or 16 (default 16)
 *   DM, DN  gemm_dot: rows and columns of C per work-item (default 4, 4)
 *   VW    gemm_dot: floats per vector along k, 4, 8 or 16 (default 16; the launcher uses the device's preferred width)
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

#ifndef TS2
#define TS2 64
#endif
#ifndef WPT2
#define WPT2 4
#endif
#ifndef TSK
#define TSK 16
#endif
#define RTS2 (TS2 / WPT2)
#if (TS2 % WPT2) != 0
#error "WPT2 must divide TS2"
#endif
#if ((TS2 * TSK) % (RTS2 * RTS2)) != 0
#error "the work-group must divide the TS2 x TSK tile"
#endif

#ifndef DM
#define DM 4
#endif
#ifndef DN
#define DN 4
#endif
#include "vector_width.clh"

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

__kernel __attribute__((reqd_work_group_size(RTS2, RTS2, 1)))
void gemm_tiled2(const int transA, const int transB, const int m, const int n, const int k, const float alpha,
                 __global const float* A, const ulong aOff, const int lda, const ulong strideA,
                 __global const float* B, const ulong bOff, const int ldb, const ulong strideB,
                 const float beta, __global float* C, const ulong cOff, const int ldc, const ulong strideC) {
    __local float As[TSK][TS2 + 1];     /* As[kk][r]: op(A)(m0 + r, k0 + kk) */
    __local float Bs[TSK][TS2 + 1];     /* Bs[kk][c]: op(B)(k0 + kk, n0 + c) */

    const int lx = get_local_id(0);
    const int ly = get_local_id(1);
    const int tid = ly * RTS2 + lx;
    const int n0 = get_group_id(0) * TS2;
    const int m0 = get_group_id(1) * TS2;
    const ulong batch = get_global_id(2);
    A += aOff + batch * strideA;
    B += bOff + batch * strideB;
    C += cOff + batch * strideC;

    float acc[WPT2][WPT2];
#pragma unroll
    for (int i = 0; i < WPT2; ++i) {
#pragma unroll
        for (int j = 0; j < WPT2; ++j) {
            acc[i][j] = 0.0f;
        }
    }

    for (int k0 = 0; k0 < k; k0 += TSK) {
        /* TS2 x TSK elements of each operand, RTS2 * RTS2 work-items: neighbouring ids take neighbouring addresses */
#pragma unroll
        for (int l = 0; l < (TS2 * TSK) / (RTS2 * RTS2); ++l) {
            const int id = l * (RTS2 * RTS2) + tid;
            /* quotient and multiply-back rather than %: LLVM pairs / and % with a freeze Oclgrind cannot check */
            if (transA == 0) {              /* A is m x k: along k */
                const int r = id / TSK;
                const int kk = id - r * TSK;
                const int gm = m0 + r;
                const int gk = k0 + kk;
                As[kk][r] = (gm < m && gk < k) ? A[(ulong)gm * (ulong)lda + (ulong)gk] : 0.0f;
            } else {                        /* A is k x m: along m */
                const int kk = id / TS2;
                const int r = id - kk * TS2;
                const int gm = m0 + r;
                const int gk = k0 + kk;
                As[kk][r] = (gm < m && gk < k) ? A[(ulong)gk * (ulong)lda + (ulong)gm] : 0.0f;
            }
            if (transB == 0) {              /* B is k x n: along n */
                const int kk = id / TS2;
                const int c = id - kk * TS2;
                const int gn = n0 + c;
                const int gk = k0 + kk;
                Bs[kk][c] = (gk < k && gn < n) ? B[(ulong)gk * (ulong)ldb + (ulong)gn] : 0.0f;
            } else {                        /* B is n x k: along k */
                const int c = id / TSK;
                const int kk = id - c * TSK;
                const int gn = n0 + c;
                const int gk = k0 + kk;
                Bs[kk][c] = (gk < k && gn < n) ? B[(ulong)gn * (ulong)ldb + (ulong)gk] : 0.0f;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
#pragma unroll
        for (int kk = 0; kk < TSK; ++kk) {
            float breg[WPT2];
#pragma unroll
            for (int j = 0; j < WPT2; ++j) {
                breg[j] = Bs[kk][lx + j * RTS2];
            }
#pragma unroll
            for (int i = 0; i < WPT2; ++i) {
                const float a = As[kk][ly + i * RTS2];
#pragma unroll
                for (int j = 0; j < WPT2; ++j) {
                    acc[i][j] = fma(a, breg[j], acc[i][j]);
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

#pragma unroll
    for (int i = 0; i < WPT2; ++i) {
        const int gm = m0 + ly + i * RTS2;
#pragma unroll
        for (int j = 0; j < WPT2; ++j) {
            const int gn = n0 + lx + j * RTS2;
            if (gm < m && gn < n) {
                const ulong ci = (ulong)gm * (ulong)ldc + (ulong)gn;
                const float ab = alpha == 0.0f ? 0.0f : alpha * acc[i][j];
                C[ci] = beta == 0.0f ? ab : ab + beta * C[ci];
            }
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

    /* every loop over the RM rows is unrolled, so that acc lives in registers; rows past the edge of a block read
       the matrix's last row (their results are not stored) */
    floatRN acc[RM];
    ulong aAt[RM];
#pragma unroll
    for (int r = 0; r < RM; ++r) {
        acc[r] = (floatRN)(0.0f);
        aAt[r] = (ulong)min(r0 + r, m - 1) * aRow;
    }
    if (cols == RN && transB == 0) {
        /* full columns: one vector load of op(B) per step */
        __global const float* bp = B + (ulong)c0;
        for (int p = 0; p < k; ++p) {
            const floatRN b = vloadRN(0, bp);
#pragma unroll
            for (int r = 0; r < RM; ++r) {
                acc[r] = fma((floatRN)(A[aAt[r]]), b, acc[r]);
                aAt[r] += aCol;
            }
            bp += bRow;
        }
    } else {
        /* edge columns or transposed B: gather op(B) element by element, zero outside the matrix */
        for (int p = 0; p < k; ++p) {
            float bs[RN];
            for (int j = 0; j < RN; ++j) {
                bs[j] = j < cols ? B[(ulong)p * bRow + (ulong)(c0 + j) * bCol] : 0.0f;
            }
            const floatRN b = vloadRN(0, bs);
#pragma unroll
            for (int r = 0; r < RM; ++r) {
                acc[r] = fma((floatRN)(A[aAt[r]]), b, acc[r]);
                aAt[r] += aCol;
            }
        }
    }

#pragma unroll
    for (int r = 0; r < RM; ++r) {
        if (r < rows) {
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
}

/*
 * C = alpha A B^T + beta C for transA == 0, transB == 1: element (r, c) is the dot product of row r of A and row c
 * of B, both contiguous along k. A work-item holds DM x DN vector accumulators over VW consecutive k, adds their
 * lanes at the end (halving order) and then the k % VW tail in order. Rows and columns past the edge read the last
 * row (their results are not stored).
 */
__kernel void gemm_dot(const int transA, const int transB, const int m, const int n, const int k, const float alpha,
                       __global const float* A, const ulong aOff, const int lda, const ulong strideA,
                       __global const float* B, const ulong bOff, const int ldb, const ulong strideB,
                       const float beta, __global float* C, const ulong cOff, const int ldc, const ulong strideC) {
    const int c0 = get_global_id(0) * DN;
    const int r0 = get_global_id(1) * DM;
    if (c0 >= n || r0 >= m) {
        return;
    }
    const ulong batch = get_global_id(2);
    A += aOff + batch * strideA;
    B += bOff + batch * strideB;
    C += cOff + batch * strideC;
    __global const float* ar[DM];
    __global const float* br[DN];
#pragma unroll
    for (int i = 0; i < DM; ++i) {
        ar[i] = A + (ulong)min(r0 + i, m - 1) * (ulong)lda;
    }
#pragma unroll
    for (int j = 0; j < DN; ++j) {
        br[j] = B + (ulong)min(c0 + j, n - 1) * (ulong)ldb;
    }
    floatV acc[DM][DN];
#pragma unroll
    for (int i = 0; i < DM; ++i) {
#pragma unroll
        for (int j = 0; j < DN; ++j) {
            acc[i][j] = (floatV)(0.0f);
        }
    }
    int p = 0;
    for (; p + VW <= k; p += VW) {
        floatV av[DM];
        floatV bv[DN];
#pragma unroll
        for (int i = 0; i < DM; ++i) {
            av[i] = vloadV(0, ar[i] + p);
        }
#pragma unroll
        for (int j = 0; j < DN; ++j) {
            bv[j] = vloadV(0, br[j] + p);
        }
#pragma unroll
        for (int i = 0; i < DM; ++i) {
#pragma unroll
            for (int j = 0; j < DN; ++j) {
                acc[i][j] = fma(av[i], bv[j], acc[i][j]);
            }
        }
    }
    float out[DM][DN];
#pragma unroll
    for (int i = 0; i < DM; ++i) {
#pragma unroll
        for (int j = 0; j < DN; ++j) {
            out[i][j] = vw_lane_sum(acc[i][j]);
        }
    }
    for (; p < k; ++p) {
#pragma unroll
        for (int i = 0; i < DM; ++i) {
#pragma unroll
            for (int j = 0; j < DN; ++j) {
                out[i][j] = fma(ar[i][p], br[j][p], out[i][j]);
            }
        }
    }
#pragma unroll
    for (int i = 0; i < DM; ++i) {
#pragma unroll
        for (int j = 0; j < DN; ++j) {
            if (r0 + i < m && c0 + j < n) {
                __global float* cp = C + (ulong)(r0 + i) * (ulong)ldc + (ulong)(c0 + j);
                const float ab = alpha == 0.0f ? 0.0f : alpha * out[i][j];
                *cp = beta == 0.0f ? ab : ab + beta * *cp;
            }
        }
    }
}
