package org.cnn4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.cnn4j.runtime.spi.Activation;

/**
 * The Vector API kernel of {@link CpuActivation}, {@link CpuVectorShapes#F} lanes at a time from the first output
 * index on a cache-line boundary ({@link CpuVectorShapes#head}), for what is a few float operations per element:
 * ReLU and leaky ReLU forward and backward, and the backward passes of ELU, sigmoid and tanh (which read {@code y}).
 * Forward passes with a transcendental function (ELU, GELU, sigmoid, tanh), GELU's backward, the heads and the
 * tails shorter than a vector run {@link CpuActivationPlain}'s loops.
 *
 * <p>Results are bit-identical to {@link CpuActivationPlain}: each lane evaluates the same float operations in
 * the same order, never fused, and a comparison selects between them where the plain loop branches (a false
 * comparison, as with NaN, selects the same side). Loaded only by name through {@link CpuVectorSupport}.
 */
final class CpuActivationVector implements CpuActivation.Kernel {
    private static final VectorSpecies<Float> S = CpuVectorShapes.F;
    private static final int L = S.length();
    private final CpuActivationPlain plain = new CpuActivationPlain();

    @Override
    public String name() {
        return "vector" + S.vectorBitSize();
    }

    @Override
    public void forward(Activation f, float a, float[] x, int xo, float[] y, int yo, int len) {
        if (f != Activation.RELU && f != Activation.LEAKY_RELU) {
            plain.forward(f, a, x, xo, y, yo, len); // transcendental
            return;
        }
        int i = CpuVectorShapes.head(yo, len);
        plain.forward(f, a, x, xo, y, yo, i);
        int bound = i + S.loopBound(len - i);
        switch (f) {
            case RELU -> {
                for (; i < bound; i += L) {
                    FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.MAX, 0f).intoArray(y, yo + i);
                }
            }
            case LEAKY_RELU -> {
                for (; i < bound; i += L) {
                    FloatVector v = FloatVector.fromArray(S, x, xo + i);
                    v.mul(a).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
                }
            }
            default -> throw new IllegalStateException("CpuActivationVector.forward: no vector loop for " + f);
        }
        plain.forward(f, a, x, xo + i, y, yo + i, len - i);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void backward(Activation f, float a, float[] x, int xo, float[] y, int yo, float[] dy, int go, float[] dx, int dxo,
                         int len) {
        if (f == Activation.GELU) {
            plain.backward(f, a, x, xo, y, yo, dy, go, dx, dxo, len); // transcendental
            return;
        }
        int i = CpuVectorShapes.head(dxo, len);
        plain.backward(f, a, x, xo, y, yo, dy, go, dx, dxo, i);
        int bound = i + S.loopBound(len - i);
        switch (f) {
            case RELU -> {
                FloatVector zero = FloatVector.zero(S);
                for (; i < bound; i += L) {
                    VectorMask<Float> positive = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f);
                    zero.blend(FloatVector.fromArray(S, dy, go + i), positive).intoArray(dx, dxo + i);
                }
            }
            case LEAKY_RELU -> {
                for (; i < bound; i += L) {
                    VectorMask<Float> positive = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f);
                    FloatVector g = FloatVector.fromArray(S, dy, go + i);
                    g.mul(a).blend(g, positive).intoArray(dx, dxo + i);
                }
            }
            case ELU -> {
                for (; i < bound; i += L) {
                    VectorMask<Float> positive = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f);
                    FloatVector g = FloatVector.fromArray(S, dy, go + i);
                    g.mul(FloatVector.fromArray(S, y, yo + i).add(a)).blend(g, positive).intoArray(dx, dxo + i);
                }
            }
            case SIGMOID -> {
                FloatVector one = FloatVector.broadcast(S, 1f);
                for (; i < bound; i += L) {
                    FloatVector s = FloatVector.fromArray(S, y, yo + i);
                    FloatVector.fromArray(S, dy, go + i).mul(s).mul(one.sub(s)).intoArray(dx, dxo + i);
                }
            }
            case TANH -> {
                FloatVector one = FloatVector.broadcast(S, 1f);
                for (; i < bound; i += L) {
                    FloatVector t = FloatVector.fromArray(S, y, yo + i);
                    FloatVector.fromArray(S, dy, go + i).mul(one.sub(t.mul(t))).intoArray(dx, dxo + i);
                }
            }
            case GELU -> throw new IllegalStateException("CpuActivationVector.backward: no vector loop for GELU");
        }
        plain.backward(f, a, x, xo + i, y, yo + i, dy, go + i, dx, dxo + i, len - i);
    }
}
