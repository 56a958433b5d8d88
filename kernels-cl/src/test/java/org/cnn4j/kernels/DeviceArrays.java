package org.cnn4j.kernels;

import java.util.SplittableRandom;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;

/** Seeded test data and host/device round trips. */
final class DeviceArrays {
    private DeviceArrays() {
    }

    /** {@code n} floats uniform in [lo, hi) from {@code seed}. */
    static float[] random(long seed, int n, float lo, float hi) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * (float) random.nextDouble();
        }
        return x;
    }

    /** Device memory holding {@code x}. */
    static DeviceMemory upload(Backend backend, float[] x) {
        DeviceMemory m = backend.allocate(x.length);
        backend.write(x, 0, m, 0, x.length);
        return m;
    }

    /** The first {@code n} elements of {@code m}, starting at {@code off}. */
    static float[] download(Backend backend, DeviceMemory m, long off, int n) {
        float[] out = new float[n];
        backend.read(m, off, out, 0, n);
        return out;
    }

    /** Elements {@code [from, from + n)} of {@code x}. */
    static float[] slice(float[] x, int from, int n) {
        float[] out = new float[n];
        System.arraycopy(x, from, out, 0, n);
        return out;
    }
}
