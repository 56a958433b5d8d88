package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.StridedLayout;

/** Reference strided ops, obviously right: every output index decomposed into its multi-index afresh. */
final class NaiveStrided {
    private NaiveStrided() {
    }

    /** Operand position of row-major output index {@code i}: {@code off + sum_d i_d * strides[d]}. */
    static int position(StridedLayout layout, long off, long i) {
        int[] dims = layout.dims();
        long pos = off;
        long rest = i;
        for (int d = dims.length - 1; d >= 0; d--) {
            pos += (rest % dims[d]) * layout.strides()[d];
            rest /= dims[d];
        }
        return (int) pos;
    }

    /** {@code out[i] = a[A(i)] op b[B(i)]}, with {@code op} as in the SPI ({@code POW} by {@link Math#pow}). */
    static float[] binary(BinaryOp op, StridedLayout al, float[] a, int aOff, StridedLayout bl, float[] b, int bOff) {
        float[] out = new float[(int) al.size()];
        for (int i = 0; i < out.length; i++) {
            float x = a[position(al, aOff, i)];
            float y = b[position(bl, bOff, i)];
            out[i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case MAX -> Math.max(x, y);
                case MIN -> Math.min(x, y);
                case POW -> (float) Math.pow(x, y);
            };
        }
        return out;
    }

    /** {@code out[i] = src[S(i)]}. */
    static float[] gather(StridedLayout layout, float[] src, int off) {
        float[] out = new float[(int) layout.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = src[position(layout, off, i)];
        }
        return out;
    }
}
