package org.cnn4j.kernels;

import java.util.Arrays;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * The OpenCL implementation of the backend SPI on one device: memory through {@link ClContext}, every
 * op family through its launcher ({@link ClElementwise}, {@link ClReduction}, {@link ClLayout},
 * {@link ClGemm}, {@link ClRandom}). Ops are enqueued on one in-order queue; only {@link #read} and
 * {@link #synchronize()} wait.
 *
 * <p>Memory arguments must be {@link ClBuffer}s allocated by this backend, and every element an op
 * touches must lie inside its buffer; violations raise {@link IllegalArgumentException} before anything
 * is enqueued.
 */
public final class OpenClBackend implements Backend {
    private final ClContext context;
    private final ClElementwise elementwise;
    private final ClReduction reduction;
    private final ClLayout layout;
    private final ClGemm gemm;
    private final ClRandom random;

    /** @param context an opened device; the backend owns it from now on and closes it in {@link #close()} */
    public OpenClBackend(ClContext context) {
        this.context = context;
        this.elementwise = new ClElementwise(context);
        this.reduction = new ClReduction(context);
        this.layout = new ClLayout(context);
        this.gemm = new ClGemm(context);
        this.random = new ClRandom(context);
    }

    /** The OpenCL context this backend computes in. */
    public ClContext context() {
        return context;
    }

    @Override
    public DeviceInfo info() {
        return context.device().info();
    }

    @Override
    public void synchronize() {
        context.finish();
    }

    @Override
    public void close() {
        context.close();
    }

    // ---- memory

    @Override
    public DeviceMemory allocate(long elements) {
        return context.allocate(elements);
    }

    @Override
    public void release(DeviceMemory memory) {
        if (memory instanceof ClBuffer buffer && buffer.owner() == context) {
            context.release(buffer);
        }
    }

    @Override
    public void write(float[] src, int srcOffset, DeviceMemory dst, long dstOffset, int length) {
        context.write(src, srcOffset, cl(dst, "write", "dst"), dstOffset, length);
    }

    @Override
    public void read(DeviceMemory src, long srcOffset, float[] dst, int dstOffset, int length) {
        context.read(cl(src, "read", "src"), srcOffset, dst, dstOffset, length);
    }

    @Override
    public void copy(DeviceMemory src, long srcOffset, DeviceMemory dst, long dstOffset, long length) {
        context.copy(cl(src, "copy", "src"), srcOffset, cl(dst, "copy", "dst"), dstOffset, length);
    }

    @Override
    public void fill(DeviceMemory dst, long offset, long length, float value) {
        context.fill(cl(dst, "fill", "dst"), offset, length, value);
    }

    // ---- element-wise

    @Override
    public void unary(UnaryOp op, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        ClBuffer xb = cl(x, "unary", "x");
        ClBuffer yb = cl(y, "unary", "y");
        Ranges.flat("unary", "x", xb, xOff, n);
        Ranges.flat("unary", "y", yb, yOff, n);
        elementwise.unary(op, n, xb, xOff, yb, yOff);
    }

    @Override
    public void binary(BinaryOp op, StridedLayout aLayout, DeviceMemory a, long aOff,
                       StridedLayout bLayout, DeviceMemory b, long bOff, DeviceMemory out, long outOff) {
        if (!Arrays.equals(aLayout.dims(), bLayout.dims())) {
            throw new IllegalArgumentException("OpenClBackend.binary: bLayout must have the dims of aLayout "
                    + Arrays.toString(aLayout.dims()) + ", but got " + Arrays.toString(bLayout.dims()));
        }
        ClBuffer ab = cl(a, "binary", "a");
        ClBuffer bb = cl(b, "binary", "b");
        ClBuffer ob = cl(out, "binary", "out");
        Ranges.strided("binary", "a", ab, aOff, aLayout);
        Ranges.strided("binary", "b", bb, bOff, bLayout);
        Ranges.flat("binary", "out", ob, outOff, aLayout.size());
        elementwise.binary(op, aLayout, ab, aOff, bLayout, bb, bOff, ob, outOff);
    }

    @Override
    public void scalar(BinaryOp op, long n, DeviceMemory x, long xOff, float s, boolean scalarFirst,
                       DeviceMemory y, long yOff) {
        ClBuffer xb = cl(x, "scalar", "x");
        ClBuffer yb = cl(y, "scalar", "y");
        Ranges.flat("scalar", "x", xb, xOff, n);
        Ranges.flat("scalar", "y", yb, yOff, n);
        elementwise.scalar(op, n, xb, xOff, s, scalarFirst, yb, yOff);
    }

    // ---- reductions

    @Override
    public void reduce(ReduceOp op, int outer, int axis, int inner, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        ClBuffer xb = cl(x, "reduce", "x");
        ClBuffer yb = cl(y, "reduce", "y");
        checkReduction("reduce", outer, axis, inner, xb, xOff, yb, yOff);
        reduction.reduce(op, outer, axis, inner, xb, xOff, yb, yOff);
    }

    @Override
    public void argmax(int outer, int axis, int inner, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        ClBuffer xb = cl(x, "argmax", "x");
        ClBuffer yb = cl(y, "argmax", "y");
        checkReduction("argmax", outer, axis, inner, xb, xOff, yb, yOff);
        reduction.argmax(outer, axis, inner, xb, xOff, yb, yOff);
    }

    private static void checkReduction(String method, int outer, int axis, int inner, ClBuffer x, long xOff, ClBuffer y,
                                       long yOff) {
        if (outer < 0 || axis < 1 || inner < 0) {
            throw new IllegalArgumentException("OpenClBackend." + method + ": [outer, axis, inner] must be >= [0, 1, 0], but got ["
                    + outer + ", " + axis + ", " + inner + "]");
        }
        Ranges.flat(method, "x", x, xOff, (long) outer * axis * inner);
        Ranges.flat(method, "y", y, yOff, (long) outer * inner);
    }

    // ---- layout

    @Override
    public void stridedCopy(StridedLayout srcLayout, DeviceMemory src, long srcOff, DeviceMemory dst, long dstOff) {
        ClBuffer sb = cl(src, "stridedCopy", "src");
        ClBuffer db = cl(dst, "stridedCopy", "dst");
        Ranges.strided("stridedCopy", "src", sb, srcOff, srcLayout);
        Ranges.flat("stridedCopy", "dst", db, dstOff, srcLayout.size());
        layout.stridedCopy(srcLayout, sb, srcOff, db, dstOff);
    }

    // ---- gemm

    @Override
    @SuppressWarnings("java:S107") // BLAS's argument list
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     DeviceMemory a, long aOff, int lda, long strideA,
                     DeviceMemory b, long bOff, int ldb, long strideB,
                     float beta, DeviceMemory c, long cOff, int ldc, long strideC, int batch) {
        if (m < 0 || n < 0 || k < 0 || batch < 0) {
            throw new IllegalArgumentException("OpenClBackend.gemm: m, n, k and batch must be >= 0, but got m=" + m + ", n=" + n
                    + ", k=" + k + ", batch=" + batch);
        }
        ClBuffer ab = cl(a, "gemm", "a");
        ClBuffer bb = cl(b, "gemm", "b");
        ClBuffer cb = cl(c, "gemm", "c");
        if (k > 0) {
            Ranges.matrices("gemm", "a", ab, aOff, transA ? k : m, transA ? m : k, lda, strideA, batch);
            Ranges.matrices("gemm", "b", bb, bOff, transB ? n : k, transB ? k : n, ldb, strideB, batch);
        }
        Ranges.matrices("gemm", "c", cb, cOff, m, n, ldc, strideC, batch);
        gemm.gemm(transA, transB, m, n, k, alpha, ab, aOff, lda, strideA, bb, bOff, ldb, strideB,
                beta, cb, cOff, ldc, strideC, batch);
    }

    // ---- random

    @Override
    public void uniform(long n, long seed, long offset, float low, float high, DeviceMemory y, long yOff) {
        ClBuffer yb = cl(y, "uniform", "y");
        Ranges.flat("uniform", "y", yb, yOff, n);
        random.uniform(n, seed, offset, low, high, yb, yOff);
    }

    @Override
    public void bernoulli(long n, long seed, long offset, float p, DeviceMemory y, long yOff) {
        ClBuffer yb = cl(y, "bernoulli", "y");
        Ranges.flat("bernoulli", "y", yb, yOff, n);
        random.bernoulli(n, seed, offset, p, yb, yOff);
    }

    @Override
    public void normal(long n, long seed, long offset, float mean, float std, DeviceMemory y, long yOff) {
        ClBuffer yb = cl(y, "normal", "y");
        Ranges.flat("normal", "y", yb, yOff, n);
        random.normal(n, seed, offset, mean, std, yb, yOff);
    }

    private ClBuffer cl(DeviceMemory memory, String method, String name) {
        if (memory instanceof ClBuffer buffer && buffer.owner() == context) {
            return buffer;
        }
        throw new IllegalArgumentException("OpenClBackend." + method + ": " + name + " must be memory allocated by this backend ("
                + context.device().label() + "), but got " + memory);
    }

    @Override
    public String toString() {
        return "OpenClBackend[" + info().describe() + "]";
    }
}
