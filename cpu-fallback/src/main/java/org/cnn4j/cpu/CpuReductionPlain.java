package org.cnn4j.cpu;

/**
 * The plain-Java reduction loops of {@link CpuReduction}: the reference the Vector API kernel
 * ({@code CpuReductionVector}) is tested against, and what runs on a JVM without the module.
 */
final class CpuReductionPlain implements CpuReduction.Kernel {
    @Override
    public String name() {
        return "plain";
    }

    /** {@link CpuReduction#sumStrided} with stride 1: four double partial sums. */
    @Override
    public double sumRow(float[] x, int base, int count) {
        return CpuReduction.sumStrided(x, base, count, 1);
    }

    /** {@code acc[j] = sum_{k < axis} x[base + k * inner + j]} for {@code j < cols}, in double. */
    @Override
    public void sumColumns(float[] x, int base, int axis, int inner, int cols, double[] acc) {
        if (cols == 1) {
            acc[0] = CpuReduction.sumStrided(x, base, axis, inner);
            return;
        }
        for (int j = 0; j < cols; j++) {
            acc[j] = x[base + j];
        }
        for (int k = 1; k < axis; k++) {
            int row = base + k * inner;
            for (int j = 0; j < cols; j++) {
                acc[j] += x[row + j];
            }
        }
    }

    /** {@code y[dst + j] = max (or min)_{k < axis} x[base + k * inner + j]} for {@code j < cols}, NaN propagating. */
    @Override
    public void extremeColumns(boolean max, float[] x, int base, int axis, int inner, int cols, float[] y, int dst) {
        System.arraycopy(x, base, y, dst, cols);
        for (int k = 1; k < axis; k++) {
            int row = base + k * inner;
            if (max) {
                for (int j = 0; j < cols; j++) {
                    y[dst + j] = Math.max(y[dst + j], x[row + j]);
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    y[dst + j] = Math.min(y[dst + j], x[row + j]);
                }
            }
        }
    }
}
