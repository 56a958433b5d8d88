package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * The pure-Java backend: every op runs on the calling thread and the shared {@link CpuParallel} pool,
 * and has finished when the method returns (so {@link #synchronize()} has nothing to wait for).
 * Memory is a {@code float[]} on the Java heap.
 *
 * <p>Each op family is one small class: {@link CpuMemory}, {@link CpuElementwise}, {@link CpuReduction},
 * {@link CpuLayout}, {@link CpuGemm}, {@link CpuRandom}; this class only delegates.
 */
public final class CpuBackend implements Backend {
    private final DeviceInfo info;
    private final CpuMemory memory = new CpuMemory();
    private final CpuElementwise elementwise = new CpuElementwise();
    private final CpuReduction reduction = new CpuReduction();
    private final CpuLayout layout = new CpuLayout();
    private final CpuGemm gemm = new CpuGemm();
    private final CpuRandom random = new CpuRandom();

    /** @param info the device this backend reports, from {@link CpuBackendProvider#devices()} */
    public CpuBackend(DeviceInfo info) {
        this.info = info;
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    /** Does nothing: every op has finished when it returns. */
    @Override
    public void synchronize() {
        // operations are synchronous
    }

    /** Does nothing: memory belongs to the garbage collector and the thread pool is shared. */
    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public DeviceMemory allocate(long elements) {
        return memory.allocate(elements);
    }

    @Override
    public void release(DeviceMemory mem) {
        memory.release(mem);
    }

    @Override
    public void write(float[] src, int srcOffset, DeviceMemory dst, long dstOffset, int length) {
        memory.write(src, srcOffset, dst, dstOffset, length);
    }

    @Override
    public void read(DeviceMemory src, long srcOffset, float[] dst, int dstOffset, int length) {
        memory.read(src, srcOffset, dst, dstOffset, length);
    }

    @Override
    public void copy(DeviceMemory src, long srcOffset, DeviceMemory dst, long dstOffset, long length) {
        memory.copy(src, srcOffset, dst, dstOffset, length);
    }

    @Override
    public void fill(DeviceMemory dst, long offset, long length, float value) {
        memory.fill(dst, offset, length, value);
    }

    @Override
    public void unary(UnaryOp op, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        elementwise.unary(op, n, x, xOff, y, yOff);
    }

    @Override
    public void binary(BinaryOp op, StridedLayout aLayout, DeviceMemory a, long aOff,
                       StridedLayout bLayout, DeviceMemory b, long bOff, DeviceMemory out, long outOff) {
        elementwise.binary(op, aLayout, a, aOff, bLayout, b, bOff, out, outOff);
    }

    @Override
    public void scalar(BinaryOp op, long n, DeviceMemory x, long xOff, float s, boolean scalarFirst,
                       DeviceMemory y, long yOff) {
        elementwise.scalar(op, n, x, xOff, s, scalarFirst, y, yOff);
    }

    @Override
    public void reduce(ReduceOp op, int outer, int axis, int inner, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        reduction.reduce(op, outer, axis, inner, x, xOff, y, yOff);
    }

    @Override
    public void argmax(int outer, int axis, int inner, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        reduction.argmax(outer, axis, inner, x, xOff, y, yOff);
    }

    @Override
    public void stridedCopy(StridedLayout srcLayout, DeviceMemory src, long srcOff, DeviceMemory dst, long dstOff) {
        layout.stridedCopy(srcLayout, src, srcOff, dst, dstOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     DeviceMemory a, long aOff, int lda, long strideA,
                     DeviceMemory b, long bOff, int ldb, long strideB,
                     float beta, DeviceMemory c, long cOff, int ldc, long strideC, int batch) {
        gemm.gemm(transA, transB, m, n, k, alpha, a, aOff, lda, strideA, b, bOff, ldb, strideB,
                beta, c, cOff, ldc, strideC, batch);
    }

    @Override
    public void uniform(long n, long seed, long offset, float low, float high, DeviceMemory y, long yOff) {
        random.uniform(n, seed, offset, low, high, y, yOff);
    }

    @Override
    public void bernoulli(long n, long seed, long offset, float p, DeviceMemory y, long yOff) {
        random.bernoulli(n, seed, offset, p, y, yOff);
    }

    @Override
    public void normal(long n, long seed, long offset, float mean, float std, DeviceMemory y, long yOff) {
        random.normal(n, seed, offset, mean, std, y, yOff);
    }

    @Override
    public String toString() {
        return "CpuBackend[" + info.name() + "]";
    }
}
