package org.cnn4j.runtime;

/**
 * Matrix products on the backend's batched GEMM. Shapes: {@code [m, k] x [k, n]}, {@code [b, m, k] x [b, k, n]},
 * {@code [b, m, k] x [k, n]} (the right matrix shared by every batch: stride 0) and
 * {@code [m, k] x [b, k, n]} (the left one shared), each with optional transposes of the last two dimensions.
 */
final class MatmulFunction {
    private static final String OP = "Tensor.matmul";

    private MatmulFunction() {
    }

    static Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB) {
        a.checkOpen(OP);
        b.checkOpen(OP);
        Checks.sameDevice(OP, a, b);
        if (a.rank() < 2 || a.rank() > 3 || b.rank() < 2 || b.rank() > 3) {
            throw new IllegalArgumentException(OP + ": operands must have rank 2 or 3, but got " + a.shape() + " and " + b.shape());
        }
        int aRows = a.dim(-2);
        int aCols = a.dim(-1);
        int bRows = b.dim(-2);
        int bCols = b.dim(-1);
        int m = transA ? aCols : aRows;
        int k = transA ? aRows : aCols;
        int kb = transB ? bCols : bRows;
        int n = transB ? bRows : bCols;
        if (k != kb) {
            throw new IllegalArgumentException(OP + ": inner dimensions must match, but got " + a.shape()
                    + (transA ? "^T" : "") + " and " + b.shape() + (transB ? "^T" : "") + " (k=" + k + " vs " + kb + ")");
        }
        int batchA = a.rank() == 3 ? a.dim(0) : 1;
        int batchB = b.rank() == 3 ? b.dim(0) : 1;
        if (a.rank() == 3 && b.rank() == 3 && batchA != batchB) {
            throw new IllegalArgumentException(OP + ": batch sizes must match, but got " + a.shape() + " and " + b.shape());
        }
        int batch = Math.max(batchA, batchB);
        Shape outShape = a.rank() == 3 || b.rank() == 3 ? Shape.of(batch, m, n) : Shape.of(m, n);
        Tensor c = a.device().empty(outShape);
        long strideA = a.rank() == 3 ? (long) aRows * aCols : 0;
        long strideB = b.rank() == 3 ? (long) bRows * bCols : 0;
        a.device().backend().gemm(transA, transB, m, n, k, 1f,
                a.memory(), a.offset(), aCols, strideA,
                b.memory(), b.offset(), bCols, strideB,
                0f, c.memory(), c.offset(), n, (long) m * n, batch);
        if (Autograd.recording(a, b)) {
            c.setGradFn(new Node(OP, a, b) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[] {
                        needsInputGrad(0) ? gradA(a, transA, b, transB, g) : null,
                        needsInputGrad(1) ? gradB(a, transA, b, transB, g) : null};
                }
            });
        }
        return Anomaly.checked(OP, c, a, b);
    }

    /**
     * {@code C = op(A) op(B)} gives {@code d op(A) = dC op(B)^T}, so {@code dA = dC op(B)^T}, or its
     * transpose {@code op(B) dC^T} when A was transposed. A matrix shared by every batch sums its batch
     * gradients.
     */
    private static Tensor gradA(Tensor a, boolean transA, Tensor b, boolean transB, Tensor g) {
        Tensor da = transA ? matmul(b, transB, g, true) : matmul(g, false, b, !transB);
        return Grads.sumToShape(da, a.shape());
    }

    /** {@code d op(B) = op(A)^T dC}: {@code dB = op(A)^T dC}, or {@code dC^T op(A)} when B was transposed. */
    private static Tensor gradB(Tensor a, boolean transA, Tensor b, boolean transB, Tensor g) {
        Tensor db = transB ? matmul(g, true, a, transA) : matmul(a, !transA, g, false);
        return Grads.sumToShape(db, b.shape());
    }
}
