package org.cnn4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link CpuOptimizer}: the same updates, {@link CpuVectorShapes#F} lanes at a time from
 * the first parameter index on a cache-line boundary ({@link CpuVectorShapes#head}),
 * with every float operation of {@link CpuOptimizerPlain} in the same order and none fused, so the results are
 * bit-identical (the vector square root is the correctly rounded float one, as {@code (float) Math.sqrt}). A
 * condition that is the same for every element (weight decay on or off, Nesterov, the first SGD step, AdamW) selects
 * with a constant mask between both results, which is exact; a state array that exists only in some variants is
 * read and written under a branch on the variant. The heads and the tails shorter than a vector run the plain loops. Loaded only
 * by name through {@link CpuVectorSupport}.
 */
final class CpuOptimizerVector implements CpuOptimizer.Kernel {
    private static final VectorSpecies<Float> S = CpuVectorShapes.F;
    private static final int L = S.length();
    private final CpuOptimizerPlain plain = new CpuOptimizerPlain();

    @Override
    public String name() {
        return "vector" + S.vectorBitSize();
    }

    @Override
    @SuppressWarnings("java:S107")
    public void sgd(int len, float lr, float momentum, float damp1, float weightDecay, boolean nesterov, boolean firstStep,
                    float[] ps, int po, float[] gs, int go, float[] bs, int bo) {
        VectorMask<Float> decayed = S.maskAll(weightDecay != 0f);
        VectorMask<Float> first = S.maskAll(firstStep);
        VectorMask<Float> ahead = S.maskAll(nesterov);
        int i = CpuVectorShapes.head(po, len);
        plain.sgd(i, lr, momentum, damp1, weightDecay, nesterov, firstStep, ps, po, gs, go, bs, bo);
        int bound = i + S.loopBound(len - i);
        for (; i < bound; i += L) {
            FloatVector p = FloatVector.fromArray(S, ps, po + i);
            FloatVector g = FloatVector.fromArray(S, gs, go + i);
            FloatVector d = g.blend(g.add(p.mul(weightDecay)), decayed);
            if (bs != null) {
                FloatVector b = FloatVector.fromArray(S, bs, bo + i).mul(momentum).add(d.mul(damp1)).blend(d, first);
                b.intoArray(bs, bo + i);
                d = b.blend(d.add(b.mul(momentum)), ahead);
            }
            p.sub(d.mul(lr)).intoArray(ps, po + i);
        }
        plain.sgd(len - i, lr, momentum, damp1, weightDecay, nesterov, firstStep, ps, po + i, gs, go + i, bs, bo + i);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void adagrad(int len, float clr, float weightDecay, float eps, float[] ps, int po, float[] gs, int go, float[] ss,
                        int so) {
        VectorMask<Float> decayed = S.maskAll(weightDecay != 0f);
        int i = CpuVectorShapes.head(po, len);
        plain.adagrad(i, clr, weightDecay, eps, ps, po, gs, go, ss, so);
        int bound = i + S.loopBound(len - i);
        for (; i < bound; i += L) {
            FloatVector p = FloatVector.fromArray(S, ps, po + i);
            FloatVector g = FloatVector.fromArray(S, gs, go + i);
            FloatVector d = g.blend(g.add(p.mul(weightDecay)), decayed);
            FloatVector s = FloatVector.fromArray(S, ss, so + i).add(d.mul(d));
            s.intoArray(ss, so + i);
            p.sub(d.mul(clr).div(s.sqrt().add(eps))).intoArray(ps, po + i);
        }
        plain.adagrad(len - i, clr, weightDecay, eps, ps, po + i, gs, go + i, ss, so + i);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void rmsprop(int len, float lr, float alpha, float alpha1, float eps, float weightDecay, float momentum,
                        float[] ps, int po, float[] gs, int go, float[] qs, int qo, float[] as, int ao, float[] bs, int bo) {
        VectorMask<Float> decayed = S.maskAll(weightDecay != 0f);
        int i = CpuVectorShapes.head(po, len);
        plain.rmsprop(i, lr, alpha, alpha1, eps, weightDecay, momentum, ps, po, gs, go, qs, qo, as, ao, bs, bo);
        int bound = i + S.loopBound(len - i);
        for (; i < bound; i += L) {
            FloatVector p = FloatVector.fromArray(S, ps, po + i);
            FloatVector g = FloatVector.fromArray(S, gs, go + i);
            FloatVector d = g.blend(g.add(p.mul(weightDecay)), decayed);
            FloatVector s = FloatVector.fromArray(S, qs, qo + i).mul(alpha).add(d.mul(alpha1).mul(d));
            s.intoArray(qs, qo + i);
            FloatVector den;
            if (as != null) {
                FloatVector a = FloatVector.fromArray(S, as, ao + i).mul(alpha).add(d.mul(alpha1));
                a.intoArray(as, ao + i);
                den = s.sub(a.mul(a)).sqrt().add(eps);
            } else {
                den = s.sqrt().add(eps);
            }
            if (bs != null) {
                FloatVector b = FloatVector.fromArray(S, bs, bo + i).mul(momentum).add(d.div(den));
                b.intoArray(bs, bo + i);
                p.sub(b.mul(lr)).intoArray(ps, po + i);
            } else {
                p.sub(d.mul(lr).div(den)).intoArray(ps, po + i);
            }
        }
        plain.rmsprop(len - i, lr, alpha, alpha1, eps, weightDecay, momentum, ps, po + i, gs, go + i, qs, qo + i,
                as, ao + i, bs, bo + i);
    }

    @Override
    @SuppressWarnings("java:S107")
    public void adam(int len, float beta1, float beta2, float beta1c, float beta2c, float eps, float weightDecay,
                     boolean decoupled, float decay, float stepSize, float bc2Sqrt, float[] ps, int po, float[] gs, int go,
                     float[] ms, int mo, float[] vs, int vo, float[] xs, int xo) {
        VectorMask<Float> adamW = S.maskAll(decoupled);
        VectorMask<Float> l2 = S.maskAll(!decoupled && weightDecay != 0f);
        int i = CpuVectorShapes.head(po, len);
        plain.adam(i, beta1, beta2, beta1c, beta2c, eps, weightDecay, decoupled, decay, stepSize, bc2Sqrt, ps, po, gs, go,
                ms, mo, vs, vo, xs, xo);
        int bound = i + S.loopBound(len - i);
        for (; i < bound; i += L) {
            FloatVector p0 = FloatVector.fromArray(S, ps, po + i);
            FloatVector g = FloatVector.fromArray(S, gs, go + i);
            FloatVector p = p0.blend(p0.mul(decay), adamW);
            FloatVector d = g.blend(g.add(p.mul(weightDecay)), l2);
            FloatVector m = FloatVector.fromArray(S, ms, mo + i).mul(beta1).add(d.mul(beta1c));
            m.intoArray(ms, mo + i);
            FloatVector v = FloatVector.fromArray(S, vs, vo + i).mul(beta2).add(d.mul(beta2c).mul(d));
            v.intoArray(vs, vo + i);
            if (xs != null) {
                v = FloatVector.fromArray(S, xs, xo + i).max(v); // NaN propagates, as Math.max
                v.intoArray(xs, xo + i);
            }
            p.sub(m.mul(stepSize).div(v.sqrt().div(bc2Sqrt).add(eps))).intoArray(ps, po + i);
        }
        plain.adam(len - i, beta1, beta2, beta1c, beta2c, eps, weightDecay, decoupled, decay, stepSize, bc2Sqrt,
                ps, po + i, gs, go + i, ms, mo + i, vs, vo + i, xs, xo + i);
    }
}
