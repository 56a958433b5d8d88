package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.ActivationOps;
import org.cnn4j.runtime.spi.DeviceMemory;

/**
 * Activations and their derivatives on the CPU, element-wise in parallel over contiguous chunks, as
 * {@link Activation} defines them:
 * <pre>
 *   RELU        y = max(x, 0)                       dx = dy * (x &gt; 0 ? 1 : 0)
 *   LEAKY_RELU  y = x &gt; 0 ? x : a x                 dx = dy * (x &gt; 0 ? 1 : a)
 *   ELU         y = x &gt; 0 ? x : a (exp(x) - 1)      dx = dy * (x &gt; 0 ? 1 : y + a)
 *   GELU        y = x Phi(x),  Phi(x) = (1 + erf(x / sqrt 2)) / 2
 *               dx = dy * (Phi(x) + x phi(x)),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
 *   SIGMOID     y = 1 / (1 + exp(-x))               dx = dy * y (1 - y)
 *   TANH        y = tanh(x)                         dx = dy * (1 - y^2)
 * </pre>
 * Transcendental functions are evaluated in double and rounded once. Java has no {@code erf}, so
 * {@link #erf} implements one (see there). The RELU backward reads only {@code x}, so the runtime can
 * call it with {@code x = y = z} as the mask "{@code dy} where {@code z > 0}". Every element is read
 * before it is written, so {@code x} may alias {@code y} and {@code dy} may alias {@code dx}.
 */
final class CpuActivation implements ActivationOps {
    /** Ranges shorter than this run on the calling thread. */
    private static final long GRAIN = 1L << 14;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final double INV_SQRT_PI = 0.5641895835477563;

    /**
     * The loops over one contiguous range: {@link CpuActivationPlain}, or {@code CpuActivationVector} where
     * {@link CpuVectorSupport} enables the Vector API; both give bit-identical results. Outputs may be inputs
     * at the same offset (in place); other overlaps are not allowed.
     */
    interface Kernel {
        /** A short name for logs and test names. */
        String name();

        /** {@code y[yo + i] = f(x[xo + i]; a)} for {@code i < len}. */
        void forward(Activation f, float a, float[] x, int xo, float[] y, int yo, int len);

        /** {@code dx[dxo + i] = dy[go + i] * f'(x[xo + i])}, with {@code f'} written with {@code y} where cheaper. */
        @SuppressWarnings("java:S107")
        void backward(Activation f, float a, float[] x, int xo, float[] y, int yo, float[] dy, int go, float[] dx, int dxo,
                      int len);
    }

    private static final Kernel BEST = CpuVectorSupport.choose("activation", Kernel.class,
            "org.cnn4j.cpu.CpuActivationVector", CpuActivationPlain::new);

    private final Kernel kernel;

    /** With the kernel {@link CpuVectorSupport} chooses. */
    CpuActivation() {
        this(BEST);
    }

    /** With {@code kernel} (tests run both). */
    CpuActivation(Kernel kernel) {
        this.kernel = kernel;
    }

    /** The kernel this instance runs. */
    Kernel kernel() {
        return kernel;
    }

    /** The kernel {@link CpuVectorSupport} chooses for this JVM. */
    static Kernel best() {
        return BEST;
    }

    /** {@code y[yOff + i] = f(x[xOff + i]; a)} for {@code i < n}. */
    @Override
    public void activation(Activation f, float a, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) ->
                kernel.forward(f, a, xs, (int) (xOff + from), ys, (int) (yOff + from), (int) (to - from)));
    }

    /** {@code dx[i] = dy[i] * f'(x[i])}, with {@code f'} written with {@code y} where cheaper. */
    @Override
    public void activationBackward(Activation f, float a, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                                   DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff) {
        float[] xs = CpuMemory.array(x);
        float[] ys = CpuMemory.array(y);
        float[] gs = CpuMemory.array(dy);
        float[] ds = CpuMemory.array(dx);
        CpuParallel.parallelFor(0, n, GRAIN, (from, to) -> kernel.backward(f, a, xs, (int) (xOff + from),
                ys, (int) (yOff + from), gs, (int) (dyOff + from), ds, (int) (dxOff + from), (int) (to - from)));
    }

    /**
     * All ones when {@code v > 0} (a positive, non-NaN value), else 0, without a branch: the sign of
     * ReLU's input is random in training, and a mispredicted branch per element cost more than the rest
     * of the backward pass. With {@code b} the bits of {@code v}, {@code v > 0} iff {@code 0 < b <= bits(+inf)}:
     * {@code (-b & ~b) >> 31} is -1 iff {@code b > 0}, {@code (b - bits(+inf) - 1) >> 31} is -1 iff
     * {@code b <= bits(+inf)} (for {@code b > 0}).
     */
    static int positiveMask(float v) {
        int b = Float.floatToRawIntBits(v);
        return ((-b & ~b) >> 31) & ((b - 0x7f800001) >> 31);
    }

    /**
     * The error function {@code erf(z) = (2 / sqrt pi) int_0^z exp(-t^2) dt}, to about 1e-15 absolute,
     * from two classical expansions (Abramowitz and Stegun, Handbook of Mathematical Functions, 1964):
     * <pre>
     *   |z| &lt; 3:  erf(z)  = (2 / sqrt pi) exp(-z^2) sum_{k &gt;= 0} 2^k z^(2k+1) / (1 * 3 * ... * (2k+1))   (7.1.6)
     *            (every term positive, so no cancellation; summed until a term no longer changes the sum)
     *   |z| &gt;= 3: erfc(z) = (exp(-z^2) / sqrt pi) / (z + (1/2) / (z + 1 / (z + (3/2) / (z + 2 / (z + ...)))))  (7.1.14)
     *            (the continued fraction, evaluated from the bottom with 60 levels; it converges fast for
     *            large z, and erfc(3) is 2.2e-5, so its relative error hardly matters)
     * </pre>
     * {@code erf} is odd; beyond {@code |z| = 6} it is {@code +-1} within 3e-17; NaN gives NaN.
     */
    static double erf(double z) {
        if (Double.isNaN(z)) {
            return z;
        }
        double az = Math.abs(z);
        double r;
        if (az < 3.0) {
            double z2 = az * az;
            double term = az;
            double sum = az;
            for (int k = 1; k < 200; k++) {
                term *= 2.0 * z2 / (2 * k + 1);
                double next = sum + term;
                if (next == sum) {
                    break;
                }
                sum = next;
            }
            r = TWO_OVER_SQRT_PI * Math.exp(-z2) * sum;
        } else if (az < 6.0) {
            double cf = az;
            for (int k = 60; k >= 1; k--) {
                cf = az + (k * 0.5) / cf;
            }
            r = 1.0 - INV_SQRT_PI * Math.exp(-az * az) / cf;
        } else {
            r = 1.0;
        }
        return z < 0 ? -r : r;
    }
}
