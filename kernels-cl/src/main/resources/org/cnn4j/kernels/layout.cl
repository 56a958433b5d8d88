/*
 * layout.cl -- strided copies into contiguous memory (OpenCL C 1.2).
 *
 * Computes, for every row-major index i < n of dims:
 *   strided_copy   dst[dstOff + i] = src[srcOff + S(i)],   S(i) = sum_d c_d(i) * strides[d]
 * where (c_0, ..., c_7) are the coordinates of i. A transpose is the source's strides permuted; a
 * broadcast made real has stride 0 along the repeated dimensions.
 *
 * Variants: one kernel; dims right-aligned in an int8 (unused leading dims 1, strides 0), IPW consecutive
 *   outputs per work-item, stepping the innermost coordinate and re-deriving all coordinates only when it
 *   wraps. A contiguous source never reaches this kernel: the launcher copies it with clEnqueueCopyBuffer.
 *
 * -D parameters:
 *   IPW   outputs per work-item (default 4; the launcher sets 64 on CPU devices and 1 elsewhere, as for
 *         ew_binary_strided in elementwise.cl)
 *
 * Launcher: org.cnn4j.kernels.ClLayout
 */

#ifndef IPW
#define IPW 4
#endif

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

/* No barriers here, so a work-item past the end may return early. */
__kernel void strided_copy(const ulong n, const int8 dims, const long8 strides,
                           __global const float* src, const ulong srcOff,
                           __global float* dst, const ulong dstOff) {
    ulong i = (ulong)get_global_id(0) * IPW;
    if (i >= n) {
        return;
    }
    long so = strided_offset(i, dims, strides);
    ulong c7 = i - i / (ulong)dims.s7 * (ulong)dims.s7;
    for (int t = 0; t < IPW && i < n; ++t, ++i) {
        dst[dstOff + i] = src[srcOff + so];
        if (++c7 < (ulong)dims.s7) {
            so += strides.s7;
        } else {
            c7 = 0;
            so = strided_offset(i + 1, dims, strides);
        }
    }
}
