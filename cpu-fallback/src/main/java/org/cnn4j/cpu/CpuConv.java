package org.cnn4j.cpu;

import java.util.Arrays;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.ConvOps;
import org.cnn4j.runtime.spi.DeviceMemory;

/**
 * Convolution on the CPU (every {@link ConvGeometry}: 2-D and 3-D, stride, asymmetric padding, dilation, groups),
 * by one of two engines per pass:
 * <ul>
 *   <li>{@link CpuConvShifted}, an implicit matrix product over shifted rows of a padded copy of each image, with
 *       Vector API register tiles, when the Vector API is enabled ({@link CpuVectorSupport}): every forward and
 *       weight-gradient pass, and the input gradient when there are at least two input channels per group;</li>
 *   <li>{@link CpuConvIm2col}, im2col and {@link CpuGemm}, otherwise: the input gradient of convolutions with one
 *       input channel per group, and every pass on a JVM without the Vector API.</li>
 * </ul>
 * Both overwrite their outputs and give the same results up to rounding.
 */
final class CpuConv implements ConvOps {
    private final CpuConvIm2col im2col;
    private final CpuConvShifted shifted;

    /** The engines the Vector API allows, sharing {@code gemm}. */
    CpuConv(CpuGemm gemm) {
        this(gemm, CpuVectorSupport.choose("convolution", ConvTiles.class, "org.cnn4j.cpu.ConvTilesVector", () -> null));
    }

    /** @param tiles the register tiles of the shifted-rows engine, or null to run im2col only */
    CpuConv(CpuGemm gemm, ConvTiles tiles) {
        this.im2col = new CpuConvIm2col(gemm);
        this.shifted = tiles == null ? null : new CpuConvShifted(tiles);
    }

    @Override
    public void convForward(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory w, long wOff,
                            DeviceMemory bias, long biasOff, DeviceMemory y, long yOff) {
        if (shifted != null && g.outputSize() > 0 && g.inChannels() > 0 && shifted.supportsForward(g)) {
            shifted.forward(g, CpuMemory.array(x), xOff, CpuMemory.array(w), wOff, bias == null ? null : CpuMemory.array(bias),
                    biasOff, CpuMemory.array(y), yOff);
        } else {
            im2col.convForward(g, x, xOff, w, wOff, bias, biasOff, y, yOff);
        }
    }

    @Override
    public void convBackwardInput(ConvGeometry g, DeviceMemory dy, long dyOff, DeviceMemory w, long wOff,
                                  DeviceMemory dx, long dxOff) {
        if (shifted != null && g.inputSize() > 0 && g.outChannels() > 0 && g.outputSize() > 0
                && shifted.supportsBackwardInput(g)) {
            shifted.backwardInput(g, CpuMemory.array(dy), dyOff, CpuMemory.array(w), wOff, CpuMemory.array(dx), dxOff);
        } else {
            im2col.convBackwardInput(g, dy, dyOff, w, wOff, dx, dxOff);
        }
    }

    @Override
    public void convBackwardWeight(ConvGeometry g, DeviceMemory x, long xOff, DeviceMemory dy, long dyOff,
                                   DeviceMemory dw, long dwOff) {
        if (shifted != null && g.weightSize() > 0 && shifted.supportsBackwardWeight(g)) {
            if (g.batch() == 0 || g.outputSize() == 0) {
                float[] dws = CpuMemory.array(dw);
                Arrays.fill(dws, (int) dwOff, (int) (dwOff + g.weightSize()), 0f);
                return;
            }
            shifted.backwardWeight(g, CpuMemory.array(x), xOff, CpuMemory.array(dy), dyOff, CpuMemory.array(dw), dwOff);
        } else {
            im2col.convBackwardWeight(g, x, xOff, dy, dyOff, dw, dwOff);
        }
    }
}
