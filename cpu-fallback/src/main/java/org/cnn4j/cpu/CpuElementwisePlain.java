package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * The plain-Java loops of {@link CpuElementwise}: one flat loop per op over one contiguous range, written as
 * the definitions read ({@link CpuElementwise#apply}, {@link CpuElementwise#sigmoid}, {@link CpuElementwise#powf},
 * {@link Math}'s functions in float, or in double and cast). This is the reference the Vector API kernel
 * ({@code CpuElementwiseVector}) is tested against, and what runs on a JVM without the module.
 */
final class CpuElementwisePlain implements CpuElementwise.Kernel {
    @Override
    public String name() {
        return "plain";
    }

    @Override
    @SuppressWarnings("java:S3776") // one flat loop per op
    public void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int len) {
        switch (op) {
            case NEG -> { for (int i = 0; i < len; i++) { y[yo + i] = -x[xo + i]; } }
            case ABS -> { for (int i = 0; i < len; i++) { y[yo + i] = Math.abs(x[xo + i]); } }
            case RELU -> { for (int i = 0; i < len; i++) { y[yo + i] = Math.max(x[xo + i], 0f); } }
            case SIGMOID -> { for (int i = 0; i < len; i++) { y[yo + i] = CpuElementwise.sigmoid(x[xo + i]); } }
            case TANH -> { for (int i = 0; i < len; i++) { y[yo + i] = (float) Math.tanh(x[xo + i]); } }
            case EXP -> { for (int i = 0; i < len; i++) { y[yo + i] = (float) Math.exp(x[xo + i]); } }
            case LOG -> { for (int i = 0; i < len; i++) { y[yo + i] = (float) Math.log(x[xo + i]); } }
            case SQRT -> { for (int i = 0; i < len; i++) { y[yo + i] = (float) Math.sqrt(x[xo + i]); } }
            case SQUARE -> { for (int i = 0; i < len; i++) { float v = x[xo + i]; y[yo + i] = v * v; } }
            case RECIPROCAL -> { for (int i = 0; i < len; i++) { y[yo + i] = 1f / x[xo + i]; } }
        }
    }

    @Override
    @SuppressWarnings("java:S3776")
    public void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int len) {
        switch (op) {
            case ADD -> { for (int i = 0; i < len; i++) { out[oo + i] = a[ao + i] + b[bo + i]; } }
            case SUB -> { for (int i = 0; i < len; i++) { out[oo + i] = a[ao + i] - b[bo + i]; } }
            case MUL -> { for (int i = 0; i < len; i++) { out[oo + i] = a[ao + i] * b[bo + i]; } }
            case DIV -> { for (int i = 0; i < len; i++) { out[oo + i] = a[ao + i] / b[bo + i]; } }
            case MAX -> { for (int i = 0; i < len; i++) { out[oo + i] = Math.max(a[ao + i], b[bo + i]); } }
            case MIN -> { for (int i = 0; i < len; i++) { out[oo + i] = Math.min(a[ao + i], b[bo + i]); } }
            case POW -> { for (int i = 0; i < len; i++) { out[oo + i] = CpuElementwise.powf(a[ao + i], b[bo + i]); } }
        }
    }

    @Override
    @SuppressWarnings("java:S3776")
    public void scalar(BinaryOp op, float[] x, int xo, float s, boolean scalarFirst, float[] out, int oo, int len) {
        switch (op) {
            case ADD -> { for (int i = 0; i < len; i++) { out[oo + i] = x[xo + i] + s; } }
            case MUL -> { for (int i = 0; i < len; i++) { out[oo + i] = x[xo + i] * s; } }
            case MAX -> { for (int i = 0; i < len; i++) { out[oo + i] = Math.max(x[xo + i], s); } }
            case MIN -> { for (int i = 0; i < len; i++) { out[oo + i] = Math.min(x[xo + i], s); } }
            default -> {
                if (scalarFirst) {
                    for (int i = 0; i < len; i++) { out[oo + i] = CpuElementwise.apply(op, s, x[xo + i]); }
                } else {
                    for (int i = 0; i < len; i++) { out[oo + i] = CpuElementwise.apply(op, x[xo + i], s); }
                }
            }
        }
    }
}
