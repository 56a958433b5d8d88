package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertClose;

import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * batchnorm.cl against {@link NaiveCnn}: statistics, forward and fused backward; one and several segments, for
 * the segment kernels and the row kernels (vector rows with and without a tail, one and several parts).
 */
class ClNormTest {
    /** {n, c, spatial}: 2-D, 1-D (spatial 1), and long channels that the launcher splits into segments. */
    private static final int[][] SHAPES = {{4, 3, 25}, {7, 5, 1}, {3, 2, 3001}, {1, 1, 1}, {16, 8, 49}, {5, 3, 64}, {3, 2, 16},
        {6, 4, 196}};
    private static final float EPS = 1e-5f;

    static Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void statisticsForwardBackward(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (int kind = 0; kind < 6; kind++) {
            int forced = new int[] {0, 1, 3}[kind % 3];
            ClNorm norm = new ClNorm(b.context(), forced, kind >= 3);
            for (int[] s : SHAPES) {
                int n = s[0];
                int c = s[1];
                int sp = s[2];
                int size = n * c * sp;
                float[] x = random(size, size, 4f, 6f);     // mean far from 0: the variance must not cancel
                float[] dy = random(size + 1, size, -1f, 1f);
                float[] gamma = random(c, c, 0.5f, 1.5f);
                float[] beta = random(c + 1, c, -1f, 1f);
                String what = "[" + n + ", " + c + ", " + sp + "] " + (norm.rows() ? "rows, parts " + norm.rowParts(c, n)
                        : "segments " + norm.segments(c, (long) n * sp)) + " on " + tb;
                double[][] st = NaiveCnn.bnStats(n, c, sp, x);
                ClBuffer xd = (ClBuffer) upload(b, x);
                ClBuffer mean = (ClBuffer) b.allocate(c + 1);
                ClBuffer var = (ClBuffer) b.allocate(c + 2);
                norm.statistics(n, c, sp, xd, 0, mean, 1, var, 2);
                float[] m = download(b, mean, 1, c);
                float[] v = download(b, var, 2, c);
                assertClose("mean " + what, NaiveCnn.toFloat(st[0]), m, 1e-6, 1e-5);
                assertClose("var " + what, NaiveCnn.toFloat(st[1]), v, 1e-6, 1e-4);
                ClBuffer g = (ClBuffer) upload(b, gamma);
                ClBuffer be = (ClBuffer) upload(b, beta);
                ClBuffer y = (ClBuffer) b.allocate(size);
                for (boolean affine : new boolean[] {true, false}) {
                    norm.forward(n, c, sp, EPS, xd, 0, mean, 1, var, 2, affine ? g : null, 0, affine ? be : null, 0, y, 0);
                    assertClose("forward affine=" + affine + " " + what,
                            NaiveCnn.bnForward(n, c, sp, EPS, x, m, v, affine ? gamma : null, affine ? beta : null),
                            download(b, y, 0, size), 1e-4, 1e-4);
                    ClBuffer dyd = (ClBuffer) upload(b, dy);
                    ClBuffer dgamma = (ClBuffer) b.allocate(c);
                    ClBuffer dbeta = (ClBuffer) b.allocate(c);
                    float[][] ref = NaiveCnn.bnBackward(n, c, sp, EPS, x, dy, m, v, affine ? gamma : null);
                    norm.backward(n, c, sp, EPS, xd, 0, dyd, 0, mean, 1, var, 2, affine ? g : null, 0, dyd, 0,
                            affine ? dgamma : null, 0, affine ? dbeta : null, 0);          // dx aliases dy
                    // dx subtracts sums of M terms: its error scales with sqrt(M) times the terms
                    double atol = 2e-5 * Math.sqrt((double) n * sp) + 1e-4;
                    if (v[0] > 1e-3) {
                        assertClose("dx affine=" + affine + " " + what, ref[0], download(b, dyd, 0, size), atol, 1e-3);
                    }
                    if (affine) {
                        assertClose("dgamma " + what, ref[1], download(b, dgamma, 0, c), atol, 1e-4);
                        assertClose("dbeta " + what, ref[2], download(b, dbeta, 0, c), atol, 1e-4);
                    }
                    b.release(dyd);
                    b.release(dgamma);
                    b.release(dbeta);
                }
                for (DeviceMemory d : new DeviceMemory[] {xd, mean, var, g, be, y}) {
                    b.release(d);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void throughTheBackend(TestBackend tb) {
        OpenClBackend b = tb.backend();
        int n = 8;
        int c = 4;
        int sp = 9;
        int size = n * c * sp;
        float[] x = random(3, size, -1f, 1f);
        DeviceMemory xd = upload(b, x);
        DeviceMemory mean = b.allocate(c);
        DeviceMemory var = b.allocate(c);
        b.batchNormStatistics(n, c, sp, xd, 0, mean, 0, var, 0);
        double[][] st = NaiveCnn.bnStats(n, c, sp, x);
        assertClose("mean via backend on " + tb, NaiveCnn.toFloat(st[0]), download(b, mean, 0, c), 1e-6, 1e-5);
        assertClose("var via backend on " + tb, NaiveCnn.toFloat(st[1]), download(b, var, 0, c), 1e-6, 1e-5);
        DeviceMemory y = b.allocate(size);
        b.batchNormForward(n, c, sp, EPS, xd, 0, mean, 0, var, 0, null, 0, null, 0, y, 0);
        b.batchNormBackward(n, c, sp, EPS, xd, 0, y, 0, mean, 0, var, 0, null, 0, y, 0, null, 0, null, 0);
        for (DeviceMemory d : new DeviceMemory[] {xd, mean, var, y}) {
            b.release(d);
        }
    }
}
