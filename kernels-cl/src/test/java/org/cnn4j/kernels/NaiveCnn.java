package org.cnn4j.kernels;

import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.Philox;
import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * Plain-loop references of the CNN ops in double precision, written to be obviously right (the equations
 * of the SPI javadoc, loop for loop). Backward passes are written as scatters (each output adds into the
 * inputs it read), the opposite direction of the kernels' gathers, so that the two cannot share a mistake.
 */
final class NaiveCnn {
    private NaiveCnn() {
    }

    // ---- activations (org.cnn4j.runtime.spi.Activation)

    static double act(Activation f, double a, double x) {
        return switch (f) {
            case RELU -> Double.isNaN(x) ? x : Math.max(x, 0);
            case LEAKY_RELU -> x > 0 ? x : a * x;
            case ELU -> x > 0 ? x : a * Math.expm1(x);
            case GELU -> x * phiCdf(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
        };
    }

    /** dy * f'(x) with y = f(x). */
    static double actGrad(Activation f, double a, double x, double y, double dy) {
        return switch (f) {
            case RELU -> x > 0 ? dy : 0;
            case LEAKY_RELU -> x > 0 ? dy : a * dy;
            case ELU -> x > 0 ? dy : dy * (y + a);
            case GELU -> dy * (phiCdf(x) + x * Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI));
            case SIGMOID -> dy * y * (1 - y);
            case TANH -> dy * (1 - y * y);
        };
    }

    /** Phi(x) = (1 + erf(x / sqrt 2)) / 2 = erfc(-x / sqrt 2) / 2. */
    static double phiCdf(double x) {
        return 0.5 * erfc(-x / Math.sqrt(2));
    }

    /** erfc(z) in double: the Taylor series of erf for |z| < 2.5, Laplace's continued fraction beyond. */
    static double erfc(double z) {
        double az = Math.abs(z);
        double r;
        if (az < 2.5) {
            // erf(z) = 2/sqrt(pi) sum_n (-1)^n z^(2n+1) / (n! (2n+1))
            double sum = 0;
            double term = az;
            for (int n = 0; n < 200; n++) {
                double t = term / (2 * n + 1);
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) {
                    break;
                }
                term *= -az * az / (n + 1);
            }
            r = 1 - 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // continued fraction erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + 1/2/(z + 1/(z + 3/2/(z + ...))))
            double f = az;
            for (int k = 60; k >= 1; k--) {
                f = az + (k / 2.0) / f;
            }
            r = Math.exp(-az * az) / Math.sqrt(Math.PI) / f;
        }
        return z >= 0 ? r : 2 - r;
    }

    // ---- convolution (org.cnn4j.runtime.spi.ConvGeometry)

    static int xIndex(ConvGeometry g, int n, int c, int d, int h, int w) {
        return (((n * g.inChannels() + c) * g.inDepth() + d) * g.inHeight() + h) * g.inWidth() + w;
    }

    static int yIndex(ConvGeometry g, int n, int k, int d, int h, int w) {
        return (((n * g.outChannels() + k) * g.outDepth() + d) * g.outHeight() + h) * g.outWidth() + w;
    }

    static int wIndex(ConvGeometry g, int k, int c, int a, int b, int e) {
        return (((k * (g.inChannels() / g.groups()) + c) * g.kernelD() + a) * g.kernelH() + b) * g.kernelW() + e;
    }

    /**
     * Visits every (output, weight, input) triple of the convolution: y[yi] += w[wi] * x[xi]. The three
     * passes are this one loop nest, read in three directions.
     */
    interface Triple {
        void visit(int yi, int wi, int xi);
    }

    static void forEachTriple(ConvGeometry g, Triple t) {
        int cg = g.inChannels() / g.groups();
        int kg = g.outChannels() / g.groups();
        for (int n = 0; n < g.batch(); n++) {
            for (int k = 0; k < g.outChannels(); k++) {
                int group = k / kg;
                for (int od = 0; od < g.outDepth(); od++) {
                    for (int oh = 0; oh < g.outHeight(); oh++) {
                        for (int ow = 0; ow < g.outWidth(); ow++) {
                            int yi = yIndex(g, n, k, od, oh, ow);
                            for (int c = 0; c < cg; c++) {
                                for (int a = 0; a < g.kernelD(); a++) {
                                    int id = od * g.strideD() - g.padFront() + a * g.dilationD();
                                    for (int b = 0; b < g.kernelH(); b++) {
                                        int ih = oh * g.strideH() - g.padTop() + b * g.dilationH();
                                        for (int e = 0; e < g.kernelW(); e++) {
                                            int iw = ow * g.strideW() - g.padLeft() + e * g.dilationW();
                                            if (id < 0 || id >= g.inDepth() || ih < 0 || ih >= g.inHeight() || iw < 0
                                                    || iw >= g.inWidth()) {
                                                continue;          // zero padding contributes nothing
                                            }
                                            t.visit(yi, wIndex(g, k, c, a, b, e), xIndex(g, n, group * cg + c, id, ih, iw));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** y = conv(x, w) + bias. */
    static float[] convForward(ConvGeometry g, float[] x, float[] w, float[] bias) {
        double[] y = new double[(int) g.outputSize()];
        forEachTriple(g, (yi, wi, xi) -> y[yi] += (double) w[wi] * x[xi]);
        if (bias != null) {
            int p = g.outDepth() * g.outHeight() * g.outWidth();
            for (int i = 0; i < y.length; i++) {
                y[i] += bias[(i / p) % g.outChannels()];
            }
        }
        return toFloat(y);
    }

    /** dx[xi] += w[wi] * dy[yi] over every triple. */
    static float[] convBackwardInput(ConvGeometry g, float[] dy, float[] w) {
        double[] dx = new double[(int) g.inputSize()];
        forEachTriple(g, (yi, wi, xi) -> dx[xi] += (double) w[wi] * dy[yi]);
        return toFloat(dx);
    }

    /** dw[wi] += dy[yi] * x[xi] over every triple. */
    static float[] convBackwardWeight(ConvGeometry g, float[] x, float[] dy) {
        double[] dw = new double[(int) g.weightSize()];
        forEachTriple(g, (yi, wi, xi) -> dw[wi] += (double) dy[yi] * x[xi]);
        return toFloat(dw);
    }

    /** Sum of |w x| per output, |w dy| per input and |dy x| per weight: the scale of each sum's rounding error. */
    static float[][] convMagnitudes(ConvGeometry g, float[] x, float[] w, float[] dy) {
        double[] y = new double[(int) g.outputSize()];
        double[] dx = new double[(int) g.inputSize()];
        double[] dw = new double[(int) g.weightSize()];
        forEachTriple(g, (yi, wi, xi) -> {
            y[yi] += Math.abs((double) w[wi] * x[xi]);
            dx[xi] += Math.abs((double) w[wi] * dy[yi]);
            dw[wi] += Math.abs((double) dy[yi] * x[xi]);
        });
        return new float[][] {toFloat(y), toFloat(dx), toFloat(dw)};
    }

    /** ConvGeometry with the output sizes from the formula. */
    @SuppressWarnings("java:S107")
    static ConvGeometry conv(int n, int c, int d, int h, int w, int k, int kd, int kh, int kw, int sd, int sh, int sw,
                             int pd, int ph, int pw, int dd, int dh, int dw, int groups) {
        return conv(n, c, d, h, w, k, kd, kh, kw, sd, sh, sw, pd, ph, pw, pd, ph, pw, dd, dh, dw, groups);
    }

    /** With separate padding after (asymmetric): only the output size sees it, the kernels see the padding before. */
    @SuppressWarnings("java:S107")
    static ConvGeometry conv(int n, int c, int d, int h, int w, int k, int kd, int kh, int kw, int sd, int sh, int sw,
                             int pd, int ph, int pw, int pd2, int ph2, int pw2, int dd, int dh, int dw, int groups) {
        return new ConvGeometry(n, c, d, h, w, k, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, groups,
                out(d, pd, pd2, dd, kd, sd), out(h, ph, ph2, dh, kh, sh), out(w, pw, pw2, dw, kw, sw));
    }

    static int out(int in, int before, int after, int dil, int k, int s) {
        return Math.floorDiv(in + before + after - dil * (k - 1) - 1, s) + 1;
    }

    // ---- pooling (org.cnn4j.runtime.spi.PoolGeometry)

    /** Max pooling; argmax as the flat plane index of the first maximum, NaN counting as the maximum. */
    static float[][] maxPool(PoolGeometry g, float[] x) {
        int outs = (int) g.outputSize();
        float[] y = new float[outs];
        float[] arg = new float[outs];
        int plane = g.inDepth() * g.inHeight() * g.inWidth();
        int oplane = g.outDepth() * g.outHeight() * g.outWidth();
        for (int p = 0; p < g.planes(); p++) {
            for (int o = 0; o < oplane; o++) {
                int od = o / (g.outHeight() * g.outWidth());
                int oh = o / g.outWidth() % g.outHeight();
                int ow = o % g.outWidth();
                double best = Double.NEGATIVE_INFINITY;
                int bi = -1;
                for (int a = 0; a < g.kernelD(); a++) {
                    for (int b = 0; b < g.kernelH(); b++) {
                        for (int e = 0; e < g.kernelW(); e++) {
                            int d = od * g.strideD() - g.padD() + a;
                            int h = oh * g.strideH() - g.padH() + b;
                            int w = ow * g.strideW() - g.padW() + e;
                            if (d < 0 || d >= g.inDepth() || h < 0 || h >= g.inHeight() || w < 0 || w >= g.inWidth()) {
                                continue;
                            }
                            int i = (d * g.inHeight() + h) * g.inWidth() + w;
                            double v = x[p * plane + i];
                            boolean better = bi < 0 || (!Double.isNaN(best) && (v > best || Double.isNaN(v)));
                            if (better) {
                                best = v;
                                bi = i;
                            }
                        }
                    }
                }
                y[p * oplane + o] = (float) best;
                arg[p * oplane + o] = bi;
            }
        }
        return new float[][] {y, arg};
    }

    /** dx[argmax] += dy, window by window (a scatter). */
    static float[] maxPoolBackward(PoolGeometry g, float[] dy, float[] argmax) {
        double[] dx = new double[(int) g.inputSize()];
        int plane = g.inDepth() * g.inHeight() * g.inWidth();
        int oplane = g.outDepth() * g.outHeight() * g.outWidth();
        for (int p = 0; p < g.planes(); p++) {
            for (int o = 0; o < oplane; o++) {
                int i = (int) argmax[p * oplane + o];
                if (i >= 0) {
                    dx[p * plane + i] += dy[p * oplane + o];
                }
            }
        }
        return toFloat(dx);
    }

    /** PyTorch's avg_pool divisor for a window (with count_include_pad: clipped to the padded input). */
    static int avgCount(PoolGeometry g, boolean includePad, int od, int oh, int ow) {
        int[] in = {g.inDepth(), g.inHeight(), g.inWidth()};
        int[] k = {g.kernelD(), g.kernelH(), g.kernelW()};
        int[] s = {g.strideD(), g.strideH(), g.strideW()};
        int[] pad = {g.padD(), g.padH(), g.padW()};
        int[] o = {od, oh, ow};
        int count = 1;
        for (int d = 0; d < 3; d++) {
            int start = o[d] * s[d] - pad[d];
            int end = Math.min(start + k[d], in[d] + pad[d]);
            if (!includePad) {
                end = Math.min(end, in[d]);
                start = Math.max(start, 0);
            }
            count *= end - start;
        }
        return count;
    }

    /** Forward (dy == null) or backward (scatter dy / count into the window's inputs) average pooling. */
    static float[] avgPool(PoolGeometry g, boolean includePad, float[] x, float[] dy) {
        boolean forward = dy == null;
        double[] out = new double[(int) (forward ? g.outputSize() : g.inputSize())];
        int plane = g.inDepth() * g.inHeight() * g.inWidth();
        int oplane = g.outDepth() * g.outHeight() * g.outWidth();
        for (int p = 0; p < g.planes(); p++) {
            for (int o = 0; o < oplane; o++) {
                int od = o / (g.outHeight() * g.outWidth());
                int oh = o / g.outWidth() % g.outHeight();
                int ow = o % g.outWidth();
                int count = avgCount(g, includePad, od, oh, ow);
                for (int a = 0; a < g.kernelD(); a++) {
                    for (int b = 0; b < g.kernelH(); b++) {
                        for (int e = 0; e < g.kernelW(); e++) {
                            int d = od * g.strideD() - g.padD() + a;
                            int h = oh * g.strideH() - g.padH() + b;
                            int w = ow * g.strideW() - g.padW() + e;
                            if (d < 0 || d >= g.inDepth() || h < 0 || h >= g.inHeight() || w < 0 || w >= g.inWidth()) {
                                continue;
                            }
                            int i = p * plane + (d * g.inHeight() + h) * g.inWidth() + w;
                            if (forward) {
                                out[p * oplane + o] += (double) x[i] / count;
                            } else {
                                out[i] += (double) dy[p * oplane + o] / count;
                            }
                        }
                    }
                }
            }
        }
        return toFloat(out);
    }

    /** Adaptive average pooling forward (dy == null) or backward, cells [floor(o in / out), ceil((o + 1) in / out)). */
    static float[] adaptiveAvgPool(PoolGeometry g, float[] x, float[] dy) {
        boolean forward = dy == null;
        double[] out = new double[(int) (forward ? g.outputSize() : g.inputSize())];
        int plane = g.inDepth() * g.inHeight() * g.inWidth();
        int oplane = g.outDepth() * g.outHeight() * g.outWidth();
        for (int p = 0; p < g.planes(); p++) {
            for (int od = 0; od < g.outDepth(); od++) {
                int d0 = od * g.inDepth() / g.outDepth();
                int d1 = (int) Math.ceil((od + 1) * (double) g.inDepth() / g.outDepth());
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    int h0 = oh * g.inHeight() / g.outHeight();
                    int h1 = (int) Math.ceil((oh + 1) * (double) g.inHeight() / g.outHeight());
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        int w0 = ow * g.inWidth() / g.outWidth();
                        int w1 = (int) Math.ceil((ow + 1) * (double) g.inWidth() / g.outWidth());
                        int o = p * oplane + (od * g.outHeight() + oh) * g.outWidth() + ow;
                        int count = (d1 - d0) * (h1 - h0) * (w1 - w0);
                        for (int d = d0; d < d1; d++) {
                            for (int h = h0; h < h1; h++) {
                                for (int w = w0; w < w1; w++) {
                                    int i = p * plane + (d * g.inHeight() + h) * g.inWidth() + w;
                                    if (forward) {
                                        out[o] += (double) x[i] / count;
                                    } else {
                                        out[i] += (double) dy[o] / count;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return toFloat(out);
    }

    // ---- batch normalization (org.cnn4j.runtime.spi.NormOps)

    /** {mean, var} per channel, in double. */
    static double[][] bnStats(int n, int c, int s, float[] x) {
        double[] mean = new double[c];
        double[] var = new double[c];
        double m = (double) n * s;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    sum += x[(i * c + ch) * s + j];
                }
            }
            mean[ch] = sum / m;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < s; j++) {
                    double dv = x[(i * c + ch) * s + j] - mean[ch];
                    sq += dv * dv;
                }
            }
            var[ch] = sq / m;
        }
        return new double[][] {mean, var};
    }

    static float[] bnForward(int n, int c, int s, double eps, float[] x, float[] mean, float[] var, float[] gamma, float[] beta) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / s) % c;
            double xhat = (x[i] - (double) mean[ch]) / Math.sqrt(var[ch] + eps);
            y[i] = (float) ((gamma == null ? 1 : gamma[ch]) * xhat + (beta == null ? 0 : beta[ch]));
        }
        return y;
    }

    /** {dx, dgamma, dbeta} by the NormOps equations. */
    static float[][] bnBackward(int n, int c, int s, double eps, float[] x, float[] dy, float[] mean, float[] var, float[] gamma) {
        double m = (double) n * s;
        double[] dbeta = new double[c];
        double[] dgamma = new double[c];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / s) % c;
            double xhat = (x[i] - (double) mean[ch]) / Math.sqrt(var[ch] + eps);
            dbeta[ch] += dy[i];
            dgamma[ch] += dy[i] * xhat;
        }
        float[] dx = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / s) % c;
            double inv = 1 / Math.sqrt(var[ch] + eps);
            double xhat = (x[i] - (double) mean[ch]) * inv;
            dx[i] = (float) ((gamma == null ? 1 : gamma[ch]) * inv * (dy[i] - dbeta[ch] / m - xhat * dgamma[ch] / m));
        }
        return new float[][] {dx, toFloat(dgamma), toFloat(dbeta)};
    }

    // ---- dropout (org.cnn4j.runtime.spi.DropoutOps)

    /** Whether element i is kept: the uniform word of its group j = i / groupSize is >= p. */
    static boolean keep(long i, long groupSize, float p, long seed, long offset) {
        long j = i / groupSize;
        return Philox.uniform(Philox.blockFor(seed, offset, j)[(int) (j % 4)]) >= p;
    }

    // ---- softmax and cross-entropy (org.cnn4j.runtime.spi.LossOps)

    static double[] logSoftmaxRow(float[] x, int off, int classes) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            m = Math.max(m, x[off + j]);
        }
        double s = 0;
        for (int j = 0; j < classes; j++) {
            s += Math.exp(x[off + j] - m);
        }
        double lse = m + Math.log(s);
        double[] out = new double[classes];
        for (int j = 0; j < classes; j++) {
            out[j] = x[off + j] - lse;
        }
        return out;
    }

    static float[] softmax(boolean log, int rows, int classes, float[] x) {
        float[] y = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            double[] ls = logSoftmaxRow(x, r * classes, classes);
            for (int j = 0; j < classes; j++) {
                y[r * classes + j] = (float) (log ? ls[j] : Math.exp(ls[j]));
            }
        }
        return y;
    }

    static float[] softmaxBackward(boolean log, int rows, int classes, float[] y, float[] dy) {
        float[] dx = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int j = 0; j < classes; j++) {
                int i = r * classes + j;
                s += log ? dy[i] : (double) dy[i] * y[i];
            }
            for (int j = 0; j < classes; j++) {
                int i = r * classes + j;
                dx[i] = (float) (log ? dy[i] - Math.exp(y[i]) * s : y[i] * (dy[i] - s));
            }
        }
        return dx;
    }

    /** q_j for target t (NaN row when t is not an integer in [0, classes)). */
    static double[] smoothedTarget(float t, int classes, double s) {
        double[] q = new double[classes];
        if (!(t >= 0 && t < classes && t == Math.floor(t))) {
            java.util.Arrays.fill(q, Double.NaN);
            return q;
        }
        for (int j = 0; j < classes; j++) {
            q[j] = s / classes + (j == (int) t ? 1 - s : 0);
        }
        return q;
    }

    static float[] crossEntropy(int rows, int classes, double s, float[] x, float[] t) {
        float[] loss = new float[rows];
        for (int r = 0; r < rows; r++) {
            double[] ls = logSoftmaxRow(x, r * classes, classes);
            double[] q = smoothedTarget(t[r], classes, s);
            double l = 0;
            for (int j = 0; j < classes; j++) {
                l -= q[j] * ls[j];
            }
            loss[r] = (float) l;
        }
        return loss;
    }

    static float[] crossEntropyBackward(int rows, int classes, double s, float[] x, float[] t, double scale) {
        float[] dx = new float[rows * classes];
        for (int r = 0; r < rows; r++) {
            double[] ls = logSoftmaxRow(x, r * classes, classes);
            double[] q = smoothedTarget(t[r], classes, s);
            for (int j = 0; j < classes; j++) {
                dx[r * classes + j] = (float) (scale * (Math.exp(ls[j]) - q[j]));
            }
        }
        return dx;
    }

    static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
