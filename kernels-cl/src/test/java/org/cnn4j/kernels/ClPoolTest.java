package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertClose;

import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** pool.cl against {@link NaiveCnn}: max (ties, NaN), average (both divisors), adaptive; 2-D and 3-D; ceil mode. */
class ClPoolTest {
    static Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    /** Output extent as PyTorch: floor or ceil, and with ceil the last window must start inside the input or left padding. */
    static int out(int in, int k, int s, int p, boolean ceil) {
        int span = in + 2 * p - k;
        int o = (ceil ? Math.floorDiv(span + s - 1, s) : Math.floorDiv(span, s)) + 1;
        if (ceil && (o - 1) * s >= in + p) {
            o--;
        }
        return o;
    }

    @SuppressWarnings("java:S107")
    static PoolGeometry pool(int planes, int d, int h, int w, int kd, int kh, int kw, int sd, int sh, int sw,
                             int pd, int ph, int pw, boolean ceil) {
        return new PoolGeometry(planes, d, h, w, kd, kh, kw, sd, sh, sw, pd, ph, pw,
                out(d, kd, sd, pd, ceil), out(h, kh, sh, ph, ceil), out(w, kw, sw, pw, ceil));
    }

    static final PoolGeometry[] WINDOWS = {
        pool(3, 1, 7, 9, 1, 3, 3, 1, 2, 2, 0, 1, 1, false),
        pool(2, 1, 8, 8, 1, 2, 2, 1, 2, 2, 0, 0, 0, false),
        pool(2, 1, 10, 11, 1, 3, 3, 1, 3, 3, 0, 1, 1, true),
        pool(2, 1, 5, 6, 1, 3, 3, 1, 1, 1, 0, 1, 1, false),
        pool(3, 1, 9, 7, 1, 3, 2, 1, 2, 2, 0, 0, 0, true),
        pool(2, 5, 6, 7, 2, 3, 2, 2, 2, 1, 1, 1, 0, true),
        pool(1, 4, 4, 4, 3, 3, 3, 1, 1, 1, 1, 1, 1, false),
        pool(33, 1, 28, 28, 1, 2, 2, 1, 2, 2, 0, 0, 0, false),
        // windows that tile the plane (maxpool_tiles_* on CPU devices): remainders, 3x3, 1x1, non-square, 1 output
        pool(3, 1, 9, 7, 1, 2, 2, 1, 2, 2, 0, 0, 0, false),      // row 8 and column 6 in no window
        pool(2, 1, 11, 10, 1, 3, 3, 1, 3, 3, 0, 0, 0, false),    // 3x3 stride 3, two rows and one column left over
        pool(2, 1, 4, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, false),      // 1x1: every element its own window
        pool(3, 1, 6, 8, 1, 2, 4, 1, 2, 4, 0, 0, 0, false),      // non-square window
        pool(2, 1, 3, 3, 1, 2, 2, 1, 2, 2, 0, 0, 0, false),      // one window per plane
        pool(2, 1, 9, 41, 1, 3, 2, 1, 3, 2, 0, 0, 0, false),     // 3x2: float16 rows of 3, chunks of 8, 8, 4 windows
        pool(5, 1, 2, 32, 1, 2, 2, 1, 2, 2, 0, 0, 0, false),     // OW 16: whole chunks, the last one scalar
        pool(4, 1, 7, 7, 1, 2, 2, 1, 2, 2, 0, 0, 0, true),       // ceil mode: last window past the input, general kernels
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void maxPoolWithTiesAndNaN(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (PoolGeometry g : WINDOWS) {
            int n = (int) g.inputSize();
            int m = (int) g.outputSize();
            float[] x = random(n, n, -2f, 2f);
            for (int i = 0; i < n; i++) {
                x[i] = Math.round(x[i] * 2) / 2f;     // few distinct values: many ties
            }
            x[n / 3] = Float.NaN;
            x[n / 2] = Float.NaN;
            float[][] ref = NaiveCnn.maxPool(g, x);
            float[] dy = random(m, m, -1f, 1f);
            DeviceMemory xd = upload(b, x);
            DeviceMemory yd = b.allocate(m);
            DeviceMemory ad = b.allocate(m + 1);
            DeviceMemory dyd = upload(b, dy);
            DeviceMemory dxd = upload(b, random(1, n, 5f, 6f));     // garbage: must be overwritten
            b.maxPoolForward(g, xd, 0, yd, 0, ad, 1);
            String what = g + " on " + tb;
            assertClose("maxPool y " + what, ref[0], download(b, yd, 0, m), 0, 0);
            assertClose("maxPool argmax " + what, ref[1], download(b, ad, 1, m), 0, 0);
            b.maxPoolBackward(g, dyd, 0, ad, 1, dxd, 0);
            assertClose("maxPool dx " + what, NaiveCnn.maxPoolBackward(g, dy, ref[1]), download(b, dxd, 0, n), 1e-6, 1e-6);
            for (DeviceMemory d : new DeviceMemory[] {xd, yd, ad, dyd, dxd}) {
                b.release(d);
            }
        }
    }

    /** The general max-pool kernels on every device too (CPU devices run the tiles kernels by default where they apply). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void maxPoolTilesAndGeneralKernelsAgree(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (boolean useTiles : new boolean[] {true, false}) {
            ClPool pool = new ClPool(b.context(), useTiles);
            for (PoolGeometry g : WINDOWS) {
                int n = (int) g.inputSize();
                int m = (int) g.outputSize();
                float[] x = random(n + 3, n, -2f, 2f);
                for (int i = 0; i < n; i += 5) {
                    x[i] = Math.round(x[i]);          // ties
                }
                x[n - 1] = Float.NaN;
                x[0] = Float.POSITIVE_INFINITY;
                float[][] ref = NaiveCnn.maxPool(g, x);
                float[] dy = random(m + 4, m, -1f, 1f);
                org.cnn4j.runtime.opencl.ClBuffer xd = (org.cnn4j.runtime.opencl.ClBuffer) upload(b, pad(x, 2));
                org.cnn4j.runtime.opencl.ClBuffer yd = (org.cnn4j.runtime.opencl.ClBuffer) upload(b, random(2, m + 1, 7f, 8f));
                org.cnn4j.runtime.opencl.ClBuffer ad = (org.cnn4j.runtime.opencl.ClBuffer) upload(b, random(3, m + 3, 7f, 8f));
                org.cnn4j.runtime.opencl.ClBuffer dyd = (org.cnn4j.runtime.opencl.ClBuffer) upload(b, pad(dy, 1));
                org.cnn4j.runtime.opencl.ClBuffer dxd = (org.cnn4j.runtime.opencl.ClBuffer) upload(b, random(4, n + 2, 5f, 6f));
                String what = g + " tiles=" + useTiles + " (applies: " + ClPool.tiles(g) + ") on " + tb;
                pool.maxForward(g, xd, 2, yd, 1, ad, 3);
                assertClose("maxPool y " + what, ref[0], download(b, yd, 1, m), 0, 0);
                assertClose("maxPool argmax " + what, ref[1], download(b, ad, 3, m), 0, 0);
                pool.maxBackward(g, dyd, 1, ad, 3, dxd, 2);
                assertClose("maxPool dx " + what, NaiveCnn.maxPoolBackward(g, dy, ref[1]), download(b, dxd, 2, n), 1e-6, 1e-6);
                assertClose("maxPool dx front untouched " + what, random(4, 2, 5f, 6f), download(b, dxd, 0, 2), 0, 0);
                for (DeviceMemory d : new DeviceMemory[] {xd, yd, ad, dyd, dxd}) {
                    b.release(d);
                }
            }
        }
    }

    private static float[] pad(float[] x, int front) {
        float[] out = new float[x.length + front];
        System.arraycopy(x, 0, out, front, x.length);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void avgPoolBothDivisors(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (PoolGeometry g : WINDOWS) {
            int n = (int) g.inputSize();
            int m = (int) g.outputSize();
            float[] x = random(n + 1, n, -2f, 2f);
            float[] dy = random(m + 2, m, -1f, 1f);
            DeviceMemory xd = upload(b, x);
            DeviceMemory yd = b.allocate(m);
            DeviceMemory dyd = upload(b, dy);
            DeviceMemory dxd = b.allocate(n);
            for (boolean pad : new boolean[] {true, false}) {
                String what = g + " countIncludePad=" + pad + " on " + tb;
                b.avgPoolForward(g, pad, xd, 0, yd, 0);
                assertClose("avgPool y " + what, NaiveCnn.avgPool(g, pad, x, null), download(b, yd, 0, m), 1e-6, 1e-5);
                b.avgPoolBackward(g, pad, dyd, 0, dxd, 0);
                assertClose("avgPool dx " + what, NaiveCnn.avgPool(g, pad, null, dy), download(b, dxd, 0, n), 1e-6, 1e-5);
            }
            for (DeviceMemory d : new DeviceMemory[] {xd, yd, dyd, dxd}) {
                b.release(d);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void adaptiveAvgPool(TestBackend tb) {
        OpenClBackend b = tb.backend();
        int[][] cases = {{3, 1, 7, 10, 1, 3, 4}, {2, 5, 6, 7, 2, 4, 3}, {2, 1, 5, 5, 1, 7, 7}, {4, 1, 6, 6, 1, 1, 1}, {64, 1, 7, 7, 1, 1, 1}};
        for (int[] c : cases) {
            PoolGeometry g = new PoolGeometry(c[0], c[1], c[2], c[3], 0, 0, 0, 0, 0, 0, 0, 0, 0, c[4], c[5], c[6]);
            int n = (int) g.inputSize();
            int m = (int) g.outputSize();
            float[] x = random(n + 5, n, -2f, 2f);
            float[] dy = random(m + 6, m, -1f, 1f);
            DeviceMemory xd = upload(b, x);
            DeviceMemory yd = b.allocate(m);
            DeviceMemory dyd = upload(b, dy);
            DeviceMemory dxd = b.allocate(n);
            String what = java.util.Arrays.toString(c) + " on " + tb;
            b.adaptiveAvgPoolForward(g, xd, 0, yd, 0);
            assertClose("adaptive y " + what, NaiveCnn.adaptiveAvgPool(g, x, null), download(b, yd, 0, m), 1e-6, 1e-5);
            b.adaptiveAvgPoolBackward(g, dyd, 0, dxd, 0);
            assertClose("adaptive dx " + what, NaiveCnn.adaptiveAvgPool(g, null, dy), download(b, dxd, 0, n), 1e-6, 1e-5);
            for (DeviceMemory d : new DeviceMemory[] {xd, yd, dyd, dxd}) {
                b.release(d);
            }
        }
    }
}
