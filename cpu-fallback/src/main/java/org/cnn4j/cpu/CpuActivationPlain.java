package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.Activation;

/**
 * The plain-Java loops of {@link CpuActivation}, one per activation and direction, as the formulas in its
 * javadoc read: the reference the Vector API kernel ({@code CpuActivationVector}) is tested against, and what
 * runs on a JVM without the module.
 */
final class CpuActivationPlain implements CpuActivation.Kernel {
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    @Override
    public String name() {
        return "plain";
    }

    @Override
    public void forward(Activation f, float a, float[] x, int xo, float[] y, int yo, int len) {
        switch (f) {
            case RELU -> {
                for (int i = 0; i < len; i++) {
                    y[yo + i] = Math.max(x[xo + i], 0f); // NaN stays NaN
                }
            }
            case LEAKY_RELU -> {
                for (int i = 0; i < len; i++) {
                    float v = x[xo + i];
                    y[yo + i] = v > 0 ? v : a * v;
                }
            }
            case ELU -> {
                for (int i = 0; i < len; i++) {
                    float v = x[xo + i];
                    y[yo + i] = v > 0 ? v : (float) (a * Math.expm1(v));
                }
            }
            case GELU -> {
                for (int i = 0; i < len; i++) {
                    double v = x[xo + i];
                    y[yo + i] = (float) (v * 0.5 * (1.0 + CpuActivation.erf(v * INV_SQRT2)));
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < len; i++) {
                    y[yo + i] = CpuElementwise.sigmoid(x[xo + i]);
                }
            }
            case TANH -> {
                for (int i = 0; i < len; i++) {
                    y[yo + i] = (float) Math.tanh(x[xo + i]);
                }
            }
        }
    }

    @Override
    @SuppressWarnings("java:S107")
    public void backward(Activation f, float a, float[] x, int xo, float[] y, int yo,
                                      float[] dy, int go, float[] dx, int dxo, int len) {
        switch (f) {
            case RELU -> {
                for (int i = 0; i < len; i++) {
                    dx[dxo + i] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[go + i]) & CpuActivation.positiveMask(x[xo + i]));
                }
            }
            case LEAKY_RELU -> {
                for (int i = 0; i < len; i++) {
                    float g = dy[go + i];
                    dx[dxo + i] = x[xo + i] > 0 ? g : a * g;
                }
            }
            case ELU -> {
                for (int i = 0; i < len; i++) {
                    float g = dy[go + i];
                    dx[dxo + i] = x[xo + i] > 0 ? g : g * (y[yo + i] + a);
                }
            }
            case GELU -> {
                for (int i = 0; i < len; i++) {
                    double v = x[xo + i];
                    double cdf = 0.5 * (1.0 + CpuActivation.erf(v * INV_SQRT2));
                    double pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
                    dx[dxo + i] = (float) (dy[go + i] * (cdf + v * pdf));
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < len; i++) {
                    float s = y[yo + i];
                    dx[dxo + i] = dy[go + i] * s * (1f - s);
                }
            }
            case TANH -> {
                for (int i = 0; i < len; i++) {
                    float t = y[yo + i];
                    dx[dxo + i] = dy[go + i] * (1f - t * t);
                }
            }
        }
    }
}
