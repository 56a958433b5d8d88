package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.spi.StridedLayout;

/**
 * Launches {@code layout.cl}: {@code dst[dstOff + i] = src[srcOff + S(i)]} for every row-major index
 * {@code i} of the layout's dims, {@code S(i) = sum_d c_d(i) * strides[d]}. Outputs per work-item
 * ({@code -D IPW}) by device type, as for the strided element-wise kernel ({@link ClElementwise#IPW_CPU}).
 */
public final class ClLayout {
    static final String FILE = "layout.cl";

    private final ClContext context;
    private final KernelRef stridedCopy;
    private final int ipw;

    /** @param context the device to launch on */
    public ClLayout(ClContext context) {
        this.context = context;
        this.ipw = ClElementwise.ipwFor(context);
        this.stridedCopy = new KernelRef(context, FILE, Map.of("IPW", Integer.toString(ipw)), "strided_copy");
    }

    /**
     * Strided copy into contiguous memory. A contiguous source is a plain buffer copy
     * ({@code clEnqueueCopyBuffer}, no kernel); anything else runs {@code strided_copy}.
     */
    public void stridedCopy(StridedLayout srcLayout, ClBuffer src, long srcOff, ClBuffer dst, long dstOff) {
        long n = srcLayout.size();
        if (n == 0) {
            return;
        }
        if (Layouts.isContiguous(srcLayout)) {
            context.copy(src, srcOff, dst, dstOff, n);
            return;
        }
        try (ClLaunch l = stridedCopy.get().begin()) {
            l.arg(n).dims8(srcLayout).strides8(srcLayout).arg(src).arg(srcOff).arg(dst).arg(dstOff)
                    .enqueue1d(ClElementwise.ceilDiv(n, ipw));
        }
    }
}
