package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** loss.cl against {@link NaiveCnn}: softmax, log-softmax, their backward passes, cross-entropy with smoothing. */
class ClLossTest {
    /** {rows, classes}. */
    private static final int[][] SHAPES = {{1, 1}, {37, 10}, {5, 1000}, {3, 2}};

    static Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void softmaxForwardAndBackward(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (int[] s : SHAPES) {
            int rows = s[0];
            int classes = s[1];
            int n = rows * classes;
            float[] x = random(n, n + 1, -30f, 30f);          // wide: exp without the max subtracted would overflow
            x[1] = 80f;
            float[] dy = random(n + 7, n, -1f, 1f);
            for (boolean log : new boolean[] {false, true}) {
                String what = (log ? "logSoftmax " : "softmax ") + rows + "x" + classes + " on " + tb;
                DeviceMemory xd = upload(b, x);
                DeviceMemory yd = b.allocate(n);
                b.softmax(log, rows, classes, xd, 1, yd, 0);
                float[] y = download(b, yd, 0, n);
                assertClose("forward " + what, NaiveCnn.softmax(log, rows, classes, DeviceArrays.slice(x, 1, n)), y,
                        log ? 1e-5 : 1e-7, 1e-5);
                DeviceMemory dyd = upload(b, dy);
                b.softmaxBackward(log, rows, classes, yd, 0, dyd, 0, dyd, 0);    // dx aliases dy
                assertClose("backward " + what, NaiveCnn.softmaxBackward(log, rows, classes, y, dy), download(b, dyd, 0, n),
                        1e-5, 1e-4);
                b.release(xd);
                b.release(yd);
                b.release(dyd);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void crossEntropyWithSmoothingAndInvalidTargets(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (int[] s : SHAPES) {
            int rows = s[0];
            int classes = s[1];
            int n = rows * classes;
            float[] x = random(n + 3, n, -5f, 5f);
            float[] t = new float[rows];
            for (int r = 0; r < rows; r++) {
                t[r] = (r * 7) % classes;
            }
            if (rows > 3) {
                t[1] = -1f;                  // outside [0, classes)
                t[2] = classes;              // outside
                t[3] = 0.5f;                 // not an integer
                t[rows - 1] = Float.NaN;
            }
            DeviceMemory xd = upload(b, x);
            DeviceMemory td = upload(b, t);
            DeviceMemory scale = upload(b, new float[] {0f, 1f / rows});
            DeviceMemory ld = b.allocate(rows);
            DeviceMemory dxd = b.allocate(n);
            for (float smoothing : new float[] {0f, 0.1f}) {
                String what = rows + "x" + classes + " smoothing " + smoothing + " on " + tb;
                b.crossEntropy(rows, classes, smoothing, xd, 0, td, 0, ld, 0);
                float[] loss = download(b, ld, 0, rows);
                assertClose("crossEntropy " + what, NaiveCnn.crossEntropy(rows, classes, smoothing, x, t), loss, 1e-5, 1e-5);
                b.crossEntropyBackward(rows, classes, smoothing, xd, 0, td, 0, scale, 1, dxd, 0);
                assertClose("crossEntropyBackward " + what,
                        NaiveCnn.crossEntropyBackward(rows, classes, smoothing, x, t, 1f / rows), download(b, dxd, 0, n), 1e-7, 1e-5);
                if (rows > 3) {
                    assertTrue(Float.isNaN(loss[1]) && Float.isNaN(loss[2]) && Float.isNaN(loss[3]) && Float.isNaN(loss[rows - 1]),
                            "invalid targets must give NaN losses: " + java.util.Arrays.toString(loss));
                }
            }
            b.release(xd);
            b.release(td);
            b.release(scale);
            b.release(ld);
            b.release(dxd);
        }
    }
}
