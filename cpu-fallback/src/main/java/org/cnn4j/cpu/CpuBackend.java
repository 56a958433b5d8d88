package org.cnn4j.cpu;

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
 * The pure-Java backend: every op runs on the calling thread and the shared {@link CpuParallel} pool,
 * and has finished when the method returns (so {@link #synchronize()} has nothing to wait for).
 * Memory is a {@code float[]} on the Java heap.
 *
 * <p>Each op family is one small class: {@link CpuMemory}, {@link CpuElementwise}, {@link CpuReduction},
 * {@link CpuLayout}, {@link CpuGemm}, {@link CpuRandom}, {@link CpuActivation}, {@link CpuConv},
 * {@link CpuPool}, {@link CpuNorm}, {@link CpuDropout}, {@link CpuLoss}, {@link CpuOptimizer}; this class only
 * delegates.
 */
public final class CpuBackend implements Backend {
    private final DeviceInfo info;
    private final CpuMemory memory = new CpuMemory();
    private final CpuElementwise elementwise = new CpuElementwise();
    private final CpuReduction reduction = new CpuReduction();
    private final CpuLayout layout = new CpuLayout();
    private final CpuGemm gemm = new CpuGemm();
    private final CpuRandom random = new CpuRandom();
    private final CpuActivation activation = new CpuActivation();
    private final CpuConv conv = new CpuConv(gemm);
    private final CpuPool pool = new CpuPool();
    private final CpuNorm norm = new CpuNorm();
    private final CpuDropout dropout = new CpuDropout();
    private final CpuLoss loss = new CpuLoss();
    private final CpuOptimizer optimizer = new CpuOptimizer();

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
    public void activation(Activation f, float a, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        activation.activation(f, a, n, x, xOff, y, yOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void activationBackward(Activation f, float a, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                                   DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff) {
        activation.activationBackward(f, a, n, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void convForward(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory w, long wOff,
                            DeviceMemory bias, long biasOff, DeviceMemory y, long yOff) {
        conv.convForward(g, x, xOff, w, wOff, bias, biasOff, y, yOff);
    }

    @Override
    public void convBackwardInput(ConvGeometry g, DeviceMemory dy, long dyOff, DeviceMemory w, long wOff,
                                  DeviceMemory dx, long dxOff) {
        conv.convBackwardInput(g, dy, dyOff, w, wOff, dx, dxOff);
    }

    @Override
    public void convBackwardWeight(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory dy, long dyOff,
                                   DeviceMemory dw, long dwOff) {
        conv.convBackwardWeight(g, x, xOff, dy, dyOff, dw, dwOff);
    }

    @Override
    public void maxPoolForward(PoolGeometry g, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                               DeviceMemory argmax, long argmaxOff) {
        pool.maxPoolForward(g, x, xOff, y, yOff, argmax, argmaxOff);
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, DeviceMemory dy, long dyOff, DeviceMemory argmax, long argmaxOff,
                                DeviceMemory dx, long dxOff) {
        pool.maxPoolBackward(g, dy, dyOff, argmax, argmaxOff, dx, dxOff);
    }

    @Override
    public void avgPoolForward(PoolGeometry g, boolean countIncludePad, DeviceMemory x, long xOff,
                               DeviceMemory y, long yOff) {
        pool.avgPoolForward(g, countIncludePad, x, xOff, y, yOff);
    }

    @Override
    public void avgPoolBackward(PoolGeometry g, boolean countIncludePad, DeviceMemory dy, long dyOff,
                                DeviceMemory dx, long dxOff) {
        pool.avgPoolBackward(g, countIncludePad, dy, dyOff, dx, dxOff);
    }

    @Override
    public void adaptiveAvgPoolForward(PoolGeometry g, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        pool.adaptiveAvgPoolForward(g, x, xOff, y, yOff);
    }

    @Override
    public void adaptiveAvgPoolBackward(PoolGeometry g, DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff) {
        pool.adaptiveAvgPoolBackward(g, dy, dyOff, dx, dxOff);
    }

    @Override
    public void batchNormStatistics(int n, int c, int spatial, DeviceMemory x, long xOff,
                                    DeviceMemory mean, long meanOff, DeviceMemory var, long varOff) {
        norm.batchNormStatistics(n, c, spatial, x, xOff, mean, meanOff, var, varOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void batchNormForward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                                 DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                 DeviceMemory gamma, long gammaOff, DeviceMemory beta, long betaOff,
                                 DeviceMemory y, long yOff) {
        norm.batchNormForward(n, c, spatial, eps, x, xOff, mean, meanOff, var, varOff, gamma, gammaOff,
                beta, betaOff, y, yOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void batchNormBackward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                                  DeviceMemory dy, long dyOff, DeviceMemory mean, long meanOff,
                                  DeviceMemory var, long varOff, DeviceMemory gamma, long gammaOff,
                                  DeviceMemory dx, long dxOff, DeviceMemory dgamma, long dgammaOff,
                                  DeviceMemory dbeta, long dbetaOff) {
        norm.batchNormBackward(n, c, spatial, eps, x, xOff, dy, dyOff, mean, meanOff, var, varOff,
                gamma, gammaOff, dx, dxOff, dgamma, dgammaOff, dbeta, dbetaOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void batchNormReluForward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                                     DeviceMemory mean, long meanOff, DeviceMemory var, long varOff,
                                     DeviceMemory gamma, long gammaOff, DeviceMemory beta, long betaOff,
                                     DeviceMemory y, long yOff) {
        norm.batchNormReluForward(n, c, spatial, eps, x, xOff, mean, meanOff, var, varOff, gamma, gammaOff,
                beta, betaOff, y, yOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void batchNormReluBackward(int n, int c, int spatial, float eps, DeviceMemory x, long xOff,
                                      DeviceMemory y, long yOff, DeviceMemory dy, long dyOff, DeviceMemory mean, long meanOff,
                                      DeviceMemory var, long varOff, DeviceMemory gamma, long gammaOff,
                                      DeviceMemory dx, long dxOff, DeviceMemory dgamma, long dgammaOff,
                                      DeviceMemory dbeta, long dbetaOff) {
        norm.batchNormReluBackward(n, c, spatial, eps, x, xOff, y, yOff, dy, dyOff, mean, meanOff, var, varOff,
                gamma, gammaOff, dx, dxOff, dgamma, dgammaOff, dbeta, dbetaOff);
    }

    @Override
    public void dropout(long n, long groupSize, float p, long seed, long offset, DeviceMemory x, long xOff,
                        DeviceMemory y, long yOff) {
        dropout.dropout(n, groupSize, p, seed, offset, x, xOff, y, yOff);
    }

    @Override
    public void softmax(boolean log, int rows, int classes, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        loss.softmax(log, rows, classes, x, xOff, y, yOff);
    }

    @Override
    public void softmaxBackward(boolean log, int rows, int classes, DeviceMemory y, long yOff,
                                DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff) {
        loss.softmaxBackward(log, rows, classes, y, yOff, dy, dyOff, dx, dxOff);
    }

    @Override
    public void crossEntropy(int rows, int classes, float smoothing, DeviceMemory logits, long logitsOff,
                             DeviceMemory targets, long targetsOff, DeviceMemory loss, long lossOff) {
        this.loss.crossEntropy(rows, classes, smoothing, logits, logitsOff, targets, targetsOff, loss, lossOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void crossEntropyBackward(int rows, int classes, float smoothing, DeviceMemory logits, long logitsOff,
                                     DeviceMemory targets, long targetsOff, DeviceMemory scale, long scaleOff,
                                     DeviceMemory dx, long dxOff) {
        loss.crossEntropyBackward(rows, classes, smoothing, logits, logitsOff, targets, targetsOff, scale, scaleOff,
                dx, dxOff);
    }

    @Override
    public void sgdStep(long n, float lr, float momentum, float dampening, float weightDecay, boolean nesterov,
                        boolean firstStep, DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory buf, long bufOff) {
        optimizer.sgdStep(n, lr, momentum, dampening, weightDecay, nesterov, firstStep, p, pOff, g, gOff, buf, bufOff);
    }

    @Override
    public void adagradStep(long n, float clr, float weightDecay, float eps, DeviceMemory p, long pOff,
                            DeviceMemory g, long gOff, DeviceMemory sum, long sumOff) {
        optimizer.adagradStep(n, clr, weightDecay, eps, p, pOff, g, gOff, sum, sumOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void rmspropStep(long n, float lr, float alpha, float eps, float weightDecay, float momentum, boolean centered,
                            DeviceMemory p, long pOff, DeviceMemory g, long gOff, DeviceMemory sq, long sqOff,
                            DeviceMemory avg, long avgOff, DeviceMemory buf, long bufOff) {
        optimizer.rmspropStep(n, lr, alpha, eps, weightDecay, momentum, centered, p, pOff, g, gOff, sq, sqOff,
                avg, avgOff, buf, bufOff);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void adamStep(long n, float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                         boolean amsgrad, float bc1, float bc2, DeviceMemory p, long pOff, DeviceMemory g, long gOff,
                         DeviceMemory m, long mOff, DeviceMemory v, long vOff, DeviceMemory vmax, long vmaxOff) {
        optimizer.adamStep(n, lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, bc1, bc2, p, pOff, g, gOff,
                m, mOff, v, vOff, vmax, vmaxOff);
    }

    @Override
    public String toString() {
        return "CpuBackend[" + info.name() + "]";
    }
}
