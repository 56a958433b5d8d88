package org.cnn4j.runtime;

import org.cnn4j.runtime.spi.ReduceOp;

/**
 * Reductions: the input is seen as {@code [outer, axis, inner]} around the reduced dimension (see
 * {@link org.cnn4j.runtime.spi.ReductionOps}).
 */
final class ReductionFunctions {
    private ReductionFunctions() {
    }

    static Tensor all(String op, ReduceOp kind, Tensor x) {
        x.checkOpen(op);
        Tensor y = x.device().empty(Shape.scalar());
        x.device().backend().reduce(kind, 1, (int) x.numel(), 1, x.memory(), x.offset(), y.memory(), y.offset());
        return y;
    }

    static Tensor along(String op, ReduceOp kind, Tensor x, int axis, boolean keepDim) {
        x.checkOpen(op);
        int a = x.shape().axis(axis, op);
        Tensor y = x.device().empty(reducedShape(x.shape(), a, keepDim));
        x.device().backend().reduce(kind, (int) x.shape().numel(0, a), x.shape().dim(a),
                (int) x.shape().numel(a + 1, x.rank()), x.memory(), x.offset(), y.memory(), y.offset());
        return y;
    }

    static Tensor argmax(String op, Tensor x, int axis, boolean keepDim) {
        x.checkOpen(op);
        int a = x.shape().axis(axis, op);
        Tensor y = x.device().empty(reducedShape(x.shape(), a, keepDim));
        x.device().backend().argmax((int) x.shape().numel(0, a), x.shape().dim(a),
                (int) x.shape().numel(a + 1, x.rank()), x.memory(), x.offset(), y.memory(), y.offset());
        return y;
    }

    static Shape reducedShape(Shape s, int axis, boolean keepDim) {
        int[] dims = s.toArray();
        if (keepDim) {
            dims[axis] = 1;
            return Shape.of(dims);
        }
        int[] out = new int[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) {
            if (i != axis) {
                out[j++] = dims[i];
            }
        }
        return Shape.of(out);
    }
}
