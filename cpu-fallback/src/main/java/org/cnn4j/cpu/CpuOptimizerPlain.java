package org.cnn4j.cpu;

/**
 * The plain-Java optimizer loops of {@link CpuOptimizer}, one element at a time in float, in the order its javadoc
 * gives: the reference the Vector API kernel ({@code CpuOptimizerVector}) is tested against, and what runs on a JVM
 * without the module.
 */
final class CpuOptimizerPlain implements CpuOptimizer.Kernel {
    @Override
    public String name() {
        return "plain";
    }

    @Override
    @SuppressWarnings("java:S107")
    public void sgd(int len, float lr, float momentum, float damp1, float weightDecay, boolean nesterov, boolean firstStep,
                    float[] ps, int po, float[] gs, int go, float[] bs, int bo) {
        boolean useMomentum = bs != null;
        for (int i = 0; i < len; i++) {
            float pi = ps[po + i];
            float d = gs[go + i];
            if (weightDecay != 0f) {
                d = d + weightDecay * pi;
            }
            if (useMomentum) {
                float b = firstStep ? d : bs[bo + i] * momentum + damp1 * d;
                bs[bo + i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            ps[po + i] = pi - lr * d;
        }
    }

    @Override
    @SuppressWarnings("java:S107")
    public void adagrad(int len, float clr, float weightDecay, float eps, float[] ps, int po, float[] gs, int go, float[] ss,
                        int so) {
        for (int i = 0; i < len; i++) {
            float pi = ps[po + i];
            float d = gs[go + i];
            if (weightDecay != 0f) {
                d = d + weightDecay * pi;
            }
            float s = ss[so + i] + d * d;
            ss[so + i] = s;
            float std = (float) Math.sqrt(s) + eps;
            ps[po + i] = pi - clr * d / std;
        }
    }

    @Override
    @SuppressWarnings("java:S107")
    public void rmsprop(int len, float lr, float alpha, float alpha1, float eps, float weightDecay, float momentum,
                        float[] ps, int po, float[] gs, int go, float[] qs, int qo, float[] as, int ao, float[] bs, int bo) {
        boolean centered = as != null;
        boolean useMomentum = bs != null;
        for (int i = 0; i < len; i++) {
            float pi = ps[po + i];
            float d = gs[go + i];
            if (weightDecay != 0f) {
                d = d + weightDecay * pi;
            }
            float s = qs[qo + i] * alpha + alpha1 * d * d;
            qs[qo + i] = s;
            float den;
            if (centered) {
                float a = as[ao + i] * alpha + alpha1 * d;
                as[ao + i] = a;
                den = (float) Math.sqrt(s - a * a) + eps;
            } else {
                den = (float) Math.sqrt(s) + eps;
            }
            if (useMomentum) {
                float b = bs[bo + i] * momentum + d / den;
                bs[bo + i] = b;
                ps[po + i] = pi - lr * b;
            } else {
                ps[po + i] = pi - lr * d / den;
            }
        }
    }

    @Override
    @SuppressWarnings("java:S107")
    public void adam(int len, float beta1, float beta2, float beta1c, float beta2c, float eps, float weightDecay,
                     boolean decoupled, float decay, float stepSize, float bc2Sqrt, float[] ps, int po, float[] gs, int go,
                     float[] ms, int mo, float[] vs, int vo, float[] xs, int xo) {
        boolean amsgrad = xs != null;
        for (int i = 0; i < len; i++) {
            float pi = ps[po + i];
            float d = gs[go + i];
            if (decoupled) {
                pi = pi * decay;
            } else if (weightDecay != 0f) {
                d = d + weightDecay * pi;
            }
            float mi = ms[mo + i] * beta1 + beta1c * d;
            ms[mo + i] = mi;
            float vi = vs[vo + i] * beta2 + beta2c * d * d;
            vs[vo + i] = vi;
            if (amsgrad) {
                vi = Math.max(xs[xo + i], vi); // NaN propagates, as torch.maximum
                xs[xo + i] = vi;
            }
            float den = (float) Math.sqrt(vi) / bc2Sqrt + eps;
            ps[po + i] = pi - stepSize * mi / den;
        }
    }
}
