package org.cnn4j.cpu;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;

/** Seeded inputs and host round trips for the CPU backend tests. */
final class TestData {
    private TestData() {
    }

    /** The backend under test. */
    static Backend backend() {
        return new CpuBackend(new CpuBackendProvider().devices().get(0));
    }

    /** One implementation of an op family: the family's op class around one kernel, and the kernel's name. */
    record Impl<T>(String name, T ops) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The op class {@code wrap} builds around each kernel of a family: the plain-Java kernel {@code plain} and
     * the Vector API kernel {@code vectorClass}, loaded by name (the build runs the tests with
     * {@code --add-modules jdk.incubator.vector}, so both are always checked).
     */
    static <K, T> List<Impl<T>> impls(Class<K> kernelType, K plain, String vectorClass, Function<K, T> wrap) {
        K vector = CpuVectorSupport.load(vectorClass, kernelType);
        return List.of(new Impl<>("plain", wrap.apply(plain)), new Impl<>("vector", wrap.apply(vector)));
    }

    /**
     * Repetitions of a kernel-agreement sweep: enough calls that C2 compiles the kernels during the sweep (the
     * interpreter and C1 run the Vector API's Java fallback, C2 its intrinsics, and it is C2's code that must
     * agree with the plain loops), every repetition compared.
     */
    static final int COMPILE_REPS = 30;

    /** The special floats every kernel must treat as the plain loops do. */
    static final float[] SPECIALS = {Float.NaN, Float.intBitsToFloat(0xffc00001), Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
        -Float.MAX_VALUE, 1f, -1f};

    /** {@link #random} with about one value in {@code every} replaced by one of {@link #SPECIALS}, at seeded positions. */
    static float[] withSpecials(long seed, int n, int every) {
        float[] x = random(seed, n);
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(every) == 0) {
                x[i] = SPECIALS[rnd.nextInt(SPECIALS.length)];
            }
        }
        return x;
    }

    /** {@code n} values uniform in [-1, 1) from {@code seed}. */
    static float[] random(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Device memory holding a copy of {@code host}. */
    static DeviceMemory upload(Backend backend, float[] host) {
        DeviceMemory m = backend.allocate(host.length);
        backend.write(host, 0, m, 0, host.length);
        return m;
    }

    /** The first {@code n} elements of {@code m}. */
    static float[] download(Backend backend, DeviceMemory m, int n) {
        float[] host = new float[n];
        backend.read(m, 0, host, 0, n);
        return host;
    }

    /** {@code x} widened to double. */
    static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    /** Device memory of {@code offset + host.length + 3} elements, NaN outside {@code host}'s copy at {@code offset}. */
    static DeviceMemory uploadAt(Backend backend, float[] host, int offset) {
        DeviceMemory m = backend.allocate(offset + host.length + 3L);
        backend.fill(m, 0, offset + host.length + 3L, Float.NaN);
        backend.write(host, 0, m, offset, host.length);
        return m;
    }

    /** Device memory of {@code offset + n + 3} elements, all NaN (so an op that fails to overwrite shows). */
    static DeviceMemory garbage(Backend backend, int n, int offset) {
        DeviceMemory m = backend.allocate(offset + n + 3L);
        backend.fill(m, 0, offset + n + 3L, Float.NaN);
        return m;
    }

    /** Elements {@code [offset, offset + n)} of {@code m}. */
    static float[] downloadAt(Backend backend, DeviceMemory m, int offset, int n) {
        float[] host = new float[n];
        backend.read(m, offset, host, 0, n);
        return host;
    }
}
