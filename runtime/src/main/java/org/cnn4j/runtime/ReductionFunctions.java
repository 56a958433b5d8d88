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
        record(op, kind, x, y, Shape.scalar(), x.numel());
        return Anomaly.checked(op, y, x);
    }

    static Tensor along(String op, ReduceOp kind, Tensor x, int axis, boolean keepDim) {
        x.checkOpen(op);
        int a = x.shape().axis(axis, op);
        Tensor y = x.device().empty(reducedShape(x.shape(), a, keepDim));
        x.device().backend().reduce(kind, (int) x.shape().numel(0, a), x.shape().dim(a),
                (int) x.shape().numel(a + 1, x.rank()), x.memory(), x.offset(), y.memory(), y.offset());
        record(op, kind, x, y, reducedShape(x.shape(), a, true), x.dim(a));
        return Anomaly.checked(op, y, x);
    }

    /**
     * Sum: {@code dx = expand(g)}; mean: {@code dx = expand(g) / count}. Max and min are not differentiable
     * here (use the pooling ops, which route the gradient to the arg-max).
     */
    private static void record(String op, ReduceOp kind, Tensor x, Tensor y, Shape keptShape, long count) {
        if (!Autograd.recording(x)) {
            return;
        }
        y.setGradFn(new Node(op, x) {
            @Override
            protected Tensor[] backward(Tensor g) {
                Tensor kept = g.reshape(keptShape.rank() == 0 ? new int[0] : keptShape.toArray());
                return new Tensor[] {switch (kind) {
                    case SUM -> Grads.expand(kept, x.shape());
                    case MEAN -> Grads.expand(kept.div((float) count), x.shape());
                    case MAX, MIN -> throw new UnsupportedOperationException(op + ".backward: max/min reductions are "
                            + "not differentiable in cnn4j; use MaxPool or argmax with a gather");
                }};
            }
        });
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
