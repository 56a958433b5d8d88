package org.cnn4j.runtime.testing;

/**
 * Plain double-precision loops (shared by the backend tests through the runtime test-jar) of the {@link org.cnn4j.runtime.spi.OptimizerOps} formulas, one step over every
 * element, written to be obviously right (the math in the comments is the SPI's). Parameters and state are
 * double arrays updated in place; the gradient is the float array the backend also receives, and the
 * hyper-parameters are the float values the backend receives, widened.
 */
public final class NaiveOptimizer {
    private NaiveOptimizer() {
    }

    /**
     * SGD: {@code d = g + wd p; buf = first ? d : momentum buf + (1 - dampening) d; d = nesterov ? d + momentum buf : buf;
     * p -= lr d} (the momentum lines only when {@code momentum != 0}).
     */
    public static void sgd(double lr, double momentum, double dampening, double wd, boolean nesterov, boolean first,
                    double[] p, float[] g, double[] buf) {
        for (int i = 0; i < p.length; i++) {
            double d = g[i] + wd * p[i];
            if (momentum != 0) {
                buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
                d = nesterov ? d + momentum * buf[i] : buf[i];
            }
            p[i] -= lr * d;
        }
    }

    /** AdaGrad: {@code d = g + wd p; sum += d^2; p -= clr d / (sqrt(sum) + eps)}. */
    public static void adagrad(double clr, double wd, double eps, double[] p, float[] g, double[] sum) {
        for (int i = 0; i < p.length; i++) {
            double d = g[i] + wd * p[i];
            sum[i] += d * d;
            p[i] -= clr * d / (Math.sqrt(sum[i]) + eps);
        }
    }

    /**
     * RMSProp: {@code d = g + wd p; sq = alpha sq + (1 - alpha) d^2}; centered: {@code avg = alpha avg + (1 - alpha) d,
     * den = sqrt(sq - avg^2) + eps}, else {@code den = sqrt(sq) + eps}; momentum &gt; 0: {@code buf = momentum buf + d / den,
     * p -= lr buf}, else {@code p -= lr d / den}.
     */
    public static void rmsprop(double lr, double alpha, double eps, double wd, double momentum, boolean centered,
                        double[] p, float[] g, double[] sq, double[] avg, double[] buf) {
        for (int i = 0; i < p.length; i++) {
            double d = g[i] + wd * p[i];
            sq[i] = alpha * sq[i] + (1 - alpha) * d * d;
            double den;
            if (centered) {
                avg[i] = alpha * avg[i] + (1 - alpha) * d;
                den = Math.sqrt(sq[i] - avg[i] * avg[i]) + eps;
            } else {
                den = Math.sqrt(sq[i]) + eps;
            }
            if (momentum > 0) {
                buf[i] = momentum * buf[i] + d / den;
                p[i] -= lr * buf[i];
            } else {
                p[i] -= lr * d / den;
            }
        }
    }

    /**
     * Adam / AdamW: decoupled: {@code p *= 1 - lr wd, d = g}, else {@code d = g + wd p};
     * {@code m = beta1 m + (1 - beta1) d; v = beta2 v + (1 - beta2) d^2}; amsgrad: {@code vmax = max(vmax, v), vhat = vmax},
     * else {@code vhat = v}; {@code p -= (lr / bc1) m / (sqrt(vhat) / sqrt(bc2) + eps)}.
     */
    public static void adam(double lr, double beta1, double beta2, double eps, double wd, boolean decoupled, boolean amsgrad,
                     double bc1, double bc2, double[] p, float[] g, double[] m, double[] v, double[] vmax) {
        for (int i = 0; i < p.length; i++) {
            double d = g[i];
            if (decoupled) {
                p[i] *= 1 - lr * wd;
            } else {
                d += wd * p[i];
            }
            m[i] = beta1 * m[i] + (1 - beta1) * d;
            v[i] = beta2 * v[i] + (1 - beta2) * d * d;
            double vhat = v[i];
            if (amsgrad) {
                vmax[i] = Math.max(vmax[i], v[i]);
                vhat = vmax[i];
            }
            p[i] -= lr / bc1 * m[i] / (Math.sqrt(vhat) / Math.sqrt(bc2) + eps);
        }
    }
}
