package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClLaunch;

/**
 * Launches {@code random.cl}: Philox 4x32-10 uniform, Bernoulli and normal numbers that match
 * {@link org.cnn4j.runtime.spi.Philox} (uniform and Bernoulli bit for bit, normal within a few ulps).
 * Each work-item computes one Philox block, i.e. four consecutive elements.
 */
public final class ClRandom {
    static final String FILE = "random.cl";
    private static final int PER_ITEM = 4;

    private final KernelRef uniform;
    private final KernelRef bernoulli;
    private final KernelRef normal;

    /** @param context the device to launch on */
    public ClRandom(ClContext context) {
        this.uniform = new KernelRef(context, FILE, Map.of(), "rng_uniform");
        this.bernoulli = new KernelRef(context, FILE, Map.of(), "rng_bernoulli");
        this.normal = new KernelRef(context, FILE, Map.of(), "rng_normal");
    }

    /** {@code y[i] = low + (high - low) * u_i}. */
    public void uniform(long n, long seed, long offset, float low, float high, ClBuffer y, long yOff) {
        if (n == 0) {
            return;
        }
        try (ClLaunch l = uniform.get().begin()) {
            l.arg(n).arg(seed).arg(offset).arg(low).arg(high).arg(y).arg(yOff).enqueue1d(ClElementwise.ceilDiv(n, PER_ITEM));
        }
    }

    /** {@code y[i] = u_i < p ? 1 : 0}. */
    public void bernoulli(long n, long seed, long offset, float p, ClBuffer y, long yOff) {
        if (n == 0) {
            return;
        }
        try (ClLaunch l = bernoulli.get().begin()) {
            l.arg(n).arg(seed).arg(offset).arg(p).arg(y).arg(yOff).enqueue1d(ClElementwise.ceilDiv(n, PER_ITEM));
        }
    }

    /** {@code y[i] = mean + std * z_i}, {@code z_i} standard normal by Box-Muller. */
    public void normal(long n, long seed, long offset, float mean, float std, ClBuffer y, long yOff) {
        if (n == 0) {
            return;
        }
        try (ClLaunch l = normal.get().begin()) {
            l.arg(n).arg(seed).arg(offset).arg(mean).arg(std).arg(y).arg(yOff).enqueue1d(ClElementwise.ceilDiv(n, PER_ITEM));
        }
    }
}
