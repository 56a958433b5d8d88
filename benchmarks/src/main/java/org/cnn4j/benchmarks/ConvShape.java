package org.cnn4j.benchmarks;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A convolution benchmark shape: input {@code [n, c, h, w]}, {@code k} filters of {@code kernel x kernel},
 * {@code stride} and {@code pad} on both axes, no dilation, one group. Written {@code NxCxHxW/Kxkxk/sS/pP},
 * for example {@code 64x1x28x28/32x3x3/s1/p1}.
 */
record ConvShape(int n, int c, int h, int w, int k, int kernel, int stride, int pad) {
    /** conv1 .. conv5 of the performance issue. */
    static final List<ConvShape> STANDARD = List.of(
            new ConvShape(64, 1, 28, 28, 32, 3, 1, 1),
            new ConvShape(64, 32, 14, 14, 64, 3, 1, 1),
            new ConvShape(32, 64, 32, 32, 64, 3, 1, 1),
            new ConvShape(32, 3, 32, 32, 16, 5, 1, 2),
            new ConvShape(32, 64, 32, 32, 128, 3, 2, 1));

    private static final Pattern FORMAT = Pattern.compile("(\\d+)x(\\d+)x(\\d+)x(\\d+)/(\\d+)x(\\d+)x(\\d+)/s(\\d+)/p(\\d+)");

    ConvShape {
        if (n < 1 || c < 1 || h < 1 || w < 1 || k < 1 || kernel < 1 || stride < 1 || pad < 0 || h + 2 * pad < kernel
                || w + 2 * pad < kernel) {
            throw new IllegalArgumentException("ConvShape: sizes must be positive and the kernel must fit the padded "
                    + "input, but got n=" + n + " c=" + c + " h=" + h + " w=" + w + " k=" + k + " kernel=" + kernel
                    + " stride=" + stride + " pad=" + pad);
        }
    }

    /**
     * Parses {@code NxCxHxW/Kxkxk/sS/pP} or a standard name {@code conv1} .. {@code conv5}.
     *
     * @throws IllegalArgumentException with the expected format
     */
    static ConvShape parse(String text) {
        if (text.matches("conv[1-9]") && text.charAt(4) - '0' <= STANDARD.size()) {
            return STANDARD.get(text.charAt(4) - '1');
        }
        Matcher m = FORMAT.matcher(text);
        if (!m.matches() || !m.group(6).equals(m.group(7))) {
            throw new IllegalArgumentException("ConvShape.parse: shape must be NxCxHxW/Kxkxk/sS/pP (square kernel) or conv1.."
                    + STANDARD.size() + ", but got '" + text + "'");
        }
        int[] v = new int[9];
        for (int i = 0; i < 9; i++) {
            v[i] = Integer.parseInt(m.group(i + 1));
        }
        return new ConvShape(v[0], v[1], v[2], v[3], v[4], v[5], v[7], v[8]);
    }

    int outH() {
        return (h + 2 * pad - kernel) / stride + 1;
    }

    int outW() {
        return (w + 2 * pad - kernel) / stride + 1;
    }

    /** Floating-point operations of one forward pass: {@code 2 N K Ho Wo C k k} (bias not counted). */
    double forwardFlops() {
        return 2.0 * n * k * outH() * outW() * c * kernel * kernel;
    }

    /** The same convolution on a few small images (for smoke tests): at most 2 images, 4 channels, 8 filters, 8x8. */
    ConvShape tiny() {
        return new ConvShape(Math.min(n, 2), Math.min(c, 4), 8, 8, Math.min(k, 8), kernel, stride, pad);
    }

    /** {@code NxCxHxW/Kxkxk/sS/pP}. */
    @Override
    public String toString() {
        return n + "x" + c + "x" + h + "x" + w + "/" + k + "x" + kernel + "x" + kernel + "/s" + stride + "/p" + pad;
    }
}
