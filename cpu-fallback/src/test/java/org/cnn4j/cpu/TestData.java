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
}
