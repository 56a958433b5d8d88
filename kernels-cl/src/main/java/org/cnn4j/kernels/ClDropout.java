package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClLaunch;

/**
 * Launches {@code dropout.cl}: inverted dropout whose keep mask, {@code u(i / groupSize) >= p} with
 * {@code u} the Philox uniform words of {@link org.cnn4j.runtime.spi.Philox}, is bit-identical to the
 * Java reference and is recomputed (same seed and offset) for the backward pass instead of being stored.
 * Kept elements are divided by {@code 1f - p} with IEEE rounding (as Java's {@code x / (1f - p)}, so the CPU
 * backend's outputs match bit for bit), see {@code dropout.cl}.
 * {@value #IPW} consecutive elements per work-item, so that one Philox block serves four groups.
 */
public final class ClDropout {
    static final String FILE = "dropout.cl";
    /** Elements per work-item ({@code -D IPW}). */
    static final int IPW = 16;

    private final KernelRef forward;

    /** @param context the device to launch on */
    public ClDropout(ClContext context) {
        this.forward = new KernelRef(context, FILE, Map.of("IPW", Integer.toString(IPW)), "dropout_forward");
    }

    /** {@code y[i] = keep(i) ? x[i] / (1 - p) : 0}; x and y may be the same range. */
    public void dropout(long n, long groupSize, float p, long seed, long offset, ClBuffer x, long xOff, ClBuffer y, long yOff) {
        if (n == 0) {
            return;
        }
        float keep = 1f - p;
        try (ClLaunch l = forward.get().begin()) {
            l.arg(n).arg(groupSize).arg(p).arg(keep).arg(1f / keep).arg(seed).arg(offset).arg(x).arg(xOff).arg(y).arg(yOff)
                    .enqueue1d(ClElementwise.ceilDiv(n, IPW));
        }
    }
}
