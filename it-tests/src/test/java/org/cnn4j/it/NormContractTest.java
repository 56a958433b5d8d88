package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.testing.NaiveNorm;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link org.cnn4j.runtime.spi.NormOps} on every device against {@link NaiveNorm}: batch statistics,
 * forward with and without gamma and beta, training backward with and without the parameter gradients,
 * for 2-D ({@code spatial = H*W}) and 1-D ({@code spatial = 1}) inputs, batch 1 and larger; inputs have
 * a non-zero mean (uniform in [-1, 3)), so a one-pass variance that loses precision shows. A channel with
 * zero variance stays finite. Each step gets the reference's previous results (rounded to float32) as
 * its inputs, so each is checked on its own.
 */
class NormContractTest {
    static final float EPS = 1e-5f;

    /** {@code {n, c, spatial}}. */
    static final int[][] SIZES = {{4, 3, 25}, {2, 5, 49}, {8, 16, 1}, {1, 3, 121}, {16, 4, 64}, {3, 2, 7}, {1, 1, 1}};

    record Inputs3(float[] x, float[] gamma, float[] beta, float[] dy, float[] mean, float[] var) {
    }

    static Inputs3 inputs(int[] s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = s[0] * s[1] * s[2];
        float[] x = Inputs.uniform(r, n, -1, 3);
        double[][] st = NaiveNorm.statistics(s[0], s[1], s[2], NaiveOps.toDouble(x));
        return new Inputs3(x, Inputs.uniform(r, s[1], 0.5, 1.5), Inputs.uniform(r, s[1], -1, 1), Inputs.uniform(r, n, -1, 1),
                PoolContractTest.toFloat(st[0]), PoolContractTest.toFloat(st[1]));
    }

    static String what(Device device, String op, int[] s) {
        return op + " [n=" + s[0] + ", c=" + s[1] + ", spatial=" + s[2] + "] on " + device.spec();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void statisticsMatchTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            int[] s = SIZES[i];
            Inputs3 in = inputs(s, 3000 + i);
            int shift = i % 3 == 2 ? 3 : 0;
            checks.add(() -> {
                float[][] got = new SpiCalls(device, shift).batchNormStatistics(s[0], s[1], s[2], in.x());
                double[][] ref = NaiveNorm.statistics(s[0], s[1], s[2], NaiveOps.toDouble(in.x()));
                CnnTolerances.bnMean(s[0], s[1], s[2], in.x()).assertClose(what(device, "batchNormStatistics mean", s), ref[0], got[0]);
                CnnTolerances.bnVar(s[0], s[1], s[2], in.x()).assertClose(what(device, "batchNormStatistics var", s), ref[1], got[1]);
            });
        }
        assertAll(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void forwardMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            int[] s = SIZES[i];
            Inputs3 in = inputs(s, 3100 + i);
            int shift = i % 3 == 1 ? 5 : 0;
            for (boolean affine : new boolean[] {true, false}) {
                float[] gamma = affine ? in.gamma() : null;
                float[] beta = affine ? in.beta() : null;
                checks.add(() -> CnnTolerances.bnForward(EPS, in.x(), in.mean(), in.var(), gamma, beta).assertClose(
                        what(device, "batchNormForward " + (affine ? "with" : "without") + " gamma, beta", s),
                        NaiveNorm.forward(s[0], s[1], s[2], EPS, NaiveOps.toDouble(in.x()), NaiveOps.toDouble(in.mean()),
                                NaiveOps.toDouble(in.var()), affine ? NaiveOps.toDouble(gamma) : null,
                                affine ? NaiveOps.toDouble(beta) : null),
                        new SpiCalls(device, shift).batchNormForward(s[0], s[1], s[2], EPS, in.x(), in.mean(), in.var(), gamma, beta)));
            }
        }
        assertAll(checks);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void backwardMatchesTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            int[] s = SIZES[i];
            Inputs3 in = inputs(s, 3200 + i);
            int shift = i % 3 == 0 ? 1 : 0;
            int m = s[0] * s[2];
            for (boolean affine : new boolean[] {true, false}) {
                float[] gamma = affine ? in.gamma() : null;
                checks.add(() -> {
                    double[][] ref = NaiveNorm.backward(s[0], s[1], s[2], EPS, NaiveOps.toDouble(in.x()), NaiveOps.toDouble(in.dy()),
                            NaiveOps.toDouble(in.mean()), NaiveOps.toDouble(in.var()), affine ? NaiveOps.toDouble(gamma) : null);
                    float[][] got = new SpiCalls(device, shift).batchNormBackward(s[0], s[1], s[2], EPS, in.x(), in.dy(), in.mean(),
                            in.var(), gamma, affine);
                    String op = "batchNormBackward " + (affine ? "with gamma, dgamma, dbeta" : "without gamma, dgamma, dbeta");
                    CnnTolerances.bnDx(EPS, in.x(), in.dy(), in.mean(), in.var(), gamma).assertClose(what(device, op + ": dx", s),
                            ref[0], got[0]);
                    if (affine) {
                        CnnTolerances.bnDgamma(m, EPS, in.x(), in.dy(), in.mean(), in.var()).assertClose(
                                what(device, op + ": dgamma", s), ref[1], got[1]);
                        CnnTolerances.bnDbeta(m, in.dy()).assertClose(what(device, op + ": dbeta", s), ref[2], got[2]);
                    }
                });
            }
        }
        assertAll(checks);
    }

    /**
     * Batch norm + ReLU: the forward against {@code max(0, reference)}, the backward against the reference backward of
     * {@code dz = y > 0 ? dy : 0} (with {@code y} the reference output rounded to float, so the mask is the
     * reference's), with and without gamma and the parameter gradients, and once with {@code dx} written over {@code dy}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void reluFusedOpsMatchTheReference(Device device) {
        List<Executable> checks = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            int[] s = SIZES[i];
            Inputs3 in = inputs(s, 3400 + i);
            int shift = i % 3 == 1 ? 2 : 0;
            int m = s[0] * s[2];
            for (boolean affine : new boolean[] {true, false}) {
                float[] gamma = affine ? in.gamma() : null;
                float[] beta = affine ? in.beta() : null;
                double[] z = NaiveNorm.forward(s[0], s[1], s[2], EPS, NaiveOps.toDouble(in.x()), NaiveOps.toDouble(in.mean()),
                        NaiveOps.toDouble(in.var()), affine ? NaiveOps.toDouble(gamma) : null, affine ? NaiveOps.toDouble(beta) : null);
                double[] refY = new double[z.length];
                float[] y = new float[z.length];
                float[] dz = new float[z.length];
                for (int j = 0; j < z.length; j++) {
                    refY[j] = Math.max(0, z[j]);
                    y[j] = (float) refY[j];
                    dz[j] = y[j] > 0 ? in.dy()[j] : 0f;
                }
                String with = affine ? "with" : "without";
                checks.add(() -> CnnTolerances.bnForward(EPS, in.x(), in.mean(), in.var(), gamma, beta).assertClose(
                        what(device, "batchNormReluForward " + with + " gamma, beta", s), refY,
                        new SpiCalls(device, shift).batchNormReluForward(s[0], s[1], s[2], EPS, in.x(), in.mean(), in.var(), gamma, beta)));
                for (boolean inPlace : new boolean[] {false, true}) {
                    checks.add(() -> {
                        double[][] ref = NaiveNorm.backward(s[0], s[1], s[2], EPS, NaiveOps.toDouble(in.x()), NaiveOps.toDouble(dz),
                                NaiveOps.toDouble(in.mean()), NaiveOps.toDouble(in.var()), affine ? NaiveOps.toDouble(gamma) : null);
                        float[][] got = new SpiCalls(device, shift).batchNormReluBackward(s[0], s[1], s[2], EPS, in.x(), y, in.dy(),
                                in.mean(), in.var(), gamma, affine, inPlace);
                        String op = "batchNormReluBackward " + with + " gamma" + (inPlace ? ", dx over dy" : "");
                        CnnTolerances.bnDx(EPS, in.x(), dz, in.mean(), in.var(), gamma).assertClose(what(device, op + ": dx", s),
                                ref[0], got[0]);
                        if (affine) {
                            CnnTolerances.bnDgamma(m, EPS, in.x(), dz, in.mean(), in.var()).assertClose(
                                    what(device, op + ": dgamma", s), ref[1], got[1]);
                            CnnTolerances.bnDbeta(m, dz).assertClose(what(device, op + ": dbeta", s), ref[2], got[2]);
                        }
                    });
                }
            }
        }
        assertAll(checks);
    }

    /**
     * Channel 1 holds the constant 1.5 (its float32 sums are exact, so its mean is exactly 1.5 and its
     * variance exactly 0): statistics, forward and backward run end to end on the device, and every
     * output is finite ({@code invStd = 1 / sqrt(eps)}) and matches the reference: {@code y = beta},
     * {@code dx = gamma invStd (dy - mean dy)}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void aChannelWithZeroVarianceStaysFinite(Device device) {
        int n = 4;
        int c = 3;
        int sp = 9;
        int[] s = {n, c, sp};
        Inputs3 in = inputs(s, 3300);
        float[] x = in.x().clone();
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < sp; p++) {
                x[NaiveNorm.index(c, sp, i, 1, p)] = 1.5f;
            }
        }
        SpiCalls spi = new SpiCalls(device);
        float[][] st = spi.batchNormStatistics(n, c, sp, x);
        float[] y = spi.batchNormForward(n, c, sp, EPS, x, st[0], st[1], in.gamma(), in.beta());
        float[][] grads = spi.batchNormBackward(n, c, sp, EPS, x, in.dy(), st[0], st[1], in.gamma(), true);
        for (float[] out : new float[][] {st[0], st[1], y, grads[0], grads[1], grads[2]}) {
            for (float v : out) {
                assertTrue(Float.isFinite(v), what(device, "batch norm with a zero-variance channel: every output must be finite", s));
            }
        }
        double[] xd = NaiveOps.toDouble(x);
        double[][] ref = NaiveNorm.statistics(n, c, sp, xd);
        CnnTolerances.bnMean(n, c, sp, x).assertClose(what(device, "zero-variance channel: mean", s), ref[0], st[0]);
        CnnTolerances.bnVar(n, c, sp, x).assertClose(what(device, "zero-variance channel: var", s), ref[1], st[1]);
        float[] mean = PoolContractTest.toFloat(ref[0]);
        float[] var = PoolContractTest.toFloat(ref[1]);
        CnnTolerances.bnForward(EPS, x, mean, var, in.gamma(), in.beta()).assertClose(what(device, "zero-variance channel: y", s),
                NaiveNorm.forward(n, c, sp, EPS, xd, ref[0], ref[1], NaiveOps.toDouble(in.gamma()), NaiveOps.toDouble(in.beta())), y);
        double[][] g = NaiveNorm.backward(n, c, sp, EPS, xd, NaiveOps.toDouble(in.dy()), ref[0], ref[1], NaiveOps.toDouble(in.gamma()));
        CnnTolerances.bnDx(EPS, x, in.dy(), mean, var, in.gamma()).assertClose(what(device, "zero-variance channel: dx", s), g[0], grads[0]);
    }
}
