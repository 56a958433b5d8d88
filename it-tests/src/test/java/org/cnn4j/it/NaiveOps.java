package org.cnn4j.it;

import java.util.Arrays;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * Plain-loop reference implementations of the tensor ops, in double precision, written to be obviously
 * right rather than fast. Every backend is checked against these on seeded inputs.
 *
 * <p>Conventions: tensors are flat row-major arrays with an {@code int[]} shape (rank 0 is {@code {}} with
 * one element). Inputs are the float32 values a test uploads; results are doubles, so a comparison
 * measures only the backend's rounding. Indices are computed from the shape with explicit strides
 * ({@code stride[d] = prod_{e > d} shape[e]}), never with a backend's index-merging shortcuts.
 */
final class NaiveOps {
    private NaiveOps() {
    }

    // ---- shapes ----------------------------------------------------------------------------------

    /** Number of elements: {@code prod_d shape[d]} (1 for rank 0). */
    static int numel(int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Row-major strides: {@code stride[d] = prod_{e > d} shape[e]}. */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    /** The multi-index of flat position {@code flat}: {@code idx[d] = (flat / stride[d]) % shape[d]}. */
    static int[] unravel(int flat, int[] shape) {
        int[] strides = strides(shape);
        int[] idx = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            idx[d] = (flat / strides[d]) % shape[d];
        }
        return idx;
    }

    // ---- element-wise ----------------------------------------------------------------------------

    /** {@code f(x)} for one element, in double. */
    static double unary(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            // relu(x) = max(x, 0); NaN stays NaN (as PyTorch's relu and Math.max)
            case RELU -> Double.isNaN(x) ? x : (x > 0 ? x : 0.0);
            // sigmoid(x) = 1 / (1 + e^-x); in double e^-x only overflows to +inf for x < -709, where 1/inf = 0 is right
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case EXP -> Math.exp(x);
            // ln(x); ln(0) = -inf, ln(x < 0) = NaN
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1.0 / x;
        };
    }

    /** {@code a op b} for one pair, in double. */
    static double binary(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            // max/min propagate NaN (NumPy's maximum/minimum, PyTorch's torch.maximum/minimum)
            case MAX -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.max(a, b);
            case MIN -> Double.isNaN(a) || Double.isNaN(b) ? Double.NaN : Math.min(a, b);
            case POW -> cPow(a, b);
        };
    }

    /**
     * C99's {@code pow} (BinaryOp.POW is "as C's powf"; PyTorch and OpenCL C agree): Java's
     * {@link Math#pow} except that {@code pow(1, y) = 1} for every {@code y}, NaN included, and
     * {@code pow(-1, +-inf) = 1}, where Java gives NaN. {@code pow(negative, non-integer)} is NaN in both.
     */
    static double cPow(double a, double b) {
        if (a == 1.0 || (a == -1.0 && Double.isInfinite(b))) {
            return 1.0;
        }
        return Math.pow(a, b);
    }

    /** {@code y[i] = f(x[i])}. */
    static double[] unary(UnaryOp op, float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = unary(op, x[i]);
        }
        return y;
    }

    /** {@code y[i] = x[i] op s}, or {@code s op x[i]} when {@code scalarFirst}. */
    static double[] scalar(BinaryOp op, float[] x, float s, boolean scalarFirst) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = scalarFirst ? binary(op, s, x[i]) : binary(op, x[i], s);
        }
        return y;
    }

    /**
     * The NumPy broadcast shape: align the shapes at their last dimension, pad the shorter one with 1s
     * on the left; each pair of extents must be equal or contain a 1, and the result takes the larger.
     *
     * @throws IllegalArgumentException if the shapes do not broadcast
     */
    static int[] broadcastShape(int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = padded(a, rank, i);
            int db = padded(b, rank, i);
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("not broadcastable: " + Arrays.toString(a) + " and " + Arrays.toString(b));
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** Extent of dimension {@code i} of {@code shape} left-padded with 1s to {@code rank}. */
    private static int padded(int[] shape, int rank, int i) {
        int j = i - (rank - shape.length);
        return j < 0 ? 1 : shape[j];
    }

    /**
     * Broadcast binary op: {@code out[idx] = a[idx_a] op b[idx_b]} for every multi-index {@code idx} of the
     * broadcast shape, where {@code idx_a[d] = (a's extent at d == 1) ? 0 : idx[d]} on the padded shape.
     */
    static double[] binary(BinaryOp op, float[] a, int[] aShape, float[] b, int[] bShape) {
        int[] out = broadcastShape(aShape, bShape);
        int rank = out.length;
        double[] y = new double[numel(out)];
        for (int flat = 0; flat < y.length; flat++) {
            int[] idx = unravel(flat, out);
            y[flat] = binary(op, a[sourceIndex(idx, aShape, rank)], b[sourceIndex(idx, bShape, rank)]);
        }
        return y;
    }

    /** The flat index in an operand of {@code shape} read at output multi-index {@code idx} (broadcast). */
    private static int sourceIndex(int[] idx, int[] shape, int rank) {
        int[] padded = new int[rank];
        for (int i = 0; i < rank; i++) {
            padded[i] = padded(shape, rank, i);
        }
        int[] strides = strides(padded);
        int flat = 0;
        for (int d = 0; d < rank; d++) {
            flat += (padded[d] == 1 ? 0 : idx[d]) * strides[d];
        }
        return flat;
    }

    // ---- reductions ------------------------------------------------------------------------------

    /**
     * Reduction of {@code x} seen as {@code [outer, axis, inner]}:
     * {@code y[o * inner + j] = op_{k < axis} x[(o * axis + k) * inner + j]}, with
     * SUM = {@code sum_k}, MEAN = {@code (1/axis) sum_k}, MAX/MIN = {@code max_k}/{@code min_k}, NaN if any term is NaN.
     * Sums accumulate in double, in index order.
     */
    static double[] reduce(ReduceOp op, float[] x, int outer, int axis, int inner) {
        double[] y = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double acc = switch (op) {
                    case SUM, MEAN -> 0.0;
                    case MAX -> Double.NEGATIVE_INFINITY;
                    case MIN -> Double.POSITIVE_INFINITY;
                };
                boolean nan = false;
                for (int k = 0; k < axis; k++) {
                    double v = x[(o * axis + k) * inner + j];
                    nan |= Double.isNaN(v);
                    acc = switch (op) {
                        case SUM, MEAN -> acc + v;
                        case MAX -> Math.max(acc, v);
                        case MIN -> Math.min(acc, v);
                    };
                }
                if (op == ReduceOp.MEAN) {
                    acc /= axis;
                }
                y[o * inner + j] = nan ? Double.NaN : acc;
            }
        }
        return y;
    }

    /** Reduction along {@code axis} (negative counts from the end) of a tensor of {@code shape}. */
    static double[] reduce(ReduceOp op, float[] x, int[] shape, int axis) {
        int a = axis < 0 ? axis + shape.length : axis;
        return reduce(op, x, outer(shape, a), shape[a], inner(shape, a));
    }

    /** Reduction of every element: {@code [outer, axis, inner] = [1, n, 1]}. */
    static double reduceAll(ReduceOp op, float[] x) {
        return reduce(op, x, 1, x.length, 1)[0];
    }

    /**
     * {@code y[o * inner + j] = min { k : x[o, k, j] >= x[o, k', j] for all k' }}: the first index of the
     * largest element along the axis; a NaN counts as larger than anything, so the first NaN wins.
     */
    static double[] argmax(float[] x, int[] shape, int axis) {
        int a = axis < 0 ? axis + shape.length : axis;
        int outer = outer(shape, a);
        int len = shape[a];
        int inner = inner(shape, a);
        double[] y = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int best = 0;
                for (int k = 1; k < len; k++) {
                    float v = x[(o * len + k) * inner + j];
                    float b = x[(o * len + best) * inner + j];
                    if (Float.isNaN(b)) {
                        break;
                    }
                    if (Float.isNaN(v) || v > b) {
                        best = k;
                    }
                }
                y[o * inner + j] = best;
            }
        }
        return y;
    }

    /** {@code prod_{d < axis} shape[d]}. */
    static int outer(int[] shape, int axis) {
        return numel(Arrays.copyOfRange(shape, 0, axis));
    }

    /** {@code prod_{d > axis} shape[d]}. */
    static int inner(int[] shape, int axis) {
        return numel(Arrays.copyOfRange(shape, axis + 1, shape.length));
    }

    /** The shape after reducing {@code axis}: extent 1 there when {@code keepDim}, else the dimension removed. */
    static int[] reducedShape(int[] shape, int axis, boolean keepDim) {
        int a = axis < 0 ? axis + shape.length : axis;
        if (keepDim) {
            int[] s = shape.clone();
            s[a] = 1;
            return s;
        }
        int[] s = new int[shape.length - 1];
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (d != a) {
                s[j++] = shape[d];
            }
        }
        return s;
    }

    // ---- layout ----------------------------------------------------------------------------------

    /** Output shape of a permute: {@code out[i] = shape[order[i]]} (negative entries count from the end). */
    static int[] permutedShape(int[] shape, int[] order) {
        int[] out = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            out[i] = shape[norm(order[i], shape.length)];
        }
        return out;
    }

    /**
     * Permute: output element at multi-index {@code idx} is the input element whose index along input
     * dimension {@code order[i]} is {@code idx[i]}. Exact (a copy), so floats in and out.
     */
    static float[] permute(float[] x, int[] shape, int[] order) {
        int[] outShape = permutedShape(shape, order);
        int[] inStrides = strides(shape);
        float[] y = new float[x.length];
        for (int flat = 0; flat < y.length; flat++) {
            int[] idx = unravel(flat, outShape);
            int src = 0;
            for (int i = 0; i < order.length; i++) {
                src += idx[i] * inStrides[norm(order[i], shape.length)];
            }
            y[flat] = x[src];
        }
        return y;
    }

    /** The order that swaps dimensions {@code d0} and {@code d1} of a rank-{@code rank} tensor. */
    static int[] swapOrder(int rank, int d0, int d1) {
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = i;
        }
        int a = norm(d0, rank);
        int b = norm(d1, rank);
        order[a] = b;
        order[b] = a;
        return order;
    }

    private static int norm(int axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    // ---- matrix product --------------------------------------------------------------------------

    /**
     * Output shape of {@code op(A) x op(B)} for ranks 2 or 3 (see {@link #matmul}).
     */
    static int[] matmulShape(int[] aShape, boolean ta, int[] bShape, boolean tb) {
        int m = ta ? aShape[aShape.length - 1] : aShape[aShape.length - 2];
        int n = tb ? bShape[bShape.length - 2] : bShape[bShape.length - 1];
        if (aShape.length == 3 || bShape.length == 3) {
            int batch = aShape.length == 3 ? aShape[0] : bShape[0];
            return new int[] {batch, m, n};
        }
        return new int[] {m, n};
    }

    /**
     * Batched matrix product with optional transposes of the last two dimensions:
     * <pre>
     *   C[b][i][j] = sum_{p < k} opA[b][i][p] * opB[b][p][j]
     *   opA[b][i][p] = ta ? A[b][p][i] : A[b][i][p]      (A of rank 2 is the same matrix for every b)
     *   opB[b][p][j] = tb ? B[b][j][p] : B[b][p][j]
     * </pre>
     * Accumulates in double, in order of {@code p}.
     */
    static double[] matmul(float[] a, int[] aShape, boolean ta, float[] b, int[] bShape, boolean tb) {
        int aRows = aShape[aShape.length - 2];
        int aCols = aShape[aShape.length - 1];
        int bRows = bShape[bShape.length - 2];
        int bCols = bShape[bShape.length - 1];
        int m = ta ? aCols : aRows;
        int k = ta ? aRows : aCols;
        int n = tb ? bRows : bCols;
        int[] outShape = matmulShape(aShape, ta, bShape, tb);
        int batch = outShape.length == 3 ? outShape[0] : 1;
        double[] c = new double[batch * m * n];
        for (int bt = 0; bt < batch; bt++) {
            int aBase = aShape.length == 3 ? bt * aRows * aCols : 0;
            int bBase = bShape.length == 3 ? bt * bRows * bCols : 0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        double av = ta ? a[aBase + p * aCols + i] : a[aBase + i * aCols + p];
                        double bv = tb ? b[bBase + j * bCols + p] : b[bBase + p * bCols + j];
                        acc += av * bv;
                    }
                    c[(bt * m + i) * n + j] = acc;
                }
            }
        }
        return c;
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** The float32 values of a reference, rounded once (what a correctly rounded float32 op returns; overflow gives inf). */
    static double[] roundToFloat(double[] r) {
        double[] out = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            out[i] = (float) r[i];
        }
        return out;
    }

    /** Widens floats to doubles. */
    static double[] toDouble(float[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        return out;
    }
}
