package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.cnn4j.kernels.OpenClBackend;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.DeviceFixtures;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClDevice;
import org.cnn4j.runtime.opencl.ClDevices;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernels run on devices with small limits. Every OpenCL device is opened again with
 * {@code cnn4j.opencl.maxWorkGroupSize} forced to 1, 16 and 64 (work-groups of one item, and the sizes of
 * small embedded GPUs), and a representative set of ops agrees with the CPU fallback: the randomized CNN
 * cases of {@link CnnParityTest} (convolution forward and both backward passes, max/avg/adaptive pooling,
 * batch norm, softmax, cross-entropy, activations, dropout masks), GEMM through matmul, reductions along
 * short and long axes with argmax, and Adam steps with AMSGrad.
 */
class SmallLimitsParityTest {
    private static final int ADAM_STEPS = 3;

    @ParameterizedTest(name = "maxWorkGroupSize={0}")
    @ValueSource(ints = {1, 16, 64})
    void kernelsAgreeWithTheCpuUnderAWorkGroupCap(int cap) {
        for (ClDevice clDevice : openclDevicesOrSkip()) {
            Backend backend = open(clDevice, cap);
            try {
                assertEquals(cap, ((OpenClBackend) backend).context().workGroupCap(), "the cap reached the context");
                Device device = DeviceFixtures.wrap(backend);
                String label = clDevice.label() + " maxWorkGroupSize=" + cap;
                List<Executable> checks = new ArrayList<>(CnnParityTest.checksAgainstTheCpu(device, label));
                checks.add(() -> matmulAgrees(device, label));
                checks.add(() -> reductionsAgree(device, label));
                checks.add(() -> adamAgrees(device, label));
                assertAll(checks);
            } finally {
                backend.close();
            }
        }
    }

    private static List<ClDevice> openclDevicesOrSkip() {
        try {
            return ClDevices.enumerate();
        } catch (BackendUnavailableException e) {
            if (TestDevices.openclRequired()) {
                fail("OpenCL is required (CNN4J_REQUIRE_OPENCL=true), but: " + e.getMessage());
            }
            assumeTrue(false, "Skipped: no OpenCL device (" + e.getMessage() + ")");
            throw new AssertionError("unreachable");
        }
    }

    /** A fresh context on {@code device} whose launchers see work-groups of at most {@code cap} items. */
    private static Backend open(ClDevice device, int cap) {
        synchronized (SmallLimitsParityTest.class) {
            String previous = System.getProperty(ClContext.MAX_WORK_GROUP_PROPERTY);
            System.setProperty(ClContext.MAX_WORK_GROUP_PROPERTY, Integer.toString(cap));
            try {
                return new OpenClBackend(ClContext.open(device, null));
            } catch (BackendUnavailableException e) {
                throw new AssertionError("cannot open " + device.label() + ": " + e.getMessage(), e);
            } finally {
                if (previous == null) {
                    System.clearProperty(ClContext.MAX_WORK_GROUP_PROPERTY);
                } else {
                    System.setProperty(ClContext.MAX_WORK_GROUP_PROPERTY, previous);
                }
            }
        }
    }

    /** {@code f} of the same host inputs on the device and on the CPU, compared within {@code tolerance}. */
    private static void agree(String what, Device device, Tolerance tolerance, float[][] inputs, int[][] shapes,
                              Function<Tensor[], Tensor> f) {
        float[] expected = apply(TestDevices.cpu(), inputs, shapes, f);
        float[] actual = apply(device, inputs, shapes, f);
        tolerance.assertClose(what, expected, actual);
    }

    private static float[] apply(Device device, float[][] inputs, int[][] shapes, Function<Tensor[], Tensor> f) {
        try (Scope scope = Scope.open()) {
            Tensor[] args = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                args[i] = device.fromArray(inputs[i], shapes[i]);
            }
            return f.apply(args).toArray();
        }
    }

    private static void matmulAgrees(Device device, String label) {
        SplittableRandom r = new SplittableRandom(31);
        int[][] mnk = {{1, 1, 1}, {37, 65, 129}, {64, 64, 64}, {5, 300, 17}};
        for (int[] s : mnk) {
            float[] a = Inputs.uniform(r, s[0] * s[2], -1, 1);
            float[] b = Inputs.uniform(r, s[2] * s[1], -1, 1);
            agree("matmul [" + s[0] + ", " + s[2] + "] x [" + s[2] + ", " + s[1] + "] on " + label, device,
                    Tolerances.twice(Tolerances.gemm(s[2], a, b)), new float[][] {a, b}, new int[][] {{s[0], s[2]}, {s[2], s[1]}},
                    t -> t[0].matmul(t[1]));
        }
    }

    private static void reductionsAgree(Device device, String label) {
        SplittableRandom r = new SplittableRandom(32);
        int[][] shapes = {{7, 3}, {5, 3001}, {1, 100003}, {300, 40}};
        for (int[] shape : shapes) {
            float[] x = Inputs.uniform(r, shape[0] * shape[1], -1, 1);
            String what = " of " + java.util.Arrays.toString(shape) + " on " + label;
            Tolerance sum = Tolerances.twice(Tolerances.sumOf(x));
            agree("sum(1)" + what, device, sum, new float[][] {x}, new int[][] {shape}, t -> t[0].sum(1, false));
            agree("sum(0)" + what, device, sum, new float[][] {x}, new int[][] {shape}, t -> t[0].sum(0, false));
            agree("mean" + what, device, sum, new float[][] {x}, new int[][] {shape}, t -> t[0].mean());
            agree("max(1)" + what, device, Tolerance.EXACT, new float[][] {x}, new int[][] {shape}, t -> t[0].max(1, false));
            agree("argmax(1)" + what, device, Tolerance.EXACT, new float[][] {x}, new int[][] {shape}, t -> t[0].argmax(1, false));
        }
    }

    /** {@value #ADAM_STEPS} Adam steps with AMSGrad and L2 decay through the SPI; p, m, v and vmax compared. */
    private static void adamAgrees(Device device, String label) {
        SplittableRandom r = new SplittableRandom(33);
        int n = 1003;
        float[][] init = {Inputs.uniform(r, n, -1, 1), Inputs.uniform(r, n, -1, 1), new float[n], new float[n], new float[n]};
        float[][] expected = adam(TestDevices.cpu(), init);
        float[][] actual = adam(device, init);
        String[] names = {"p", "g", "m", "v", "vmax"};
        for (int i : new int[] {0, 2, 3, 4}) {
            // a handful of float operations per element: a few ulps apart, never more
            new Tolerance(1e-6, 1e-5).assertClose("adam " + names[i] + " after " + ADAM_STEPS + " steps on " + label,
                    expected[i], actual[i]);
        }
    }

    private static float[][] adam(Device device, float[][] init) {
        try (Scope scope = Scope.open()) {
            Tensor[] t = new Tensor[init.length];
            for (int i = 0; i < init.length; i++) {
                t[i] = device.fromArray(init[i], init[i].length);
            }
            float beta1 = 0.9f;
            float beta2 = 0.999f;
            for (int step = 1; step <= ADAM_STEPS; step++) {
                float bc1 = (float) (1 - Math.pow(beta1, step));
                float bc2 = (float) (1 - Math.pow(beta2, step));
                device.backend().adamStep(init[0].length, 0.01f, beta1, beta2, 1e-8f, 0.01f, false, true, bc1, bc2,
                        t[0].memory(), t[0].offset(), t[1].memory(), t[1].offset(), t[2].memory(), t[2].offset(),
                        t[3].memory(), t[3].offset(), t[4].memory(), t[4].offset());
            }
            float[][] out = new float[init.length][];
            for (int i = 0; i < init.length; i++) {
                out[i] = t[i].toArray();
            }
            return out;
        }
    }
}
