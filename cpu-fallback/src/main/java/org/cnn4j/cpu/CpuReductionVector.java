package org.cnn4j.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link CpuReduction}, on {@link CpuVectorShapes#F} floats. Sums widen each float to double
 * ({@code F2D}, exact; each half of a float vector fills one double vector) and accumulate in double lanes: a column
 * block keeps its columns' sums in registers down the whole axis, adding the rows in index order from {@code -0.0}
 * (the identity of IEEE addition, so the first row is copied exactly), which is bit-identical to
 * {@link CpuReductionPlain}; a row is summed in two vectors of partial sums whose lanes are then added in lane order
 * (a fixed order, unlike {@code reduceLanes}), then its tail. Extremes keep {@link Math#max}'s order per column,
 * bit-identical. Columns left over from the vector width run scalar loops in the same order.
 *
 * <p>A widened vector is only ever an argument of an operation on an accumulator, never the receiver of one: in
 * JDK 17 the result of a shape conversion is not exactly typed for C2, so a call on it would depend on a type
 * profile shared by the JVM (see {@link CpuVectorShapes}). Loaded only by name through {@link CpuVectorSupport}.
 */
final class CpuReductionVector implements CpuReduction.Kernel {
    /** Floats, and the doubles each half of them widens to ({@code F2D} part 0 and part 1). */
    private static final VectorSpecies<Float> F = CpuVectorShapes.F;
    private static final int FL = F.length();
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private final CpuReductionPlain plain = new CpuReductionPlain();

    @Override
    public String name() {
        return "vector" + F.vectorBitSize();
    }

    @Override
    public double sumRow(float[] x, int base, int count) {
        DoubleVector s0 = DoubleVector.zero(DS);
        DoubleVector s1 = DoubleVector.zero(DS);
        int k = 0;
        for (; k + FL <= count; k += FL) {
            FloatVector v = FloatVector.fromArray(F, x, base + k);
            s0 = s0.add(v.convertShape(VectorOperators.F2D, DS, 0));
            s1 = s1.add(v.convertShape(VectorOperators.F2D, DS, 1));
        }
        double[] lanes = new double[DS.length()];
        s0.add(s1).intoArray(lanes, 0);
        double sum = 0;
        for (double lane : lanes) {
            sum += lane;
        }
        for (; k < count; k++) {
            sum += x[base + k];
        }
        return sum;
    }

    /** Column blocks of two float vectors (four independent addition chains), then of one, then scalar loops. */
    @Override
    public void sumColumns(float[] x, int base, int axis, int inner, int cols, double[] acc) {
        if (cols == 1) {
            acc[0] = inner == 1 ? sumRow(x, base, axis) : CpuReduction.sumStrided(x, base, axis, inner);
            return;
        }
        int dl = DS.length();
        int j = 0;
        for (; j + 2 * FL <= cols; j += 2 * FL) {
            DoubleVector a0 = DoubleVector.broadcast(DS, -0.0);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector a3 = a0;
            for (int k = 0; k < axis; k++) {
                int row = base + k * inner + j;
                FloatVector v0 = FloatVector.fromArray(F, x, row);
                FloatVector v1 = FloatVector.fromArray(F, x, row + FL);
                a0 = a0.add(v0.convertShape(VectorOperators.F2D, DS, 0));
                a1 = a1.add(v0.convertShape(VectorOperators.F2D, DS, 1));
                a2 = a2.add(v1.convertShape(VectorOperators.F2D, DS, 0));
                a3 = a3.add(v1.convertShape(VectorOperators.F2D, DS, 1));
            }
            a0.intoArray(acc, j);
            a1.intoArray(acc, j + dl);
            a2.intoArray(acc, j + 2 * dl);
            a3.intoArray(acc, j + 3 * dl);
        }
        for (; j + FL <= cols; j += FL) {
            DoubleVector a0 = DoubleVector.broadcast(DS, -0.0);
            DoubleVector a1 = a0;
            for (int k = 0; k < axis; k++) {
                FloatVector v = FloatVector.fromArray(F, x, base + k * inner + j);
                a0 = a0.add(v.convertShape(VectorOperators.F2D, DS, 0));
                a1 = a1.add(v.convertShape(VectorOperators.F2D, DS, 1));
            }
            a0.intoArray(acc, j);
            a1.intoArray(acc, j + dl);
        }
        for (; j < cols; j++) { // as the plain loop's columns (not its one-column case, which starts from +0)
            double a = x[base + j];
            for (int k = 1; k < axis; k++) {
                a += x[base + k * inner + j];
            }
            acc[j] = a;
        }
    }

    @Override
    public void extremeColumns(boolean max, float[] x, int base, int axis, int inner, int cols, float[] y, int dst) {
        int j = 0;
        for (; j + FL <= cols; j += FL) {
            FloatVector m = FloatVector.fromArray(F, x, base + j);
            if (max) {
                for (int k = 1; k < axis; k++) {
                    m = m.max(FloatVector.fromArray(F, x, base + k * inner + j));
                }
            } else {
                for (int k = 1; k < axis; k++) {
                    m = m.min(FloatVector.fromArray(F, x, base + k * inner + j));
                }
            }
            m.intoArray(y, dst + j);
        }
        if (j < cols) {
            plain.extremeColumns(max, x, base + j, axis, inner, cols - j, y, dst + j);
        }
    }
}
