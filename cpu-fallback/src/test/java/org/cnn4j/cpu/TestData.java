package org.cnn4j.cpu;

import java.util.SplittableRandom;
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
