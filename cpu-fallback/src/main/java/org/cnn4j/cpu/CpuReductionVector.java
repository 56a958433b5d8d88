package org.cnn4j.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernel of {@link CpuReduction}. Sums widen each float to double ({@code F2D}, exact) and accumulate
 * in double lanes: a column block keeps its columns' sums in registers down the whole axis, adding the rows in
 * index order from {@code -0.0} (the identity of IEEE addition, so the first row is copied exactly), which is
 * bit-identical to {@link CpuReductionPlain}; a row is summed in two vectors of partial sums whose lanes are then
 * added in lane order (a fixed order, unlike {@code reduceLanes}), then its tail. Extremes keep {@link Math#max}'s
 * order per column, bit-identical. Columns left over from the vector width run scalar loops in the same order.
 *
 * <p>A widened vector is only ever an argument of an operation on an accumulator, never the receiver of one: in
 * JDK 17 the result of a shape conversion is not exactly typed for C2, and calls on it fall back to the API's
 * scalar code when other vector code in the JVM pollutes the type profiles. Loaded only by name through
 * {@link CpuVectorSupport}.
 */
final class CpuReductionVector implements CpuReduction.Kernel {
    /** Double lanes (the preferred shape) and the floats that widen to them (half that shape). */
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> WS = VectorSpecies.of(float.class, VectorShape.forBitSize(DS.vectorBitSize() / 2));
    private static final int DL = DS.length();
    /** Float lanes of the max / min columns. */
    private static final VectorSpecies<Float> FS = CpuVectorShapes.STREAM;
    private static final int FL = FS.length();
    private final CpuReductionPlain plain = new CpuReductionPlain();

    @Override
    public String name() {
        return "vector" + DS.vectorBitSize();
    }

    @Override
    public double sumRow(float[] x, int base, int count) {
        DoubleVector s0 = DoubleVector.zero(DS);
        DoubleVector s1 = DoubleVector.zero(DS);
        int k = 0;
        for (; k + 2 * DL <= count; k += 2 * DL) {
            s0 = s0.add(FloatVector.fromArray(WS, x, base + k).convertShape(VectorOperators.F2D, DS, 0));
            s1 = s1.add(FloatVector.fromArray(WS, x, base + k + DL).convertShape(VectorOperators.F2D, DS, 0));
        }
        if (k + DL <= count) {
            s0 = s0.add(FloatVector.fromArray(WS, x, base + k).convertShape(VectorOperators.F2D, DS, 0));
            k += DL;
        }
        double[] lanes = new double[DL];
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

    /** Column blocks of four vectors (four independent addition chains), then of one, then the plain loop. */
    @Override
    public void sumColumns(float[] x, int base, int axis, int inner, int cols, double[] acc) {
        if (cols == 1) {
            acc[0] = inner == 1 ? sumRow(x, base, axis) : CpuReduction.sumStrided(x, base, axis, inner);
            return;
        }
        int j = 0;
        for (; j + 4 * DL <= cols; j += 4 * DL) {
            DoubleVector a0 = DoubleVector.broadcast(DS, -0.0);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector a3 = a0;
            for (int k = 0; k < axis; k++) {
                int row = base + k * inner + j;
                a0 = a0.add(FloatVector.fromArray(WS, x, row).convertShape(VectorOperators.F2D, DS, 0));
                a1 = a1.add(FloatVector.fromArray(WS, x, row + DL).convertShape(VectorOperators.F2D, DS, 0));
                a2 = a2.add(FloatVector.fromArray(WS, x, row + 2 * DL).convertShape(VectorOperators.F2D, DS, 0));
                a3 = a3.add(FloatVector.fromArray(WS, x, row + 3 * DL).convertShape(VectorOperators.F2D, DS, 0));
            }
            a0.intoArray(acc, j);
            a1.intoArray(acc, j + DL);
            a2.intoArray(acc, j + 2 * DL);
            a3.intoArray(acc, j + 3 * DL);
        }
        for (; j + DL <= cols; j += DL) {
            DoubleVector a = DoubleVector.broadcast(DS, -0.0);
            for (int k = 0; k < axis; k++) {
                a = a.add(FloatVector.fromArray(WS, x, base + k * inner + j).convertShape(VectorOperators.F2D, DS, 0));
            }
            a.intoArray(acc, j);
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
            FloatVector m = FloatVector.fromArray(FS, x, base + j);
            if (max) {
                for (int k = 1; k < axis; k++) {
                    m = m.max(FloatVector.fromArray(FS, x, base + k * inner + j));
                }
            } else {
                for (int k = 1; k < axis; k++) {
                    m = m.min(FloatVector.fromArray(FS, x, base + k * inner + j));
                }
            }
            m.intoArray(y, dst + j);
        }
        if (j < cols) {
            plain.extremeColumns(max, x, base + j, axis, inner, cols - j, y, dst + j);
        }
    }
}
