package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertBitIdentical;
import static org.cnn4j.kernels.Tolerance.assertClose;

import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector kernels of the element-wise families ({@code ew_*_vec}, {@code act_*_vec}, {@code sgd_step_vec},
 * {@code adam_step_vec}; CPU devices choose them) at every vector width, and the scalar kernels, forced on every
 * device: against the references on sizes with whole vector chunks and a partial last chunk, with NaN, infinities
 * and ReLU's kink inside the vector part; the optimizers' vector kernels bit for bit against their scalar kernels.
 */
class ClVectorKernelsTest {
    /** Two whole chunks at width 16 (256 floats each, more at smaller widths) and a partial third. */
    private static final int N = 600;
    private static final int[] WIDTHS = {4, 8, 16};
    private static final double ATOL = 1e-6;
    private static final double RTOL = 4e-6;

    static Stream<TestBackend> backends() {
        return OpenClTestSupport.defaultBackends();
    }

    /**
     * Whether every op runs in {@code kind} (an index into {@link #WIDTHS}, or past it for the scalar kernels): the
     * widest vectors and the scalar kernels run every op, the narrower widths two ops each (every program is a
     * compile, and the width changes only the vector type, not the op's code).
     */
    private static boolean everyOp(int kind) {
        return kind >= WIDTHS.length - 1;
    }

    private static float[] inputs(long seed, int n) {
        float[] x = random(seed, n, -6f, 6f);
        float[] specials = {0f, -0f, 1f, -1f, 30f, -30f, 100f, -100f, Float.NaN, Float.POSITIVE_INFINITY,
                            Float.NEGATIVE_INFINITY, 1e-30f};
        for (int i = 0; i < specials.length; i++) {
            x[5 + 13 * i] = specials[i];            // inside the first chunk
            x[n - 1 - i] = specials[i];             // inside the partial chunk
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void elementwiseEveryKindAndWidth(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (int kind = 0; kind <= WIDTHS.length; kind++) {
            boolean vector = kind < WIDTHS.length;
            int vw = vector ? WIDTHS[kind] : 16;
            ClElementwise ew = new ClElementwise(b.context(), vector, vw);
            String how = (vector ? "vector VW=" + vw : "scalar") + " on " + tb;
            for (UnaryOp op : UnaryOp.values()) {
                if (!everyOp(kind) && op != UnaryOp.RELU && op != UnaryOp.SIGMOID) {
                    continue;
                }
                float[] x = inputs(op.ordinal(), N + 1);
                ClBuffer xd = (ClBuffer) upload(b, x);
                ClBuffer yd = (ClBuffer) b.allocate(N + 2);
                ew.unary(op, N, xd, 1, yd, 2);
                float[] expected = new float[N];
                for (int i = 0; i < N; i++) {
                    expected[i] = NaiveElementwise.unary(op, x[i + 1]);
                }
                assertClose(op + " " + how, expected, download(b, yd, 2, N), ATOL, RTOL);
                b.release(xd);
                b.release(yd);
            }
            for (BinaryOp op : BinaryOp.values()) {
                if (!everyOp(kind) && op != BinaryOp.MUL && op != BinaryOp.MAX) {
                    continue;
                }
                float[] x = op == BinaryOp.POW ? random(op.ordinal(), N + 3, 0.1f, 4f) : inputs(op.ordinal() + 20, N + 3);
                float[] c = op == BinaryOp.POW ? random(op.ordinal() + 40, N, -3f, 3f) : inputs(op.ordinal() + 30, N);
                ClBuffer xd = (ClBuffer) upload(b, x);
                ClBuffer cd = (ClBuffer) upload(b, c);
                ClBuffer yd = (ClBuffer) b.allocate(N);
                for (boolean first : new boolean[] {false, true}) {
                    float s = first && op == BinaryOp.POW ? 1.5f : -0.75f;
                    ew.scalar(op, N, xd, 3, s, first, yd, 0);
                    float[] expected = new float[N];
                    for (int i = 0; i < N; i++) {
                        expected[i] = first ? NaiveElementwise.binary(op, s, x[i + 3]) : NaiveElementwise.binary(op, x[i + 3], s);
                    }
                    assertClose(op + (first ? " s op x " : " x op s ") + how, expected, download(b, yd, 0, N), ATOL, RTOL);
                }
                org.cnn4j.runtime.spi.StridedLayout flat = new org.cnn4j.runtime.spi.StridedLayout(new int[] {N}, new long[] {1});
                ew.binary(op, flat, xd, 3, flat, cd, 0, yd, 0);
                float[] expected = new float[N];
                for (int i = 0; i < N; i++) {
                    expected[i] = NaiveElementwise.binary(op, x[i + 3], c[i]);
                }
                assertClose(op + " binary " + how, expected, download(b, yd, 0, N), ATOL, RTOL);
                b.release(xd);
                b.release(cd);
                b.release(yd);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void activationsEveryKindAndWidth(TestBackend tb) {
        OpenClBackend b = tb.backend();
        for (int kind = 0; kind <= WIDTHS.length; kind++) {
            boolean vector = kind < WIDTHS.length;
            int vw = vector ? WIDTHS[kind] : 16;
            ClActivation act = new ClActivation(b.context(), vector, vw);
            String how = (vector ? "vector VW=" + vw : "scalar") + " on " + tb;
            for (Activation f : Activation.values()) {
                if (!everyOp(kind) && f != Activation.RELU && f != Activation.SIGMOID) {
                    continue;
                }
                float a = f == Activation.LEAKY_RELU ? 0.1f : f == Activation.ELU ? 0.7f : 0f;
                float[] x = random(f.ordinal() + 50, N, -4f, 4f);
                x[3] = 0f;                  // the kink
                x[N - 2] = 0f;
                float[] dy = random(f.ordinal() + 60, N, -1f, 1f);
                float[] y = new float[N];
                float[] dx = new float[N];
                for (int i = 0; i < N; i++) {
                    double yi = NaiveCnn.act(f, a, x[i]);
                    y[i] = (float) yi;
                    dx[i] = (float) NaiveCnn.actGrad(f, a, x[i], yi, dy[i]);
                }
                ClBuffer xd = (ClBuffer) upload(b, x);
                ClBuffer yd = (ClBuffer) b.allocate(N);
                ClBuffer dyd = (ClBuffer) upload(b, dy);
                act.forward(f, a, N, xd, 0, yd, 0);
                assertClose("forward " + f + " " + how, y, download(b, yd, 0, N), 1e-6, 2e-6);
                act.backward(f, a, N, xd, 0, yd, 0, dyd, 0, dyd, 0);        // dx aliases dy
                assertClose("backward " + f + " " + how, dx, download(b, dyd, 0, N), 1e-6, 2e-5);
                b.release(xd);
                b.release(yd);
                b.release(dyd);
            }
            // ReLU's NaN and mask rules inside whole vectors
            float[] z = new float[N];
            float[] g = new float[N];
            float[] mask = new float[N];
            float[] relu = new float[N];
            float[] pattern = {-1f, 0f, 2f, Float.NaN, -0f, 3f};
            for (int i = 0; i < N; i++) {
                z[i] = pattern[i % pattern.length];
                g[i] = i + 1;
                mask[i] = z[i] > 0 ? g[i] : 0f;
                relu[i] = z[i] > 0 || Float.isNaN(z[i]) ? z[i] : 0f;
            }
            ClBuffer zd = (ClBuffer) upload(b, z);
            ClBuffer gd = (ClBuffer) upload(b, g);
            ClBuffer out = (ClBuffer) b.allocate(N);
            act.backward(Activation.RELU, 0f, N, zd, 0, zd, 0, gd, 0, out, 0);
            assertClose("relu mask " + how, mask, download(b, out, 0, N), 0, 0);
            act.forward(Activation.RELU, 0f, N, zd, 0, out, 0);
            assertClose("relu NaN " + how, relu, download(b, out, 0, N), 0, 0);
            b.release(zd);
            b.release(gd);
            b.release(out);
        }
    }

    /** SGD (every momentum configuration) and Adam (every configuration): vector kernels equal the scalar ones bit for bit. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void optimizerVectorKernelsEqualScalarKernels(TestBackend tb) {
        OpenClBackend b = tb.backend();
        ClOptimizer scalar = new ClOptimizer(b.context(), false, 16);
        for (int vw : WIDTHS) {
            ClOptimizer vector = new ClOptimizer(b.context(), true, vw);
            for (int config = 0; config < 7; config++) {
                float[][] results = new float[2][];
                float[][] states = new float[2][];
                for (int run = 0; run < 2; run++) {
                    ClOptimizer opt = run == 0 ? scalar : vector;
                    ClBuffer p = (ClBuffer) upload(b, random(70, N + 1, -1f, 1f));
                    ClBuffer s1 = (ClBuffer) upload(b, new float[N + 2]);
                    ClBuffer s2 = (ClBuffer) upload(b, new float[N]);
                    ClBuffer s3 = (ClBuffer) upload(b, new float[N]);
                    for (int step = 1; step <= 3; step++) {
                        float[] grad = random(80 + step, N, -1f, 1f);
                        grad[7] = step == 2 ? 1e-30f : grad[7];
                        ClBuffer g = (ClBuffer) upload(b, grad);
                        if (config < 3) {
                            float momentum = config == 0 ? 0f : 0.9f;
                            opt.sgdStep(N, 0.1f, momentum, 0.1f, 0.01f, config == 2, step == 1, p, 1, g, 0,
                                    momentum != 0 ? s1 : null, 2);
                        } else {
                            boolean decoupled = config >= 5;
                            boolean amsgrad = config == 4 || config == 6;
                            float bc1 = (float) (1 - Math.pow(0.9, step));
                            float bc2 = (float) (1 - Math.pow(0.999, step));
                            opt.adamStep(N, 1e-3f, 0.9f, 0.999f, 1e-8f, config == 3 ? 0f : 1e-2f, decoupled, amsgrad, bc1, bc2,
                                    p, 1, g, 0, s1, 2, s2, 0, amsgrad ? s3 : null, 0);
                        }
                        b.release(g);
                    }
                    results[run] = download(b, p, 1, N);
                    states[run] = download(b, s1, 2, N);
                    for (ClBuffer d : new ClBuffer[] {p, s1, s2, s3}) {
                        b.release(d);
                    }
                }
                String what = (config < 3 ? "sgd config " : "adam config ") + config + " VW=" + vw + " on " + tb;
                assertBitIdentical("p " + what, results[0], results[1]);
                assertBitIdentical("state " + what, states[0], states[1]);
            }
        }
    }
}
