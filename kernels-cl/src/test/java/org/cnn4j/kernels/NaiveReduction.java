package org.cnn4j.kernels;

import org.cnn4j.runtime.spi.ReduceOp;

/** Plain-loop reference of the reductions over [outer, axis, inner], accumulating in double. */
final class NaiveReduction {
    private NaiveReduction() {
    }

    /** y[o * inner + j] = op_k x[(o * axis + k) * inner + j]. */
    static float[] reduce(ReduceOp op, int outer, int axis, int inner, float[] x) {
        float[] y = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double acc = switch (op) {
                    case SUM, MEAN -> 0;
                    case MAX -> Double.NEGATIVE_INFINITY;
                    case MIN -> Double.POSITIVE_INFINITY;
                };
                for (int k = 0; k < axis; k++) {
                    double v = x[(o * axis + k) * inner + j];
                    acc = switch (op) {
                        case SUM, MEAN -> acc + v;
                        case MAX -> Math.max(acc, v);   // Math.max propagates NaN
                        case MIN -> Math.min(acc, v);
                    };
                }
                y[o * inner + j] = (float) (op == ReduceOp.MEAN ? acc / axis : acc);
            }
        }
        return y;
    }

    /** First index of the largest element along the axis; NaN counts as largest. */
    static float[] argmax(int outer, int axis, int inner, float[] x) {
        float[] y = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                int best = 0;
                for (int k = 1; k < axis; k++) {
                    float v = x[(o * axis + k) * inner + j];
                    float b = x[(o * axis + best) * inner + j];
                    if (Float.isNaN(b)) {
                        break;                       // the first NaN wins
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

    /** Sum of |x_k| per output, to scale the tolerance of sums. */
    static double maxAbsSum(int outer, int axis, int inner, float[] x) {
        double worst = 0;
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double s = 0;
                for (int k = 0; k < axis; k++) {
                    s += Math.abs(x[(o * axis + k) * inner + j]);
                }
                worst = Math.max(worst, s);
            }
        }
        return worst;
    }
}
