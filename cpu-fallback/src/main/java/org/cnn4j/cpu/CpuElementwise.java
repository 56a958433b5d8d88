package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.ElementwiseOps;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * Element-wise arithmetic on the CPU, in parallel over contiguous chunks. Each op is one loop so that
 * the JIT can vectorise the simple ones; functions are {@link Math}'s, in float or in double and cast.
 *
 * <p>{@code binary} takes a fast path when both operands are contiguous (one flat loop), and otherwise
 * walks the output row by row with {@link CpuStrides}; a row whose operand has stride 0 reuses the
 * scalar loops.
 */
final class CpuElementwise implements ElementwiseOps {
    /** Ranges shorter than this run on the calling thread. */
    static final long GRAIN = 1L << 15;

    /** {@code y[yOff + i] = op(x[xOff + i])} for {@code i < n}; in place when the ranges coincide. */
    @Override
    public void unary(UnaryOp op, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        CpuParallel.parallelFor(0, n, GRAIN,
                (from, to) -> unaryRange(op, xs, (int) (xOff + from), ys, (int) (yOff + from), (int) (to - from)));
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
            CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> binaryRange(op, as, (int) (aOff + from),
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
                        scalarRange(op, as, (int) aPos, bs[(int) bPos], false, os, o, len);
                    } else if (sa == 0 && sb == 1) {
                        scalarRange(op, bs, (int) bPos, as[(int) aPos], true, os, o, len);
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
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> scalarRange(op, xs, (int) (xOff + from), s,
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

    @SuppressWarnings("java:S3776") // one flat loop per op, so that each can be vectorised
    private static void unaryRange(UnaryOp op, float[] x, int xo, float[] y, int yo, int len) {
        switch (op) {
            case NEG -> { for (int i = 0; i < len; i++) { y[yo + i] = -x[xo + i]; } }
            case ABS -> { for (int i = 0; i < len; i++) { y[yo + i] = Math.abs(x[xo + i]); } }
            case RELU -> { for (int i = 0; i < len; i++) { y[yo + i] = Math.max(x[xo + i], 0f); } }
            case SIGMOID -> { for (int i = 0; i < len; i++) { y[yo + i] = sigmoid(x[xo + i]); } }
            case TANH -> { for (int i = 0; i < len; i++) { y[yo + i] = (float) Math.tanh(x[xo + i]); } }
            case EXP -> { for (int i = 0; i < len; i++) { y[yo + i] = (float) Math.exp(x[xo + i]); } }
            case LOG -> { for (int i = 0; i < len; i++) { y[yo + i] = (float) Math.log(x[xo + i]); } }
            case SQRT -> { for (int i = 0; i < len; i++) { y[yo + i] = (float) Math.sqrt(x[xo + i]); } }
            case SQUARE -> { for (int i = 0; i < len; i++) { float v = x[xo + i]; y[yo + i] = v * v; } }
            case RECIPROCAL -> { for (int i = 0; i < len; i++) { y[yo + i] = 1f / x[xo + i]; } }
        }
    }

    @SuppressWarnings("java:S3776")
    private static void binaryRange(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int len) {
        switch (op) {
            case ADD -> { for (int i = 0; i < len; i++) { out[oo + i] = a[ao + i] + b[bo + i]; } }
            case SUB -> { for (int i = 0; i < len; i++) { out[oo + i] = a[ao + i] - b[bo + i]; } }
            case MUL -> { for (int i = 0; i < len; i++) { out[oo + i] = a[ao + i] * b[bo + i]; } }
            case DIV -> { for (int i = 0; i < len; i++) { out[oo + i] = a[ao + i] / b[bo + i]; } }
            case MAX -> { for (int i = 0; i < len; i++) { out[oo + i] = Math.max(a[ao + i], b[bo + i]); } }
            case MIN -> { for (int i = 0; i < len; i++) { out[oo + i] = Math.min(a[ao + i], b[bo + i]); } }
            case POW -> { for (int i = 0; i < len; i++) { out[oo + i] = powf(a[ao + i], b[bo + i]); } }
        }
    }

    /** {@code out[oo + i] = x[xo + i] op s}, or {@code s op x[xo + i]} when {@code scalarFirst}. */
    @SuppressWarnings("java:S3776")
    private static void scalarRange(BinaryOp op, float[] x, int xo, float s, boolean scalarFirst,
                                    float[] out, int oo, int len) {
        switch (op) {
            case ADD -> { for (int i = 0; i < len; i++) { out[oo + i] = x[xo + i] + s; } }
            case MUL -> { for (int i = 0; i < len; i++) { out[oo + i] = x[xo + i] * s; } }
            case MAX -> { for (int i = 0; i < len; i++) { out[oo + i] = Math.max(x[xo + i], s); } }
            case MIN -> { for (int i = 0; i < len; i++) { out[oo + i] = Math.min(x[xo + i], s); } }
            default -> {
                if (scalarFirst) {
                    for (int i = 0; i < len; i++) { out[oo + i] = apply(op, s, x[xo + i]); }
                } else {
                    for (int i = 0; i < len; i++) { out[oo + i] = apply(op, x[xo + i], s); }
                }
            }
        }
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
