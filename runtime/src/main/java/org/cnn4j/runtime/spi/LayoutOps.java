package org.cnn4j.runtime.spi;

/** Data movement that changes layout: permutations (transpose), broadcasts made real, gathers of views. */
public interface LayoutOps {
    /**
     * Strided copy into contiguous memory: {@code dst[dstOff + i] = src[srcOff + S(i)]} for every
     * row-major index {@code i} of {@code srcLayout.dims()}. A transpose is the source's strides permuted.
     */
    void stridedCopy(StridedLayout srcLayout, DeviceMemory src, long srcOff, DeviceMemory dst, long dstOff);
}
