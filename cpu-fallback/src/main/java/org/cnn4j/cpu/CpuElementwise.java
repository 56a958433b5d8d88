package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.ElementwiseOps;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * Element-wise arithmetic on the CPU, in parallel over contiguous chunks; functions are {@link Math}'s, in
 * float or in double and cast.
 *
 * <p>{@code binary} takes a fast path when both operands are contiguous (one flat loop), and otherwise
 * walks the output row by row with {@link CpuStrides}; a row whose operand has stride 0 reuses the
 * scalar loops.
 *
 * <p>The loops over one contiguous range are a {@link Kernel}, chosen once per JVM by {@link CpuVectorSupport}:
 * {@code CpuElementwiseVector} (Vector API) when it is enabled, else {@link CpuElementwisePlain}. Both give
 * bit-identical results.
 */
final class CpuElementwise implements ElementwiseOps {
    /** Ranges shorter than this run on the calling thread. */
    static final long GRAIN = 1L << 15;

    /**
     * The loops over one contiguous range. {@code y} may be {@code x} at the same offset (in place); other
     * overlaps are not allowed.
     */
    interface Kernel {
        /** A short name for logs and test names. */
        String name();

        /** {@code y[yo + i] = op(x[xo + i])} for {@code i < len}. */
        void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int len);

        /** {@code out[oo + i] = a[ao + i] op b[bo + i]} for {@code i < len}. */
        void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int len);

        /** {@code out[oo + i] = x[xo + i] op s}, or {@code s op x[xo + i]} when {@code scalarFirst}, for {@code i < len}. */
        void scalar(BinaryOp op, float[] x, int xo, float s, boolean scalarFirst, float[] out, int oo, int len);
    }

    private static final Kernel BEST = CpuVectorSupport.choose("element-wise", Kernel.class,
            "org.cnn4j.cpu.CpuElementwiseVector", CpuElementwisePlain::new);

    private final Kernel kernel;

    /** With the kernel {@link CpuVectorSupport} chooses. */
    CpuElementwise() {
        this(BEST);
    }

    /** With {@code kernel} (tests run both). */
    CpuElementwise(Kernel kernel) {
        this.kernel = kernel;
    }

    /** The kernel this instance runs. */
    Kernel kernel() {
        return kernel;
    }

    /** {@code y[yOff + i] = op(x[xOff + i])} for {@code i < n}; in place when the ranges coincide. */
    @Override
    public void unary(UnaryOp op, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        CpuParallel.parallelFor(0, n, GRAIN,
                (from, to) -> kernel.unary(op, xs, (int) (xOff + from), ys, (int) (yOff + from), (int) (to - from)));
    }

    /**
     * {@code out[outOff + i] = a[aOff + A(i)] op b[bOff + B(i)]} for every row-major index {@code i} of
     * the layouts' dims; a stride of 0 broadcasts.
     */
    @Override
    public void binary(BinaryOp op, StridedLayout aLayout, DeviceMemory a, long aOff,
                       StridedLayout bLayout, DeviceMemory b, long bOff, DeviceMemory out, long outOff) {
        float[] as = CpuMemory.array(a);
        float[] bs = CpuMemory.array(b);
        float[] os = CpuMemory.array(out);
        long n = aLayout.size();
        if (CpuStrides.isContiguous(aLayout) && CpuStrides.isContiguous(bLayout)) {
            CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> kernel.binary(op, as, (int) (aOff + from),
                    bs, (int) (bOff + from), os, (int) (outOff + from), (int) (to - from)));
            return;
        }
        int[] dims = aLayout.dims();
        long[] aStrides = aLayout.strides();
        long[] bStrides = bLayout.strides();
        int sa = (int) aStrides[dims.length - 1];
        int sb = (int) bStrides[dims.length - 1];
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> CpuStrides.forEachRow(dims, aStrides, aOff,
                bStrides, bOff, from, to, (outPos, aPos, bPos, len) -> {
                    int o = (int) (outOff + outPos);
                    if (sa == 1 && sb == 0) {
                        kernel.scalar(op, as, (int) aPos, bs[(int) bPos], false, os, o, len);
                    } else if (sa == 0 && sb == 1) {
                        kernel.scalar(op, bs, (int) bPos, as[(int) aPos], true, os, o, len);
                    } else {
                        stridedRange(op, as, (int) aPos, sa, bs, (int) bPos, sb, os, o, len);
                    }
                }));
    }

    /** {@code y[i] = x[i] op s}, or {@code y[i] = s op x[i]} when {@code scalarFirst}; in place allowed. */
    @Override
    public void scalar(BinaryOp op, long n, DeviceMemory x, long xOff, float s, boolean scalarFirst,
                       DeviceMemory y, long yOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> kernel.scalar(op, xs, (int) (xOff + from), s,
                scalarFirst, ys, (int) (yOff + from), (int) (to - from)));
    }

    /**
     * Logistic sigmoid without overflow: {@code 1 / (1 + e^-x)} for {@code x >= 0}, else
     * {@code e^x / (1 + e^x)}, in double.
     */
    static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /** {@code a op b} for one pair, the definition every loop here follows. */
    static float apply(BinaryOp op, float a, float b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> powf(a, b);
        };
    }

    private static void stridedRange(BinaryOp op, float[] a, int ao, int sa, float[] b, int bo, int sb,
                                     float[] out, int oo, int len) {
        for (int i = 0; i < len; i++) {
            out[oo + i] = apply(op, a[ao + i * sa], b[bo + i * sb]);
        }
    }

    /**
     * C's {@code powf}, which differs from {@link Math#pow} in two special cases: {@code pow(1, y) = 1}
     * for every y (NaN included) and {@code pow(-1, +-inf) = 1}.
     */
    static float powf(float a, float b) {
        if (a == 1f || (a == -1f && Float.isInfinite(b))) {
            return 1f;
        }
        return (float) Math.pow(a, b);
    }
}
