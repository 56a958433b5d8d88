package org.cnn4j.kernels;

import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.spi.StridedLayout;

/**
 * Checks that every element an op will touch lies inside its buffer. A GPU does not fault on an
 * out-of-range index, it silently corrupts a neighbour, so the backend checks before it launches.
 */
final class Ranges {
    private Ranges() {
    }

    /** {@code [off, off + n)} must lie in {@code [0, buffer.elements())}. */
    static void flat(String method, String name, ClBuffer buffer, long off, long n) {
        if (off < 0 || n < 0 || off + n > buffer.elements()) {
            throw new IllegalArgumentException("OpenClBackend." + method + ": " + name + " range [" + off + ", " + (off + n)
                    + ") must lie in [0, " + buffer.elements() + "), but got offset=" + off + ", length=" + n);
        }
    }

    /** Every offset {@code off + S(i)} the layout reaches must lie in the buffer. */
    static void strided(String method, String name, ClBuffer buffer, long off, StridedLayout layout) {
        if (layout.size() == 0) {
            return;
        }
        long lo = off + Layouts.minReach(layout);
        long hi = off + Layouts.maxReach(layout);
        if (lo < 0 || hi >= buffer.elements()) {
            throw new IllegalArgumentException("OpenClBackend." + method + ": " + name + " elements [" + lo + ", " + hi
                    + "] must lie in [0, " + buffer.elements() + "), but got offset=" + off + " with " + layout);
        }
    }

    /**
     * A batch of {@code rows x cols} matrices with leading dimension {@code ld} must lie in the buffer:
     * the last element is at {@code off + (batch - 1) * stride + (rows - 1) * ld + cols - 1}.
     */
    static void matrices(String method, String name, ClBuffer buffer, long off, int rows, int cols, int ld, long stride,
                         int batch) {
        if (rows == 0 || cols == 0 || batch == 0) {
            return;
        }
        if (ld < cols || off < 0 || stride < 0) {
            throw new IllegalArgumentException("OpenClBackend." + method + ": " + name + " must have leading dimension >= "
                    + cols + ", offset >= 0 and batch stride >= 0, but got ld=" + ld + ", offset=" + off + ", stride=" + stride);
        }
        long last = off + (batch - 1L) * stride + (rows - 1L) * ld + cols - 1L;
        if (last >= buffer.elements()) {
            throw new IllegalArgumentException("OpenClBackend." + method + ": " + name + " (" + batch + " x " + rows + " x "
                    + cols + ", ld=" + ld + ", stride=" + stride + ", offset=" + off + ") must lie in [0, "
                    + buffer.elements() + "), but its last element is at " + last);
        }
    }
}
