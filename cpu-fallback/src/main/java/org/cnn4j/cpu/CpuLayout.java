package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.LayoutOps;
import org.cnn4j.runtime.spi.StridedLayout;

/**
 * Strided copies on the CPU: {@code dst[dstOff + i] = src[srcOff + S(i)]} for every row-major index
 * {@code i} of the source layout, any rank up to {@link StridedLayout#MAX_RANK}. A contiguous source is
 * one {@link System#arraycopy}; otherwise the output is walked row by row with {@link CpuStrides}.
 */
final class CpuLayout implements LayoutOps {
    private static final long GRAIN = 1L << 15;
    private static final long[] NO_STRIDES = new long[StridedLayout.MAX_RANK];

    /** {@code dst[dstOff + i] = src[srcOff + sum_d i_d * strides[d]]} for {@code i} row-major over {@code dims}. */
    @Override
    public void stridedCopy(StridedLayout srcLayout, DeviceMemory src, long srcOff, DeviceMemory dst, long dstOff) {
        float[] s = CpuMemory.array(src);
        float[] d = CpuMemory.array(dst);
        long n = srcLayout.size();
        if (CpuStrides.isContiguous(srcLayout)) {
            System.arraycopy(s, Math.toIntExact(srcOff), d, Math.toIntExact(dstOff), Math.toIntExact(n));
            return;
        }
        int[] dims = srcLayout.dims();
        long[] strides = srcLayout.strides();
        int inner = (int) strides[dims.length - 1];
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> CpuStrides.forEachRow(dims, strides, srcOff,
                NO_STRIDES, 0, from, to, (outPos, srcPos, unused, len) -> {
                    int o = (int) (dstOff + outPos);
                    int p = (int) srcPos;
                    if (inner == 1) {
                        System.arraycopy(s, p, d, o, len);
                    } else {
                        for (int i = 0; i < len; i++) {
                            d[o + i] = s[p + i * inner];
                        }
                    }
                }));
    }
}
