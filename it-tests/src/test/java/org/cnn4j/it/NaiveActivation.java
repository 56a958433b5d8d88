package org.cnn4j.it;

import org.cnn4j.runtime.spi.Activation;

/**
 * The activations of {@link Activation} and their derivatives in double precision, with an {@code erf}
 * of our own (Java has none) accurate to about {@code 1e-14} absolute (checked to {@code 1e-13} in {@link FiniteDifferenceTest}).
 */
final class NaiveActivation {
    private NaiveActivation() {
    }

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    /**
     * The error function {@code erf(x) = (2 / sqrt pi) int_0^x exp(-t^2) dt}.
     * <ul>
     *   <li>{@code |x| <= 2.5}: the Maclaurin series {@code erf x = (2 / sqrt pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))};
     *       the largest term is below 200, so cancellation costs at most {@code 200 * 2^-53 ~ 3e-14}, and the
     *       series is summed until a term is below {@code 1e-17}.</li>
     *   <li>{@code |x| > 2.5}: {@code erf x = 1 - erfc x} with Laplace's continued fraction
     *       {@code erfc x = (exp(-x^2) / sqrt pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...)))))},
     *       evaluated bottom-up from 80 levels, far more than needed for 16 digits at {@code x > 2.5}.</li>
     * </ul>
     */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax <= 2.5) {
            double x2 = x * x;
            double term = x; // (-1)^n x^(2n+1) / n!
            double sum = x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.max(1e-300, Math.abs(sum))) {
                    break;
                }
            }
            return TWO_OVER_SQRT_PI * sum;
        }
        return Math.copySign(1.0 - erfcContinuedFraction(ax), x);
    }

    /** {@code erfc(x)} for {@code x > 2.5} by the continued fraction above. */
    static double erfcContinuedFraction(double x) {
        double f = x;
        for (int k = 80; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    /** Standard normal CDF {@code Phi(x) = (1 + erf(x / sqrt 2)) / 2}. */
    static double phiCdf(double x) {
        return 0.5 * (1.0 + erf(x / Math.sqrt(2.0)));
    }

    /** Standard normal density {@code phi(x) = exp(-x^2 / 2) / sqrt(2 pi)}. */
    static double phiPdf(double x) {
        return Math.exp(-0.5 * x * x) / Math.sqrt(2.0 * Math.PI);
    }

    /** {@code f(x; a)} as documented on {@link Activation}. */
    static double forward(Activation f, double a, double x) {
        return switch (f) {
            case RELU -> x > 0 ? x : 0.0;
            case LEAKY_RELU -> x > 0 ? x : a * x;
            case ELU -> x > 0 ? x : a * (Math.exp(x) - 1.0);
            case GELU -> x * phiCdf(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case TANH -> Math.tanh(x);
        };
    }

    /** {@code f'(x; a)}: at the kinks of RELU, LEAKY_RELU and ELU ({@code x = 0}) the left derivative, as PyTorch. */
    static double derivative(Activation f, double a, double x) {
        return switch (f) {
            case RELU -> x > 0 ? 1.0 : 0.0;
            case LEAKY_RELU -> x > 0 ? 1.0 : a;
            case ELU -> x > 0 ? 1.0 : a * Math.exp(x); // = y + a
            case GELU -> phiCdf(x) + x * phiPdf(x);
            case SIGMOID -> {
                double y = 1.0 / (1.0 + Math.exp(-x));
                yield y * (1.0 - y);
            }
            case TANH -> {
                double y = Math.tanh(x);
                yield 1.0 - y * y;
            }
        };
    }

    static double[] forward(Activation f, double a, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = forward(f, a, x[i]);
        }
        return y;
    }

    /** {@code dx = dy f'(x)}. */
    static double[] backward(Activation f, double a, double[] x, double[] dy) {
        double[] dx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            dx[i] = dy[i] * derivative(f, a, x[i]);
        }
        return dx;
    }
}
