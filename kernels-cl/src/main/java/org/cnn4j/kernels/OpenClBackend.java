package org.cnn4j.kernels;

import java.util.Arrays;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * The OpenCL implementation of the backend SPI on one device: memory through {@link ClContext}, every
 * op family through its launcher ({@link ClElementwise}, {@link ClReduction}, {@link ClLayout},
 * {@link ClGemm}, {@link ClRandom}, {@link ClActivation}, {@link ClConv}, {@link ClPool}, {@link ClNorm},
 * {@link ClDropout}, {@link ClLoss}, {@link ClOptimizer}). Ops are enqueued on one in-order queue; only {@link #read} and
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
    private final ClActivation activation;
    private final ClConv conv;
    private final ClPool pool;
    private final ClNorm norm;
    private final ClDropout dropout;
    private final ClLoss loss;
    private final ClOptimizer optimizer;

    /** @param context an opened device; the backend owns it from now on and closes it in {@link #close()} */
    public OpenClBackend(ClContext context) {
        this.context = context;
        this.elementwise = new ClElementwise(context);
        this.reduction = new ClReduction(context);
        this.layout = new ClLayout(context);
        this.gemm = new ClGemm(context);
        this.random = new ClRandom(context);
        this.activation = new ClActivation(context);
        this.conv = new ClConv(context, gemm);
        this.pool = new ClPool(context);
        this.norm = new ClNorm(context);
        this.dropout = new ClDropout(context);
        this.loss = new ClLoss(context);
        this.optimizer = new ClOptimizer(context);
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
        conv.close();
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

    // ---- activations

    @Override
    public void activation(Activation f, float a, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        ClBuffer xb = cl(x, "activation", "x");
        ClBuffer yb = cl(y, "activation", "y");
        Ranges.flat("activation", "x", xb, xOff, n);
        Ranges.flat("activation", "y", yb, yOff, n);
        activation.forward(f, a, n, xb, xOff, yb, yOff);
    }

    @Override
    public void activationBackward(Activation f, float a, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                                   DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff) {
        ClBuffer xb = cl(x, "activationBackward", "x");
        ClBuffer yb = cl(y, "activationBackward", "y");
        ClBuffer dyb = cl(dy, "activationBackward", "dy");
        ClBuffer dxb = cl(dx, "activationBackward", "dx");
        Ranges.flat("activationBackward", "x", xb, xOff, n);
        Ranges.flat("activationBackward", "y", yb, yOff, n);
        Ranges.flat("activationBackward", "dy", dyb, dyOff, n);
        Ranges.flat("activationBackward", "dx", dxb, dxOff, n);
        activation.backward(f, a, n, xb, xOff, yb, yOff, dyb, dyOff, dxb, dxOff);
    }

    // ---- convolution

    @Override
    public void convForward(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory w, long wOff,
                            DeviceMemory bias, long biasOff, DeviceMemory y, long yOff) {
        checkConv("convForward", g);
        ClBuffer xb = cl(x, "convForward", "x");
        ClBuffer wb = cl(w, "convForward", "w");
        ClBuffer bb = bias == null ? null : cl(bias, "convForward", "bias");
        ClBuffer yb = cl(y, "convForward", "y");
        Ranges.flat("convForward", "x", xb, xOff, g.inputSize());
        Ranges.flat("convForward", "w", wb, wOff, g.weightSize());
        if (bb != null) {
            Ranges.flat("convForward", "bias", bb, biasOff, g.outChannels());
        }
        Ranges.flat("convForward", "y", yb, yOff, g.outputSize());
        conv.forward(g, xb, xOff, wb, wOff, bb, biasOff, yb, yOff);
    }

    @Override
    public void convBackwardInput(ConvGeometry g, DeviceMemory dy, long dyOff, DeviceMemory w, long wOff,
                                  DeviceMemory dx, long dxOff) {
        checkConv("convBackwardInput", g);
        ClBuffer dyb = cl(dy, "convBackwardInput", "dy");
        ClBuffer wb = cl(w, "convBackwardInput", "w");
        ClBuffer dxb = cl(dx, "convBackwardInput", "dx");
        Ranges.flat("convBackwardInput", "dy", dyb, dyOff, g.outputSize());
        Ranges.flat("convBackwardInput", "w", wb, wOff, g.weightSize());
        Ranges.flat("convBackwardInput", "dx", dxb, dxOff, g.inputSize());
        conv.backwardInput(g, dyb, dyOff, wb, wOff, dxb, dxOff);
    }

    @Override
    public void convBackwardWeight(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory dy, long dyOff,
                                   DeviceMemory dw, long dwOff) {
        checkConv("convBackwardWeight", g);
        ClBuffer xb = cl(x, "convBackwardWeight", "x");
        ClBuffer dyb = cl(dy, "convBackwardWeight", "dy");
        ClBuffer dwb = cl(dw, "convBackwardWeight", "dw");
        Ranges.flat("convBackwardWeight", "x", xb, xOff, g.inputSize());
        Ranges.flat("convBackwardWeight", "dy", dyb, dyOff, g.outputSize());
        Ranges.flat("convBackwardWeight", "dw", dwb, dwOff, g.weightSize());
        conv.backwardWeight(g, xb, xOff, dyb, dyOff, dwb, dwOff);
    }

    /** What the kernels rely on: positive strides and dilations, groups dividing both channel counts, int-sized planes. */
    private static void checkConv(String method, ConvGeometry g) {
        if (g.groups() < 1 || g.inChannels() % g.groups() != 0 || g.outChannels() % g.groups() != 0) {
            throw new IllegalArgumentException("OpenClBackend." + method + ": groups must be >= 1 and divide inChannels and "
                    + "outChannels, but got groups=" + g.groups() + " (" + g + ")");
        }
        if (Math.min(g.strideD(), Math.min(g.strideH(), g.strideW())) < 1
                || Math.min(g.dilationD(), Math.min(g.dilationH(), g.dilationW())) < 1
                || Math.min(g.padFront(), Math.min(g.padTop(), g.padLeft())) < 0) {
            throw new IllegalArgumentException("OpenClBackend." + method + ": strides and dilations must be >= 1 and paddings"
                    + " >= 0, but got " + g);
        }
        long plane = (long) g.inChannels() * g.inDepth() * g.inHeight() * g.inWidth();
        long outPlane = (long) g.outChannels() * g.outDepth() * g.outHeight() * g.outWidth();
        if (Math.max(plane, outPlane) > Integer.MAX_VALUE || g.weightSize() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("OpenClBackend." + method + ": one image and the weight must have fewer than "
                    + "2^31 elements, but got " + g);
        }
    }

    // ---- pooling

    @Override
    public void maxPoolForward(PoolGeometry g, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                               DeviceMemory argmax, long argmaxOff) {
        ClBuffer xb = cl(x, "maxPoolForward", "x");
        ClBuffer yb = cl(y, "maxPoolForward", "y");
        ClBuffer ab = cl(argmax, "maxPoolForward", "argmax");
        Ranges.flat("maxPoolForward", "x", xb, xOff, g.inputSize());
        Ranges.flat("maxPoolForward", "y", yb, yOff, g.outputSize());
        Ranges.flat("maxPoolForward", "argmax", ab, argmaxOff, g.outputSize());
        pool.maxForward(g, xb, xOff, yb, yOff, ab, argmaxOff);
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, DeviceMemory dy, long dyOff, DeviceMemory argmax, long argmaxOff,
                                DeviceMemory dx, long dxOff) {
        ClBuffer dyb = cl(dy, "maxPoolBackward", "dy");
        ClBuffer ab = cl(argmax, "maxPoolBackward", "argmax");
        ClBuffer dxb = cl(dx, "maxPoolBackward", "dx");
        Ranges.flat("maxPoolBackward", "dy", dyb, dyOff, g.outputSize());
        Ranges.flat("maxPoolBackward", "argmax", ab, argmaxOff, g.outputSize());
        Ranges.flat("maxPoolBackward", "dx", dxb, dxOff, g.inputSize());
        pool.maxBackward(g, dyb, dyOff, ab, argmaxOff, dxb, dxOff);
    }

    @Override
    public void avgPoolForward(PoolGeometry g, boolean countIncludePad, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        ClBuffer xb = cl(x, "avgPoolForward", "x");
        ClBuffer yb = cl(y, "avgPoolForward", "y");
        Ranges.flat("avgPoolForward", "x", xb, xOff, g.inputSize());
        Ranges.flat("avgPoolForward", "y", yb, yOff, g.outputSize());
        pool.avgForward(g, countIncludePad, xb, xOff, yb, yOff);
    }

    @Override
    public void avgPoolBackward(PoolGeometry g, boolean countIncludePad, DeviceMemory dy, long dyOff, DeviceMemory dx,
                                long dxOff) {
        ClBuffer dyb = cl(dy, "avgPoolBackward", "dy");
        ClBuffer dxb = cl(dx, "avgPoolBackward", "dx");
        Ranges.flat("avgPoolBackward", "dy", dyb, dyOff, g.outputSize());
        Ranges.flat("avgPoolBackward", "dx", dxb, dxOff, g.inputSize());
        pool.avgBackward(g, countIncludePad, dyb, dyOff, dxb, dxOff);
    }

    @Override
    public void adaptiveAvgPoolForward(PoolGeometry g, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        ClBuffer xb = cl(x, "adaptiveAvgPoolForward", "x");
        ClBuffer yb = cl(y, "adaptiveAvgPoolForward", "y");
        Ranges.flat("adaptiveAvgPoolForward", "x", xb, xOff, g.inputSize());
        Ranges.flat("adaptiveAvgPoolForward", "y", yb, yOff, g.outputSize());
        pool.adaptiveForward(g, xb, xOff, yb, yOff);
    }

    @Override
    public void adaptiveAvgPoolBackward(PoolGeometry g, DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff) {
        ClBuffer dyb = cl(dy, "adaptiveAvgPoolBackward", "dy");
        ClBuffer dxb = cl(dx, "adaptiveAvgPoolBackward", "dx");
        Ranges.flat("adaptiveAvgPoolBackward", "dy", dyb, dyOff, g.outputSize());
        Ranges.flat("adaptiveAvgPoolBackward", "dx", dxb, dxOff, g.inputSize());
        pool.adaptiveBackward(g, dyb, dyOff, dxb, dxOff);
    }

    // ---- batch normalization

    @Override
    public void batchNormStatistics(int n, int c, int spatial, DeviceMemory x, long xOff,
                                    DeviceMemory mean, long meanOff, DeviceMemory var, long varOff) {
        ClBuffer xb = cl(x, "batchNormStatistics", "x");
        ClBuffer mb = cl(mean, "batchNormStatistics", "mean");
        ClBuffer vb = cl(var, "batchNormStatistics", "var");
        Ranges.flat("batchNormStatistics", "x", xb, xOff, (long) n * c * spatial);
        Ranges.flat("batchNormStatistics", "mean", mb, meanOff, c);
        Ranges.flat("batchNormStatistics", "var", vb, varOff, c);
        norm.statistics(n, c, spatial, xb, xOff, mb, meanOff, vb, varOff);
    }

    @Override
    public void batchNormForward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                                 DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                 DeviceMemory gamma, long gammaOff, DeviceMemory beta, long betaOff,
                                 DeviceMemory y, long yOff) {
        ClBuffer xb = cl(x, "batchNormForward", "x");
        ClBuffer mb = cl(mean, "batchNormForward", "mean");
        ClBuffer vb = cl(var, "batchNormForward", "var");
        ClBuffer gb = gamma == null ? null : cl(gamma, "batchNormForward", "gamma");
        ClBuffer bb = beta == null ? null : cl(beta, "batchNormForward", "beta");
        ClBuffer yb = cl(y, "batchNormForward", "y");
        long size = (long) n * c * spatial;
        Ranges.flat("batchNormForward", "x", xb, xOff, size);
        Ranges.flat("batchNormForward", "mean", mb, meanOff, c);
        Ranges.flat("batchNormForward", "var", vb, varOff, c);
        if (gb != null) {
            Ranges.flat("batchNormForward", "gamma", gb, gammaOff, c);
        }
        if (bb != null) {
            Ranges.flat("batchNormForward", "beta", bb, betaOff, c);
        }
        Ranges.flat("batchNormForward", "y", yb, yOff, size);
        norm.forward(n, c, spatial, eps, xb, xOff, mb, meanOff, vb, varOff, gb, gammaOff, bb, betaOff, yb, yOff);
    }

    @Override
    public void batchNormBackward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff, DeviceMemory dy, long dyOff,
                                  DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                  DeviceMemory gamma, long gammaOff, DeviceMemory dx, long dxOff,
                                  DeviceMemory dgamma, long dgammaOff, DeviceMemory dbeta, long dbetaOff) {
        String m = "batchNormBackward";
        ClBuffer xb = cl(x, m, "x");
        ClBuffer dyb = cl(dy, m, "dy");
        ClBuffer mb = cl(mean, m, "mean");
        ClBuffer vb = cl(var, m, "var");
        ClBuffer gb = gamma == null ? null : cl(gamma, m, "gamma");
        ClBuffer dxb = cl(dx, m, "dx");
        ClBuffer dgb = dgamma == null ? null : cl(dgamma, m, "dgamma");
        ClBuffer dbb = dbeta == null ? null : cl(dbeta, m, "dbeta");
        long size = (long) n * c * spatial;
        Ranges.flat(m, "x", xb, xOff, size);
        Ranges.flat(m, "dy", dyb, dyOff, size);
        Ranges.flat(m, "mean", mb, meanOff, c);
        Ranges.flat(m, "var", vb, varOff, c);
        if (gb != null) {
            Ranges.flat(m, "gamma", gb, gammaOff, c);
        }
        Ranges.flat(m, "dx", dxb, dxOff, size);
        if (dgb != null) {
            Ranges.flat(m, "dgamma", dgb, dgammaOff, c);
        }
        if (dbb != null) {
            Ranges.flat(m, "dbeta", dbb, dbetaOff, c);
        }
        norm.backward(n, c, spatial, eps, xb, xOff, dyb, dyOff, mb, meanOff, vb, varOff, gb, gammaOff, dxb, dxOff,
                dgb, dgammaOff, dbb, dbetaOff);
    }

    /** Not fused on OpenCL yet: {@link #batchNormForward}, then ReLU over {@code y} in place. */
    @Override
    public void batchNormReluForward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                                     DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                     DeviceMemory gamma, long gammaOff, DeviceMemory beta, long betaOff,
                                     DeviceMemory y, long yOff) {
        batchNormForward(n, c, spatial, eps, x, xOff, mean, meanOff, var, varOff, gamma, gammaOff, beta, betaOff, y, yOff);
        activation(Activation.RELU, 0f, (long) n * c * spatial, y, yOff, y, yOff);
    }

    /**
     * Not fused on OpenCL yet: ReLU's backward writes {@code y > 0 ? dy : 0} into {@code dx}, then
     * {@link #batchNormBackward} runs on {@code dx} in place (its kernels read each element of {@code dy} only in the
     * work-item that writes the same element of {@code dx}). Every range is checked before the first launch.
     */
    @Override
    public void batchNormReluBackward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                                      DeviceMemory dy, long dyOff, DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                      DeviceMemory gamma, long gammaOff, DeviceMemory dx, long dxOff,
                                      DeviceMemory dgamma, long dgammaOff, DeviceMemory dbeta, long dbetaOff) {
        String m = "batchNormReluBackward";
        long size = (long) n * c * spatial;
        Ranges.flat(m, "x", cl(x, m, "x"), xOff, size);
        Ranges.flat(m, "y", cl(y, m, "y"), yOff, size);
        Ranges.flat(m, "dy", cl(dy, m, "dy"), dyOff, size);
        Ranges.flat(m, "dx", cl(dx, m, "dx"), dxOff, size);
        Ranges.flat(m, "mean", cl(mean, m, "mean"), meanOff, c);
        Ranges.flat(m, "var", cl(var, m, "var"), varOff, c);
        if (gamma != null) {
            Ranges.flat(m, "gamma", cl(gamma, m, "gamma"), gammaOff, c);
        }
        if (dgamma != null) {
            Ranges.flat(m, "dgamma", cl(dgamma, m, "dgamma"), dgammaOff, c);
        }
        if (dbeta != null) {
            Ranges.flat(m, "dbeta", cl(dbeta, m, "dbeta"), dbetaOff, c);
        }
        activationBackward(Activation.RELU, 0f, size, y, yOff, y, yOff, dy, dyOff, dx, dxOff);
        batchNormBackward(n, c, spatial, eps, x, xOff, dx, dxOff, mean, meanOff, var, varOff, gamma, gammaOff, dx, dxOff,
                dgamma, dgammaOff, dbeta, dbetaOff);
    }

    // ---- dropout

    @Override
    public void dropout(long n, long groupSize, float p, long seed, long offset, DeviceMemory x, long xOff,
                        DeviceMemory y, long yOff) {
        if (groupSize < 1 || !(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("OpenClBackend.dropout: groupSize must be >= 1 and p in [0, 1), but got groupSize="
                    + groupSize + ", p=" + p);
        }
        ClBuffer xb = cl(x, "dropout", "x");
        ClBuffer yb = cl(y, "dropout", "y");
        Ranges.flat("dropout", "x", xb, xOff, n);
        Ranges.flat("dropout", "y", yb, yOff, n);
        dropout.dropout(n, groupSize, p, seed, offset, xb, xOff, yb, yOff);
    }

    // ---- softmax and loss

    @Override
    public void softmax(boolean log, int rows, int classes, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        ClBuffer xb = cl(x, "softmax", "x");
        ClBuffer yb = cl(y, "softmax", "y");
        Ranges.flat("softmax", "x", xb, xOff, (long) rows * classes);
        Ranges.flat("softmax", "y", yb, yOff, (long) rows * classes);
        loss.softmax(log, rows, classes, xb, xOff, yb, yOff);
    }

    @Override
    public void softmaxBackward(boolean log, int rows, int classes, DeviceMemory y, long yOff, DeviceMemory dy, long dyOff,
                                DeviceMemory dx, long dxOff) {
        ClBuffer yb = cl(y, "softmaxBackward", "y");
        ClBuffer dyb = cl(dy, "softmaxBackward", "dy");
        ClBuffer dxb = cl(dx, "softmaxBackward", "dx");
        long size = (long) rows * classes;
        Ranges.flat("softmaxBackward", "y", yb, yOff, size);
        Ranges.flat("softmaxBackward", "dy", dyb, dyOff, size);
        Ranges.flat("softmaxBackward", "dx", dxb, dxOff, size);
        loss.softmaxBackward(log, rows, classes, yb, yOff, dyb, dyOff, dxb, dxOff);
    }

    @Override
    public void crossEntropy(int rows, int classes, float smoothing, DeviceMemory logits, long logitsOff,
                             DeviceMemory targets, long targetsOff, DeviceMemory loss, long lossOff) {
        ClBuffer xb = cl(logits, "crossEntropy", "logits");
        ClBuffer tb = cl(targets, "crossEntropy", "targets");
        ClBuffer lb = cl(loss, "crossEntropy", "loss");
        Ranges.flat("crossEntropy", "logits", xb, logitsOff, (long) rows * classes);
        Ranges.flat("crossEntropy", "targets", tb, targetsOff, rows);
        Ranges.flat("crossEntropy", "loss", lb, lossOff, rows);
        this.loss.crossEntropy(rows, classes, smoothing, xb, logitsOff, tb, targetsOff, lb, lossOff);
    }

    @Override
    public void crossEntropyBackward(int rows, int classes, float smoothing, DeviceMemory logits, long logitsOff,
                                     DeviceMemory targets, long targetsOff, DeviceMemory scale, long scaleOff,
                                     DeviceMemory dx, long dxOff) {
        String m = "crossEntropyBackward";
        ClBuffer xb = cl(logits, m, "logits");
        ClBuffer tb = cl(targets, m, "targets");
        ClBuffer sb = cl(scale, m, "scale");
        ClBuffer dxb = cl(dx, m, "dx");
        Ranges.flat(m, "logits", xb, logitsOff, (long) rows * classes);
        Ranges.flat(m, "targets", tb, targetsOff, rows);
        Ranges.flat(m, "scale", sb, scaleOff, 1);
        Ranges.flat(m, "dx", dxb, dxOff, (long) rows * classes);
        loss.crossEntropyBackward(rows, classes, smoothing, xb, logitsOff, tb, targetsOff, sb, scaleOff, dxb, dxOff);
    }

    // ---- optimizers

    @Override
    public void sgdStep(long n, float lr, float momentum, float dampening, float weightDecay, boolean nesterov, boolean firstStep,
                        DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory buf, long bufOff) {
        String m = "sgdStep";
        ClBuffer pb = cl(p, m, "p");
        ClBuffer gb = cl(g, m, "g");
        ClBuffer bb = momentum != 0f ? state(buf, m, "buf", "momentum != 0 (momentum=" + momentum + ")", bufOff, n) : null;
        Ranges.flat(m, "p", pb, pOff, n);
        Ranges.flat(m, "g", gb, gOff, n);
        optimizer.sgdStep(n, lr, momentum, dampening, weightDecay, nesterov, firstStep, pb, pOff, gb, gOff, bb, bufOff);
    }

    @Override
    public void adagradStep(long n, float clr, float weightDecay, float eps, DeviceMemory p, long pOff,
                            DeviceMemory g, long gOff, DeviceMemory sum, long sumOff) {
        String m = "adagradStep";
        ClBuffer pb = cl(p, m, "p");
        ClBuffer gb = cl(g, m, "g");
        ClBuffer sb = state(sum, m, "sum", null, sumOff, n);
        Ranges.flat(m, "p", pb, pOff, n);
        Ranges.flat(m, "g", gb, gOff, n);
        optimizer.adagradStep(n, clr, weightDecay, eps, pb, pOff, gb, gOff, sb, sumOff);
    }

    @Override
    public void rmspropStep(long n, float lr, float alpha, float eps, float weightDecay, float momentum, boolean centered,
                            DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory sq, long sqOff,
                            DeviceMemory avg, long avgOff, DeviceMemory buf, long bufOff) {
        String m = "rmspropStep";
        ClBuffer pb = cl(p, m, "p");
        ClBuffer gb = cl(g, m, "g");
        ClBuffer sb = state(sq, m, "sq", null, sqOff, n);
        ClBuffer ab = centered ? state(avg, m, "avg", "centered", avgOff, n) : null;
        ClBuffer bb = momentum > 0f ? state(buf, m, "buf", "momentum > 0 (momentum=" + momentum + ")", bufOff, n) : null;
        Ranges.flat(m, "p", pb, pOff, n);
        Ranges.flat(m, "g", gb, gOff, n);
        optimizer.rmspropStep(n, lr, alpha, eps, weightDecay, momentum, centered, pb, pOff, gb, gOff, sb, sqOff,
                ab, avgOff, bb, bufOff);
    }

    @Override
    public void adamStep(long n, float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                         boolean amsgrad, float bc1, float bc2, DeviceMemory p, long pOff, DeviceMemory g, long gOff,
                         DeviceMemory mm, long mOff, DeviceMemory v, long vOff, DeviceMemory vmax, long vmaxOff) {
        String m = "adamStep";
        ClBuffer pb = cl(p, m, "p");
        ClBuffer gb = cl(g, m, "g");
        ClBuffer mb = state(mm, m, "m", null, mOff, n);
        ClBuffer vb = state(v, m, "v", null, vOff, n);
        ClBuffer xb = amsgrad ? state(vmax, m, "vmax", "amsgrad", vmaxOff, n) : null;
        Ranges.flat(m, "p", pb, pOff, n);
        Ranges.flat(m, "g", gb, gOff, n);
        optimizer.adamStep(n, lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, bc1, bc2, pb, pOff, gb, gOff,
                mb, mOff, vb, vOff, xb, vmaxOff);
    }

    /** A state buffer the configuration uses: non-null, of this backend, and covering {@code [off, off + n)}. */
    private ClBuffer state(DeviceMemory memory, String method, String name, String when, long off, long n) {
        if (memory == null) {
            throw new IllegalArgumentException("OpenClBackend." + method + ": " + name + " must be non-null"
                    + (when == null ? "" : " when " + when) + ", but got null (n=" + n + ")");
        }
        ClBuffer b = cl(memory, method, name);
        Ranges.flat(method, name, b, off, n);
        return b;
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
