package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.cnn4j.runtime.testing.NaiveNorm;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CNN ops on random geometries drawn from a seeded generator give the same results through the CPU
 * fallback and through each other device, within twice the contract tolerance (each backend is within
 * one of the truth); argmax indices and dropout masks exactly. On the CPU every case runs twice and must
 * be bit-identical: the fallback is deterministic.
 */
class CnnParityTest {
    static final int TRIALS = 60;

    /** One randomized case: what it computes from a device's {@link SpiCalls}, and the tolerance of one backend. */
    record Case(String description, Tolerance tolerance, Function<SpiCalls, float[]> program) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void randomizedCasesAgreeWithTheCpu(Device device) {
        org.junit.jupiter.api.Assertions.assertAll(checksAgainstTheCpu(device, device.spec()));
    }

    /**
     * One check per randomized case: {@code device} (named {@code label} in failures) against the CPU within
     * twice the contract tolerance, or the CPU against itself bit for bit.
     */
    static List<org.junit.jupiter.api.function.Executable> checksAgainstTheCpu(Device device, String label) {
        Device cpu = TestDevices.cpu();
        boolean self = device == cpu;
        List<Case> cases = cases(new SplittableRandom(8001));
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            int k = i;
            checks.add(() -> {
                String what = "case " + k + ": " + c.description() + (self ? " on cpu, run twice" : " on " + label + " vs cpu");
                float[] expected = run(c, new SpiCalls(cpu), what + " (the cpu run)");
                float[] actual = run(c, new SpiCalls(device, k % 3), what);
                (self ? Tolerance.EXACT : Tolerances.twice(c.tolerance())).assertClose(what, NaiveOps.toDouble(expected), actual);
            });
        }
        return checks;
    }

    /** Runs the case, naming it when the backend throws. */
    private static float[] run(Case c, SpiCalls spi, String what) {
        try {
            return c.program().apply(spi);
        } catch (RuntimeException e) {
            throw new AssertionError(what + ": threw " + e, e);
        }
    }

    static int pick(SplittableRandom r, int... options) {
        return options[r.nextInt(options.length)];
    }

    static ConvGeometry randomConv(SplittableRandom r) {
        while (true) {
            boolean is3d = r.nextInt(5) == 0;
            int groups = pick(r, 1, 1, 2, 3);
            boolean depthwise = r.nextInt(5) == 0;
            int cg = 1 + r.nextInt(4);
            int c = depthwise ? groups * 1 : groups * cg;
            int k = groups * (1 + r.nextInt(depthwise ? 2 : 4));
            int[] in = new int[3];
            int[] kernel = new int[3];
            int[] stride = new int[3];
            int[] before = new int[3];
            int[] after = new int[3];
            int[] dil = new int[3];
            for (int d = 0; d < 3; d++) {
                boolean flat = d == 0 && !is3d;
                in[d] = flat ? 1 : 1 + r.nextInt(is3d ? 6 : 13);
                kernel[d] = flat ? 1 : pick(r, 1, 2, 3, 3, 5);
                stride[d] = flat ? 1 : pick(r, 1, 1, 2, 3);
                dil[d] = flat ? 1 : pick(r, 1, 1, 2);
                before[d] = flat ? 0 : r.nextInt(3);
                after[d] = flat ? 0 : r.nextInt(3);
            }
            int n = 1 + r.nextInt(3);
            try {
                return NaiveConv.geometry(n, c, in, k, kernel, stride, before, after, dil, groups);
            } catch (IllegalArgumentException tooSmall) {
                // output would be empty: draw again
            }
        }
    }

    static PoolGeometry randomPool(SplittableRandom r) {
        boolean is3d = r.nextInt(5) == 0;
        int[] in = new int[3];
        int[] kernel = new int[3];
        int[] stride = new int[3];
        int[] pad = new int[3];
        for (int d = 0; d < 3; d++) {
            boolean flat = d == 0 && !is3d;
            kernel[d] = flat ? 1 : pick(r, 1, 2, 3, 3, 4);
            in[d] = flat ? 1 : kernel[d] + r.nextInt(is3d ? 5 : 12);
            stride[d] = flat ? 1 : pick(r, 1, 2, 2, 3);
            pad[d] = flat ? 0 : r.nextInt(kernel[d] / 2 + 1);
        }
        return NaivePool.geometry(1 + r.nextInt(8), in, kernel, stride, pad, r.nextBoolean());
    }

    static List<Case> cases(SplittableRandom r) {
        List<Case> out = new ArrayList<>();
        for (int i = 0; i < TRIALS; i++) {
            switch (i % 10) {
                case 0, 1, 2 -> {
                    ConvGeometry g = randomConv(r);
                    float[] x = Inputs.uniform(r, (int) g.inputSize(), -1, 1);
                    float[] w = Inputs.uniform(r, (int) g.weightSize(), -1, 1);
                    float[] b = Inputs.uniform(r, g.outChannels(), -1, 1);
                    float[] dy = Inputs.uniform(r, (int) g.outputSize(), -1, 1);
                    out.add(switch (i % 3) {
                        case 0 -> new Case("convForward " + g, CnnTolerances.convForward(g, x, w, b), s -> s.convForward(g, x, w, b));
                        case 1 -> new Case("convBackwardInput " + g, CnnTolerances.convBackwardInput(g, dy, w),
                                s -> s.convBackwardInput(g, dy, w));
                        default -> new Case("convBackwardWeight " + g, CnnTolerances.convBackwardWeight(g, x, dy),
                                s -> s.convBackwardWeight(g, x, dy));
                    });
                }
                case 3, 4 -> {
                    PoolGeometry g = randomPool(r);
                    float[] x = r.nextBoolean() ? Inputs.uniform(r, (int) g.inputSize(), -1, 1) : Inputs.levels(r, (int) g.inputSize(), 4);
                    float[] dy = Inputs.uniform(r, (int) g.outputSize(), -1, 1);
                    boolean cip = r.nextBoolean();
                    float[] argmax = PoolContractTest.toFloat(NaivePool.maxForward(g, NaiveOps.toDouble(x))[1]);
                    out.add(new Case("maxPoolForward values and argmax " + g, CnnTolerances.MAX_POOL, s -> {
                        float[][] ya = s.maxPool(g, x);
                        float[] both = new float[ya[0].length * 2];
                        System.arraycopy(ya[0], 0, both, 0, ya[0].length);
                        System.arraycopy(ya[1], 0, both, ya[0].length, ya[1].length);
                        return both;
                    }));
                    out.add(new Case("maxPoolBackward " + g, CnnTolerances.poolBackward(g, false, dy), s -> s.maxPoolBackward(g, dy, argmax)));
                    out.add(new Case("avgPoolForward cip=" + cip + " " + g, CnnTolerances.avgPool(x), s -> s.avgPool(g, cip, x)));
                    out.add(new Case("avgPoolBackward cip=" + cip + " " + g, CnnTolerances.poolBackward(g, false, dy),
                            s -> s.avgPoolBackward(g, cip, dy)));
                }
                case 5 -> {
                    int[] in = {1, 1 + r.nextInt(12), 1 + r.nextInt(12)};
                    int[] o = {1, 1 + r.nextInt(6), 1 + r.nextInt(6)};
                    PoolGeometry g = NaivePool.adaptive(1 + r.nextInt(6), in, o);
                    float[] x = Inputs.uniform(r, (int) g.inputSize(), -1, 1);
                    float[] dy = Inputs.uniform(r, (int) g.outputSize(), -1, 1);
                    out.add(new Case("adaptiveAvgPoolForward " + g, CnnTolerances.avgPool(x), s -> s.adaptiveAvgPool(g, x)));
                    out.add(new Case("adaptiveAvgPoolBackward " + g, CnnTolerances.poolBackward(g, true, dy),
                            s -> s.adaptiveAvgPoolBackward(g, dy)));
                }
                case 6 -> {
                    int n = 1 + r.nextInt(8);
                    int c = 1 + r.nextInt(6);
                    int sp = pick(r, 1, 4, 9, 30, 64);
                    float[] x = Inputs.uniform(r, n * c * sp, -1, 3);
                    float[] dy = Inputs.uniform(r, n * c * sp, -1, 1);
                    float[] gamma = Inputs.uniform(r, c, 0.5, 1.5);
                    float[] beta = Inputs.uniform(r, c, -1, 1);
                    double[][] st = NaiveNorm.statistics(n, c, sp, NaiveOps.toDouble(x));
                    float[] mean = PoolContractTest.toFloat(st[0]);
                    float[] var = PoolContractTest.toFloat(st[1]);
                    String d = " [" + n + ", " + c + ", " + sp + "]";
                    out.add(new Case("batchNormStatistics mean" + d, CnnTolerances.bnMean(n, c, sp, x),
                            s -> s.batchNormStatistics(n, c, sp, x)[0]));
                    out.add(new Case("batchNormForward" + d, CnnTolerances.bnForward(1e-5f, x, mean, var, gamma, beta),
                            s -> s.batchNormForward(n, c, sp, 1e-5f, x, mean, var, gamma, beta)));
                    out.add(new Case("batchNormBackward dx" + d, CnnTolerances.bnDx(1e-5f, x, dy, mean, var, gamma),
                            s -> s.batchNormBackward(n, c, sp, 1e-5f, x, dy, mean, var, gamma, true)[0]));
                    out.add(new Case("batchNormBackward dgamma" + d, CnnTolerances.bnDgamma(n * sp, 1e-5f, x, dy, mean, var),
                            s -> s.batchNormBackward(n, c, sp, 1e-5f, x, dy, mean, var, gamma, true)[1]));
                }
                case 7 -> {
                    int rows = 1 + r.nextInt(20);
                    int classes = pick(r, 1, 2, 10, 37, 300);
                    float[] x = Inputs.uniform(r, rows * classes, -10, 10);
                    float[] dy = Inputs.uniform(r, rows * classes, -1, 1);
                    boolean log = r.nextBoolean();
                    float[] y = PoolContractTest.toFloat(NaiveLoss.softmax(log, rows, classes, NaiveOps.toDouble(x)));
                    String d = (log ? "logSoftmax" : "softmax") + " [" + rows + ", " + classes + "]";
                    out.add(new Case(d, log ? CnnTolerances.logSoftmax(classes, x) : CnnTolerances.SOFTMAX, s -> s.softmax(log, rows, classes, x)));
                    out.add(new Case(d + " backward", log ? CnnTolerances.logSoftmaxBackward(rows, classes, dy) : CnnTolerances.softmaxBackward(dy),
                            s -> s.softmaxBackward(log, rows, classes, y, dy)));
                }
                case 8 -> {
                    int rows = 1 + r.nextInt(20);
                    int classes = pick(r, 1, 2, 10, 37, 300);
                    float[] x = Inputs.uniform(r, rows * classes, -10, 10);
                    float[] t = LossContractTest.targets(r, rows, classes);
                    float sm = pick(r, 0, 1, 3) / 10f;
                    String d = " [" + rows + ", " + classes + "] smoothing=" + sm;
                    out.add(new Case("crossEntropy" + d, CnnTolerances.crossEntropy(classes, x), s -> s.crossEntropy(rows, classes, sm, x, t)));
                    out.add(new Case("crossEntropyBackward" + d, CnnTolerances.crossEntropyBackward(1f / rows),
                            s -> s.crossEntropyBackward(rows, classes, sm, x, t, 1f / rows)));
                }
                default -> {
                    Activation f = Activation.values()[r.nextInt(Activation.values().length)];
                    float a = (float) r.nextDouble(0.01, 1.5);
                    int n = 1 + r.nextInt(3000);
                    float[] x = Inputs.uniform(r, n, -8, 8);
                    float[] dy = Inputs.uniform(r, n, -1, 1);
                    float[] y = PoolContractTest.toFloat(NaiveActivation.forward(f, a, NaiveOps.toDouble(x)));
                    // forward and backward both within one activation tolerance of the truth (exact ones agree exactly)
                    out.add(new Case("activation " + f + " a=" + a + " n=" + n, CnnTolerances.activation(f, a, x, null),
                            s -> s.activation(f, a, x)));
                    out.add(new Case("activationBackward " + f + " a=" + a + " n=" + n, CnnTolerances.activation(f, a, x, dy),
                            s -> s.activationBackward(f, a, x, y, dy, false)));
                    long seed = r.nextLong();
                    long group = pick(r, 1, 1, 7, 64);
                    int dn = (int) (group * (1 + r.nextInt(200)));
                    float[] ones = new float[dn];
                    java.util.Arrays.fill(ones, 1f);
                    float p = (float) r.nextDouble(0, 0.95);
                    long offset = r.nextInt(1000);
                    out.add(new Case("dropout mask n=" + dn + " groupSize=" + group + " p=" + p + " seed=" + seed, Tolerance.EXACT, s -> {
                        float[] m = s.dropout(group, p, seed, offset, ones, false);
                        for (int j = 0; j < m.length; j++) {
                            m[j] = m[j] != 0 ? 1f : 0f;
                        }
                        return m;
                    }));
                }
            }
        }
        return out;
    }
}
