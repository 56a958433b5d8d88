package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnn4j.runtime.spi.ConvGeometry;
import org.junit.jupiter.api.Test;

/**
 * Edge cases of {@link CpuConvShifted} that {@link CpuConvTest}'s random inputs do not reach: the virtual output
 * columns past the output width, which the forward pass computes and drops and the weight gradient must not sum.
 */
class CpuConvShiftedTest {
    private static final CpuConvShifted ENGINE =
            new CpuConvShifted(CpuVectorSupport.load("org.cnn4j.cpu.ConvTilesVector", ConvTiles.class));

    /**
     * An infinite value in the last input column is read by the virtual columns of tap {@code e = 0} (3x3, padding 1)
     * but by no real output of that tap: those weight-gradient entries stay finite and equal the reference, on both
     * weight-gradient paths (a shallow geometry runs row-dot tiles, a deep one gathered tiles).
     */
    @Test
    void infiniteInputReadOnlyByVirtualColumnsLeavesTheirTapsFinite() {
        for (int c : new int[] {1, 16}) { // depth 9 (row-dot) and 144 (gathered, with 32 output channels)
            ConvGeometry g = new ConvGeometry(3, c, 1, 6, 7, 32, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 6, 7);
            float[] x = TestData.random(41, (int) g.inputSize());
            for (int i = 6; i < x.length; i += 7) {
                x[i] = Float.POSITIVE_INFINITY; // column w = 6, the last, of every row of every plane
            }
            float[] dy = TestData.random(42, (int) g.outputSize());
            double[] expected = NaiveConv.backwardWeight(g, TestData.toDouble(x), TestData.toDouble(dy));
            float[] dw = new float[(int) g.weightSize()];
            ENGINE.backwardWeight(g, x, 0, dy, 0, dw, 0);
            int finite = 0;
            for (int i = 0; i < dw.length; i++) {
                if (Double.isFinite(expected[i])) {
                    finite++;
                    assertTrue(Math.abs(dw[i] - expected[i]) <= 1e-4 + 1e-4 * Math.abs(expected[i]),
                            "C=" + c + ": dw[" + i + "] = " + dw[i] + ", expected " + expected[i]);
                } else {
                    assertFalse(Float.isFinite(dw[i]), "C=" + c + ": dw[" + i + "] must not be finite, but got " + dw[i]);
                }
            }
            assertEquals(32 * c * 3, finite, "C=" + c + ": the taps e = 0 are the finite ones");
        }
    }

    /** The forward pass drops the virtual columns: outputs that do not read the infinite column stay finite. */
    @Test
    void forwardDropsVirtualColumns() {
        ConvGeometry g = new ConvGeometry(2, 3, 1, 5, 6, 9, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 5, 6);
        float[] x = TestData.random(43, (int) g.inputSize());
        for (int i = 5; i < x.length; i += 6) {
            x[i] = Float.NaN; // the last column
        }
        float[] w = TestData.random(44, (int) g.weightSize());
        double[] expected = NaiveConv.forward(g, TestData.toDouble(x), TestData.toDouble(w), null);
        float[] y = new float[(int) g.outputSize()];
        ENGINE.forward(g, x, 0, w, 0, null, 0, y, 0);
        for (int i = 0; i < y.length; i++) {
            assertEquals(Double.isNaN(expected[i]), Float.isNaN(y[i]), "y[" + i + "] = " + y[i] + ", expected " + expected[i]);
            if (!Double.isNaN(expected[i])) {
                assertEquals(expected[i], y[i], 1e-4);
            }
        }
    }
}
