package org.cnn4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * The Vector API kernel of {@link CpuElementwise}: the ops that are one IEEE float operation per element
 * (negation, absolute value, ReLU as {@code max(x, 0)}, square, reciprocal, square root, and the binary and
 * scalar {@code + - * / max min}) run {@link CpuVectorShapes#F} lanes at a time from the first output index on a
 * cache-line boundary ({@link CpuVectorShapes#head}); the rest (sigmoid, tanh, exp, log, pow), the head before that
 * boundary and the tail shorter than a vector run {@link CpuElementwisePlain}'s loops.
 *
 * <p>Results are bit-identical to {@link CpuElementwisePlain}: each lane is the same single float operation
 * (the correctly rounded {@code sqrt} in float equals {@code (float) Math.sqrt(double)}, and the vector
 * {@code MAX}/{@code MIN} have {@link Math#max(float, float)}'s NaN and signed-zero rules), and nothing is fused.
 * Loaded only by name through {@link CpuVectorSupport}.
 */
final class CpuElementwiseVector implements CpuElementwise.Kernel {
    private static final VectorSpecies<Float> S = CpuVectorShapes.F;
    private static final int L = S.length();
    private final CpuElementwisePlain plain = new CpuElementwisePlain();

    @Override
    public String name() {
        return "vector" + S.vectorBitSize();
    }

    @Override
    public void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int len) {
        if (op == UnaryOp.SIGMOID || op == UnaryOp.TANH || op == UnaryOp.EXP || op == UnaryOp.LOG) {
            plain.unary(op, x, xo, y, yo, len); // transcendental
            return;
        }
        int i = CpuVectorShapes.head(yo, len);
        plain.unary(op, x, xo, y, yo, i);
        int bound = i + S.loopBound(len - i);
        switch (op) {
            case NEG -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, xo + i).neg().intoArray(y, yo + i);
                }
            }
            case ABS -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, xo + i).abs().intoArray(y, yo + i);
                }
            }
            case RELU -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.MAX, 0f).intoArray(y, yo + i);
                }
            }
            case SQRT -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, xo + i).sqrt().intoArray(y, yo + i);
                }
            }
            case SQUARE -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + i);
                    v.mul(v).intoArray(y, yo + i);
                }
            }
            case RECIPROCAL -> {
                FloatVector one = FloatVector.broadcast(S, 1f);
                for (; i < bound; i += L) {
                    one.div(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
                }
            }
            default -> throw new IllegalStateException("CpuElementwiseVector.unary: no vector loop for " + op);
        }
        plain.unary(op, x, xo + i, y, yo + i, len - i);
    }

    /*
     * The Vector API compiles an operation to one instruction only when its operator is a compile-time constant,
     * so every op below has its own loop with a literal operator (a switch that picks a VectorOperators value at
     * run time would fall back to the API's scalar Java code).
     */

    @Override
    @SuppressWarnings("java:S3776")
    public void binary(BinaryOp op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int len) {
        if (op == BinaryOp.POW) {
            plain.binary(op, a, ao, b, bo, out, oo, len); // not one float operation
            return;
        }
        int i = CpuVectorShapes.head(oo, len);
        plain.binary(op, a, ao, b, bo, out, oo, i);
        int bound = i + S.loopBound(len - i);
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
            }
            case SUB -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
            }
            case DIV -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ao + i).div(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
            }
            case MAX -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ao + i).max(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
            }
            case MIN -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, a, ao + i).min(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
            }
            case POW -> throw new IllegalStateException("CpuElementwiseVector.binary: no vector loop for POW");
        }
        plain.binary(op, a, ao + i, b, bo + i, out, oo + i, len - i);
    }

    @Override
    @SuppressWarnings("java:S3776")
    public void scalar(BinaryOp op, float[] x, int xo, float s, boolean scalarFirst, float[] out, int oo, int len) {
        if (op == BinaryOp.POW) {
            plain.scalar(op, x, xo, s, scalarFirst, out, oo, len); // not one float operation
            return;
        }
        int i = CpuVectorShapes.head(oo, len);
        plain.scalar(op, x, xo, s, scalarFirst, out, oo, i);
        int bound = i + S.loopBound(len - i);
        switch (op) {
            case ADD -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, xo + i).add(s).intoArray(out, oo + i);
                }
            }
            case MUL -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, xo + i).mul(s).intoArray(out, oo + i);
                }
            }
            case MAX -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, xo + i).max(s).intoArray(out, oo + i);
                }
            }
            case MIN -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, xo + i).min(s).intoArray(out, oo + i);
                }
            }
            case SUB -> {
                FloatVector sv = FloatVector.broadcast(S, s);
                if (scalarFirst) {
                    for (; i < bound; i += L) {
                        sv.sub(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
                    }
                } else {
                    for (; i < bound; i += L) {
                        FloatVector.fromArray(S, x, xo + i).sub(sv).intoArray(out, oo + i);
                    }
                }
            }
            case DIV -> {
                FloatVector sv = FloatVector.broadcast(S, s);
                if (scalarFirst) {
                    for (; i < bound; i += L) {
                        sv.div(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
                    }
                } else {
                    for (; i < bound; i += L) {
                        FloatVector.fromArray(S, x, xo + i).div(sv).intoArray(out, oo + i);
                    }
                }
            }
            case POW -> throw new IllegalStateException("CpuElementwiseVector.scalar: no vector loop for POW");
        }
        plain.scalar(op, x, xo + i, s, scalarFirst, out, oo + i, len - i);
    }
}
