package org.cnn4j.kernels;

import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/** Plain-loop reference of the element-wise ops, written to be obviously right. */
final class NaiveElementwise {
    private NaiveElementwise() {
    }

    /** y = f(x), in double, rounded to float once. */
    static float unary(UnaryOp op, float x) {
        double v = x;
        return (float) switch (op) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case RELU -> v < 0 ? 0 : v;                      // NaN stays NaN
            case SIGMOID -> v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
            case TANH -> Math.tanh(v);
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case SQRT -> Math.sqrt(v);
            case SQUARE -> v * v;
            case RECIPROCAL -> 1 / v;
        };
    }

    /** a op b, in double, rounded to float once; MAX and MIN propagate NaN. */
    static float binary(BinaryOp op, float a, float b) {
        double x = a;
        double y = b;
        return (float) switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case MAX -> Math.max(x, y);
            case MIN -> Math.min(x, y);
            case POW -> Math.pow(x, y);
        };
    }

    /** Offset of row-major output index i under layout: sum_d c_d(i) * strides[d]. */
    static long offset(StridedLayout layout, long i) {
        long off = 0;
        for (int d = layout.rank() - 1; d >= 0; d--) {
            long c = i % layout.dims()[d];
            i /= layout.dims()[d];
            off += c * layout.strides()[d];
        }
        return off;
    }

    /** out[i] = a[aOff + A(i)] op b[bOff + B(i)]. */
    static float[] binary(BinaryOp op, StridedLayout aL, float[] a, int aOff, StridedLayout bL, float[] b, int bOff) {
        float[] out = new float[(int) aL.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = binary(op, a[(int) (aOff + offset(aL, i))], b[(int) (bOff + offset(bL, i))]);
        }
        return out;
    }
}
