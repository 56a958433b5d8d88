package org.cnn4j.it;

import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * Plain-loop convolution in double precision, the reference for {@link org.cnn4j.runtime.spi.ConvOps}.
 * One geometry serves 2-D and 3-D (depth 1). With {@code Cg = C / G}, {@code Kg = K / G} and the group of
 * output channel {@code k} being {@code g = k / Kg}:
 * <pre>
 *   y[n, k, od, oh, ow] = bias[k] + sum_{c' &lt; Cg, a &lt; kD, b &lt; kH, e &lt; kW} w[k, c', a, b, e]
 *                         * x[n, g*Cg + c', od*sD - pF + a*dD, oh*sH - pT + b*dH, ow*sW - pL + e*dW]
 * </pre>
 * with {@code x} outside the input equal to 0. The two backward passes are the adjoints of the same
 * loop nest: every product {@code w * x} that forward adds into {@code y[o]} contributes
 * {@code w * dy[o]} to {@code dx} at the input position it read and {@code x * dy[o]} to {@code dw} at the
 * tap it used. Writing them as the same loop with the accumulation redirected makes them right by
 * construction (and {@link FiniteDifferenceTest} proves it).
 */
final class NaiveConv {
    private NaiveConv() {
    }

    /**
     * A geometry from PyTorch-style arguments, with the output size
     * {@code out = floor((in + before + after - dilation (kernel - 1) - 1) / stride) + 1} per dimension.
     * Arrays hold {@code {depth, height, width}}.
     */
    static ConvGeometry geometry(int n, int c, int[] in, int k, int[] kernel, int[] stride, int[] padBefore, int[] padAfter,
                                 int[] dilation, int groups) {
        int[] out = new int[3];
        for (int d = 0; d < 3; d++) {
            out[d] = Math.floorDiv(in[d] + padBefore[d] + padAfter[d] - dilation[d] * (kernel[d] - 1) - 1, stride[d]) + 1;
            if (out[d] < 1) {
                throw new IllegalArgumentException("conv geometry: output extent " + d + " must be >= 1, but got " + out[d]);
            }
        }
        return new ConvGeometry(n, c, in[0], in[1], in[2], k, kernel[0], kernel[1], kernel[2],
                stride[0], stride[1], stride[2], padBefore[0], padBefore[1], padBefore[2],
                dilation[0], dilation[1], dilation[2], groups, out[0], out[1], out[2]);
    }

    /** A 2-D geometry with symmetric padding: depth 1, kernel depth 1. */
    static ConvGeometry conv2d(int n, int c, int h, int w, int k, int kh, int kw, int stride, int pad, int dilation, int groups) {
        return geometry(n, c, new int[] {1, h, w}, k, new int[] {1, kh, kw}, new int[] {1, stride, stride},
                new int[] {0, pad, pad}, new int[] {0, pad, pad}, new int[] {1, dilation, dilation}, groups);
    }

    /** Row-major index of {@code x[n, c, d, h, w]}. */
    static int xIndex(ConvGeometry g, int n, int c, int d, int h, int w) {
        return (((n * g.inChannels() + c) * g.inDepth() + d) * g.inHeight() + h) * g.inWidth() + w;
    }

    /** Row-major index of {@code w[k, c', a, b, e]}. */
    static int wIndex(ConvGeometry g, int k, int cg, int a, int b, int e) {
        return (((k * (g.inChannels() / g.groups()) + cg) * g.kernelD() + a) * g.kernelH() + b) * g.kernelW() + e;
    }

    /** Row-major index of {@code y[n, k, d, h, w]}. */
    static int yIndex(ConvGeometry g, int n, int k, int d, int h, int w) {
        return (((n * g.outChannels() + k) * g.outDepth() + d) * g.outHeight() + h) * g.outWidth() + w;
    }

    /** What the loop nest does with one product {@code w[wi] * x[xi]} that belongs to {@code y[yi]}. */
    private interface Tap {
        void at(int yi, int wi, int xi);
    }

    /** Visits every (output, weight tap, input) triple with the input position inside the input. */
    private static void forEachTap(ConvGeometry g, Tap tap) {
        int cg = g.inChannels() / g.groups();
        int kg = g.outChannels() / g.groups();
        for (int n = 0; n < g.batch(); n++) {
            for (int k = 0; k < g.outChannels(); k++) {
                int group = k / kg;
                for (int od = 0; od < g.outDepth(); od++) {
                    for (int oh = 0; oh < g.outHeight(); oh++) {
                        for (int ow = 0; ow < g.outWidth(); ow++) {
                            int yi = yIndex(g, n, k, od, oh, ow);
                            for (int ci = 0; ci < cg; ci++) {
                                int c = group * cg + ci;
                                for (int a = 0; a < g.kernelD(); a++) {
                                    int id = od * g.strideD() - g.padFront() + a * g.dilationD();
                                    if (id < 0 || id >= g.inDepth()) {
                                        continue; // zero padding: contributes nothing
                                    }
                                    for (int b = 0; b < g.kernelH(); b++) {
                                        int ih = oh * g.strideH() - g.padTop() + b * g.dilationH();
                                        if (ih < 0 || ih >= g.inHeight()) {
                                            continue;
                                        }
                                        for (int e = 0; e < g.kernelW(); e++) {
                                            int iw = ow * g.strideW() - g.padLeft() + e * g.dilationW();
                                            if (iw < 0 || iw >= g.inWidth()) {
                                                continue;
                                            }
                                            tap.at(yi, wIndex(g, k, ci, a, b, e), xIndex(g, n, c, id, ih, iw));
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

    /** {@code y = conv(x, w) + bias} (bias may be null). */
    static double[] forward(ConvGeometry g, double[] x, double[] w, double[] bias) {
        double[] y = new double[(int) g.outputSize()];
        if (bias != null) {
            int spatial = g.outDepth() * g.outHeight() * g.outWidth();
            for (int i = 0; i < y.length; i++) {
                y[i] = bias[(i / spatial) % g.outChannels()];
            }
        }
        forEachTap(g, (yi, wi, xi) -> y[yi] += w[wi] * x[xi]);
        return y;
    }

    /** {@code dx[xi] = sum over the taps that read x[xi] of w[wi] * dy[yi]}; also the transposed convolution of {@code dy}. */
    static double[] backwardInput(ConvGeometry g, double[] dy, double[] w) {
        double[] dx = new double[(int) g.inputSize()];
        forEachTap(g, (yi, wi, xi) -> dx[xi] += w[wi] * dy[yi]);
        return dx;
    }

    /** {@code dw[wi] = sum over the taps that use w[wi] of x[xi] * dy[yi]}. */
    static double[] backwardWeight(ConvGeometry g, double[] x, double[] dy) {
        double[] dw = new double[(int) g.weightSize()];
        forEachTap(g, (yi, wi, xi) -> dw[wi] += x[xi] * dy[yi]);
        return dw;
    }

    /** {@code dbias[k] = sum_{n, o} dy[n, k, o]}: what a layer computes for the bias (not an SPI op). */
    static double[] backwardBias(ConvGeometry g, double[] dy) {
        double[] db = new double[g.outChannels()];
        int spatial = g.outDepth() * g.outHeight() * g.outWidth();
        for (int i = 0; i < dy.length; i++) {
            db[(i / spatial) % g.outChannels()] += dy[i];
        }
        return db;
    }

    /** The largest number of products summed into one output of the forward pass: {@code Cg * kD * kH * kW}. */
    static int forwardTerms(ConvGeometry g) {
        return g.inChannels() / g.groups() * g.kernelD() * g.kernelH() * g.kernelW();
    }

    /** An upper bound on the products summed into one {@code dx}: {@code Kg * kD * kH * kW}. */
    static int backwardInputTerms(ConvGeometry g) {
        return g.outChannels() / g.groups() * g.kernelD() * g.kernelH() * g.kernelW();
    }

    /** The products summed into one {@code dw}: {@code N * outD * outH * outW}. */
    static int backwardWeightTerms(ConvGeometry g) {
        return g.batch() * g.outDepth() * g.outHeight() * g.outWidth();
    }
}
