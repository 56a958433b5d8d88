package org.cnn4j.runtime;

import org.cnn4j.runtime.spi.StridedLayout;

/** Shape helpers of the backward passes. */
final class Grads {
    private Grads() {
    }

    /**
     * Undoes broadcasting: sums {@code g} over the leading dimensions that broadcasting added and over the
     * dimensions where {@code target} has extent 1, so the result has shape {@code target}.
     */
    static Tensor sumToShape(Tensor g, Shape target) {
        Tensor t = g;
        while (t.rank() > target.rank()) {
            t = t.sum(0, false);
        }
        for (int d = 0; d < target.rank(); d++) {
            if (target.dim(d) == 1 && t.dim(d) != 1) {
                t = t.sum(d, true);
            }
        }
        return t;
    }

    /** {@code g} repeated (broadcast) to {@code shape}, in new memory: one strided copy with zero strides. */
    static Tensor expand(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        Broadcast.shape("Tensor.expand", g.shape(), shape);
        Tensor out = g.device().empty(shape);
        StridedLayout layout = Broadcast.coalesce("Tensor.expand", shape.toArray(), Broadcast.stridesFor(g.shape(), shape))[0];
        g.device().backend().stridedCopy(layout, g.memory(), g.offset(), out.memory(), out.offset());
        return out;
    }
}
