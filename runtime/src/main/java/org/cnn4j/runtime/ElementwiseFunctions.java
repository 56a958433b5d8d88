package org.cnn4j.runtime;

import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/** Validation and dispatch of element-wise ops to the backend. */
final class ElementwiseFunctions {
    private ElementwiseFunctions() {
    }

    static Tensor unary(String op, UnaryOp kind, Tensor x) {
        x.checkOpen(op);
        Tensor y = x.device().empty(x.shape());
        x.device().backend().unary(kind, x.numel(), x.memory(), x.offset(), y.memory(), y.offset());
        return y;
    }

    static Tensor scalar(String op, BinaryOp kind, Tensor x, float s, boolean scalarFirst) {
        x.checkOpen(op);
        Tensor y = x.device().empty(x.shape());
        x.device().backend().scalar(kind, x.numel(), x.memory(), x.offset(), s, scalarFirst, y.memory(), y.offset());
        return y;
    }

    static Tensor binary(String op, BinaryOp kind, Tensor a, Tensor b) {
        a.checkOpen(op);
        b.checkOpen(op);
        Checks.sameDevice(op, a, b);
        Shape out = Broadcast.shape(op, a.shape(), b.shape());
        StridedLayout[] layouts = Broadcast.coalesce(op, out.toArray(),
                Broadcast.stridesFor(a.shape(), out), Broadcast.stridesFor(b.shape(), out));
        Tensor y = a.device().empty(out);
        a.device().backend().binary(kind, layouts[0], a.memory(), a.offset(), layouts[1], b.memory(), b.offset(),
                y.memory(), y.offset());
        return y;
    }
}
