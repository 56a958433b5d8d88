package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * Plain-loop convolution in double, written to be obviously right (see {@link ConvGeometry}):
 * <pre>
 *   y[n, k, o] = bias[k] + sum_{c' &lt; C/G, a, b, e} w[k, c', a, b, e] * x[n, g*C/G + c', o*stride - pad + (a, b, e)*dilation]
 *   dx[n, c, i] = sum_{k in group(c), o, taps reading i} w[k, c', tap] * dy[n, k, o]
 *   dw[k, c', tap] = sum_{n, o} dy[n, k, o] * x[n, c, o*stride - pad + tap*dilation]
 * </pre>
 * Positions outside the input read 0 (and receive nothing). All three loop over the same
 * {@code (n, k, o, c', tap)} nest and differ only in which array they update.
 */
final class NaiveConv {
    private NaiveConv() {
    }

    /** What the loop nest does at one {@code (y index, w index, x index)} triple. */
    private interface Visit {
        void at(int yi, int wi, int xi);
    }

    /** Visits every (output, weight, input) triple whose input position lies inside the input. */
    private static void forEachTerm(ConvGeometry g, Visit visit) {
        int cg = g.inChannels() / g.groups();
        int kg = g.outChannels() / g.groups();
        for (int n = 0; n < g.batch(); n++) {
            for (int k = 0; k < g.outChannels(); k++) {
                int group = k / kg;
                for (int od = 0; od < g.outDepth(); od++) {
                    for (int oh = 0; oh < g.outHeight(); oh++) {
                        for (int ow = 0; ow < g.outWidth(); ow++) {
                            int yi = (((n * g.outChannels() + k) * g.outDepth() + od) * g.outHeight() + oh) * g.outWidth() + ow;
                            for (int cp = 0; cp < cg; cp++) {
                                int c = group * cg + cp;
                                for (int a = 0; a < g.kernelD(); a++) {
                                    for (int b = 0; b < g.kernelH(); b++) {
                                        for (int e = 0; e < g.kernelW(); e++) {
                                            int id = od * g.strideD() - g.padFront() + a * g.dilationD();
                                            int ih = oh * g.strideH() - g.padTop() + b * g.dilationH();
                                            int iw = ow * g.strideW() - g.padLeft() + e * g.dilationW();
                                            if (id < 0 || id >= g.inDepth() || ih < 0 || ih >= g.inHeight()
                                                    || iw < 0 || iw >= g.inWidth()) {
                                                continue; // zero padding
                                            }
                                            int wi = (((k * cg + cp) * g.kernelD() + a) * g.kernelH() + b) * g.kernelW() + e;
                                            int xi = (((n * g.inChannels() + c) * g.inDepth() + id) * g.inHeight() + ih) * g.inWidth() + iw;
                                            visit.at(yi, wi, xi);
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

    /** {@code y = conv(x, w) + bias} ({@code bias} may be null). */
    static double[] forward(ConvGeometry g, double[] x, double[] w, double[] bias) {
        double[] y = new double[(int) g.outputSize()];
        forEachTerm(g, (yi, wi, xi) -> y[yi] += w[wi] * x[xi]);
        if (bias != null) {
            int p = g.outDepth() * g.outHeight() * g.outWidth();
            for (int i = 0; i < y.length; i++) {
                y[i] += bias[(i / p) % g.outChannels()];
            }
        }
        return y;
    }

    /** {@code dx} from {@code dy}. */
    static double[] backwardInput(ConvGeometry g, double[] dy, double[] w) {
        double[] dx = new double[(int) g.inputSize()];
        forEachTerm(g, (yi, wi, xi) -> dx[xi] += w[wi] * dy[yi]);
        return dx;
    }

    /** {@code dw} from {@code x} and {@code dy}. */
    static double[] backwardWeight(ConvGeometry g, double[] x, double[] dy) {
        double[] dw = new double[(int) g.weightSize()];
        forEachTerm(g, (yi, wi, xi) -> dw[wi] += dy[yi] * x[xi]);
        return dw;
    }
}
