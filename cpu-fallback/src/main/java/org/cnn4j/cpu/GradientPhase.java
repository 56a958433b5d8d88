package org.cnn4j.cpu;

import java.util.ArrayList;
import java.util.List;
import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * One stride phase of a convolution's input gradient, as a stride-1 forward convolution of the output gradient.
 *
 * <p>Along one dimension (input extent {@code I}, kernel {@code k}, stride {@code s}, dilation {@code d}, padding
 * {@code p} before), input position {@code i} reads output {@code o} through tap {@code t} when
 * {@code i + p = o s + t d}. The inputs of phase {@code a < s} are {@code i = a - p + j s}; they are reached by the
 * taps with {@code t d = a (mod s)}, which are {@code t_r = t0 + r s / gcd(s, d)} for {@code r < R}, through
 * {@code o = j - m_r}, {@code m_r = (t_r d - a) / s = m_0 + r d / gcd(s, d)}. With the taps reversed,
 * {@code u = R - 1 - r},
 * <pre>
 *   dx[c, a - p + j s] = sum_{k, u} w[k, c, t_{R-1-u}] dy[k, j - m_{R-1} + u d']      d' = d / gcd(s, d)
 * </pre>
 * a stride-1 convolution of {@code dy} with an {@code R}-tap kernel of dilation {@code d'}, padding
 * {@code m_{R-1} - j0} before, over the {@code J} phase positions {@code j0 <= j < j0 + J} inside the input. In
 * three dimensions the phases combine: {@code sD sH sW} of them, each a convolution with a product of the three
 * reversed tap lists. A phase with no tap in some dimension ({@code R = 0}) gets no gradient: its inputs are 0.
 * With stride 1 there is one phase, the flipped kernel over the whole input.
 *
 * @param pass  the stride-1 convolution: {@code dy} in, the phase's inputs out, {@code K} and {@code C} swapped
 * @param axes  the phase along depth, height and width
 */
record GradientPhase(ConvGeometry pass, Axis[] axes) {

    /**
     * The phase along one dimension.
     *
     * @param taps     {@code R}, taps of the phase's kernel (0: no gradient reaches the phase)
     * @param tapStart {@code t0}, the first original tap
     * @param tapStep  {@code s / gcd(s, d)}, between original taps
     * @param dilation {@code d'}
     * @param pad      padding before the output gradient, {@code m_{R-1} - j0} (negative: cropped)
     * @param first    the input position of the phase's first position {@code j0}
     * @param count    {@code J}, the phase's positions inside the input
     * @param stride   {@code s}, between the phase's input positions
     */
    record Axis(int taps, int tapStart, int tapStep, int dilation, int pad, int first, int count, int stride) {
        static Axis of(int a, int in, int kernel, int stride, int dilation, int padBefore) {
            int gcd = gcd(stride, dilation);
            int step = stride / gcd;
            int t0 = -1;
            for (int t = 0; t < Math.min(kernel, step); t++) {
                if ((long) t * dilation % stride == a) {
                    t0 = t;
                    break;
                }
            }
            int taps = t0 < 0 ? 0 : (kernel - 1 - t0) / step + 1;
            int j0 = padBefore > a ? (padBefore - a + stride - 1) / stride : 0;
            long end = (long) in - a + padBefore; // j < end / s keeps a - p + j s < in
            int j1 = end <= 0 ? 0 : (int) ((end + stride - 1) / stride);
            int count = Math.max(0, j1 - j0);
            int mLast = taps == 0 ? 0 : (int) (((long) (t0 + (taps - 1) * step) * dilation - a) / stride);
            return new Axis(taps, Math.max(t0, 0), step, dilation / gcd, mLast - j0, a - padBefore + j0 * stride, count,
                    stride);
        }

        /** The original tap of the phase's tap {@code u}. */
        int tap(int u) {
            return tapStart + (taps - 1 - u) * tapStep;
        }

        private static int gcd(int a, int b) {
            return b == 0 ? a : gcd(b, a % b);
        }
    }

    /** Whether some input position gets no gradient from any phase (a phase without taps in some dimension). */
    static boolean leavesZeros(ConvGeometry g) {
        for (int a = 0; a < g.strideD(); a++) {
            if (Axis.of(a, g.inDepth(), g.kernelD(), g.strideD(), g.dilationD(), g.padFront()).taps() == 0) {
                return true;
            }
        }
        for (int a = 0; a < g.strideH(); a++) {
            if (Axis.of(a, g.inHeight(), g.kernelH(), g.strideH(), g.dilationH(), g.padTop()).taps() == 0) {
                return true;
            }
        }
        for (int a = 0; a < g.strideW(); a++) {
            if (Axis.of(a, g.inWidth(), g.kernelW(), g.strideW(), g.dilationW(), g.padLeft()).taps() == 0) {
                return true;
            }
        }
        return false;
    }

    /** The phases of {@code g}'s input gradient that have taps and positions in every dimension. */
    static List<GradientPhase> of(ConvGeometry g) {
        List<GradientPhase> phases = new ArrayList<>();
        for (int ad = 0; ad < g.strideD(); ad++) {
            Axis d = Axis.of(ad, g.inDepth(), g.kernelD(), g.strideD(), g.dilationD(), g.padFront());
            for (int ah = 0; ah < g.strideH(); ah++) {
                Axis h = Axis.of(ah, g.inHeight(), g.kernelH(), g.strideH(), g.dilationH(), g.padTop());
                for (int aw = 0; aw < g.strideW(); aw++) {
                    Axis w = Axis.of(aw, g.inWidth(), g.kernelW(), g.strideW(), g.dilationW(), g.padLeft());
                    if (d.taps() > 0 && h.taps() > 0 && w.taps() > 0 && d.count() > 0 && h.count() > 0 && w.count() > 0) {
                        ConvGeometry pass = new ConvGeometry(g.batch(), g.outChannels(), g.outDepth(), g.outHeight(),
                                g.outWidth(), g.inChannels(), d.taps(), h.taps(), w.taps(), 1, 1, 1, d.pad(), h.pad(), w.pad(),
                                d.dilation(), h.dilation(), w.dilation(), g.groups(), d.count(), h.count(), w.count());
                        phases.add(new GradientPhase(pass, new Axis[] {d, h, w}));
                    }
                }
            }
        }
        return phases;
    }

    /** Whether the phase's outputs are the whole input, in order (stride 1): no scatter needed. */
    boolean coversInput(ConvGeometry g) {
        return axes[0].stride() == 1 && axes[1].stride() == 1 && axes[2].stride() == 1
                && pass.outDepth() == g.inDepth() && pass.outHeight() == g.inHeight() && pass.outWidth() == g.inWidth()
                && axes[0].first() == 0 && axes[1].first() == 0 && axes[2].first() == 0;
    }

    /**
     * The index in {@code w} (from its start) of the pass's weight for output row {@code c'} (an original input
     * channel of the group) and depth index {@code p = k' T' + (uD RH + uH) RW + uW}.
     */
    int weightIndex(ConvGeometry g, int grp, int c, int p) {
        int rd = axes[0].taps();
        int rh = axes[1].taps();
        int rw = axes[2].taps();
        int passTaps = rd * rh * rw;
        int k = p / passTaps;
        int u = p - k * passTaps;
        int ud = u / (rh * rw);
        int uh = u / rw - ud * rh;
        int uw = u - (ud * rh + uh) * rw;
        int kg = g.outChannels() / g.groups();
        int cg = g.inChannels() / g.groups();
        int tap = (axes[0].tap(ud) * g.kernelH() + axes[1].tap(uh)) * g.kernelW() + axes[2].tap(uw);
        return ((grp * kg + k) * cg + c) * g.kernelD() * g.kernelH() * g.kernelW() + tap;
    }
}
