package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertClose;

import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** activation.cl against {@link NaiveCnn}: every function forward and backward, in place, odd sizes, offsets. */
class ClActivationTest {
    private static final int[] SIZES = {1, 7, 1001};

    static Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    private static float param(Activation f) {
        return f == Activation.LEAKY_RELU ? 0.1f : f == Activation.ELU ? 0.7f : 0f;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void forwardAndBackwardMatchReference(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (Activation f : Activation.values()) {
            float a = param(f);
            for (int n : SIZES) {
                float[] x = random(n, n + 2, -4f, 4f);
                x[2 % x.length] = 0f;                  // the kink: f'(0) is the x <= 0 branch
                float[] dy = random(n + 1, n, -1f, 1f);
                float[] y = new float[n];
                float[] dx = new float[n];
                for (int i = 0; i < n; i++) {
                    double yi = NaiveCnn.act(f, a, x[i + 2]);
                    y[i] = (float) yi;
                    dx[i] = (float) NaiveCnn.actGrad(f, a, x[i + 2], yi, dy[i]);
                }
                String what = f + " n=" + n + " on " + tb;
                DeviceMemory xd = upload(b, x);
                DeviceMemory yd = b.allocate(n + 1);
                b.activation(f, a, n, xd, 2, yd, 1);
                assertClose("forward " + what, y, download(b, yd, 1, n), 1e-6, 2e-6);
                DeviceMemory dyd = upload(b, dy);
                b.activationBackward(f, a, n, xd, 2, yd, 1, dyd, 0, dyd, 0);       // dx aliases dy
                assertClose("backward " + what, dx, download(b, dyd, 0, n), 1e-6, 2e-5);
                b.activation(f, a, n, xd, 2, xd, 2);                              // in place
                assertClose("in-place forward " + what, y, download(b, xd, 2, n), 1e-6, 2e-6);
                b.release(xd);
                b.release(yd);
                b.release(dyd);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void reluBackwardAsMaskAndNaN(TestBackend tb) {
        OpenClBackend b = tb.backend();
        float[] z = {-1f, 0f, 2f, Float.NaN, -0f, 3f};
        float[] g = {1f, 2f, 3f, 4f, 5f, 6f};
        DeviceMemory zd = upload(b, z);
        DeviceMemory gd = upload(b, g);
        DeviceMemory out = b.allocate(6);
        b.activationBackward(Activation.RELU, 0f, 6, zd, 0, zd, 0, gd, 0, out, 0);
        assertClose("relu mask on " + tb, new float[] {0f, 0f, 3f, 0f, 0f, 6f}, download(b, out, 0, 6), 0, 0);
        b.activation(Activation.RELU, 0f, 6, zd, 0, out, 0);
        assertClose("relu NaN on " + tb, new float[] {0f, 0f, 2f, Float.NaN, 0f, 3f}, download(b, out, 0, 6), 0, 0);
        b.release(zd);
        b.release(gd);
        b.release(out);
    }
}
