package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.Tolerance;

/** Small helpers shared by the contract tests. */
final class Contract {
    /** The {@code @MethodSource} of every contract test: the CPU fallback plus every OpenCL device. */
    static final String DEVICES = "org.cnn4j.runtime.testing.TestDevices#all";

    private Contract() {
    }

    /** Asserts the shape of {@code t}, naming {@code what} in the failure. */
    static void assertShape(String what, int[] expected, Tensor t) {
        assertArrayEquals(expected, t.shape().toArray(),
                () -> what + ": shape must be " + Arrays.toString(expected) + ", but got " + t.shape());
    }

    /** Asserts shape and values of {@code actual} against a double reference. */
    static void assertTensor(String what, Tolerance tolerance, int[] shape, double[] reference, Tensor actual) {
        assertShape(what, shape, actual);
        tolerance.assertClose(what, reference, actual.toArray());
    }

    /** Asserts shape and exact values. */
    static void assertExact(String what, int[] shape, float[] expected, Tensor actual) {
        assertShape(what, shape, actual);
        Tolerance.EXACT.assertClose(what, expected, actual.toArray());
    }

    /**
     * Leaves a released block of {@code numel} elements full of NaN at the top of the pool's free list,
     * so that the next tensor of that size class gets memory whose old contents would poison a result
     * that reads its output before writing it.
     */
    static void poisonPool(Device device, int numel) {
        device.full(Float.NaN, numel).close();
    }

    /** {@code "op [2, 3] on cpu"}-style description for failure messages. */
    static String what(Device device, String op, int[]... shapes) {
        StringBuilder sb = new StringBuilder(op);
        for (int[] s : shapes) {
            sb.append(' ').append(Arrays.toString(s));
        }
        return sb.append(" on ").append(device.spec()).toString();
    }
}
