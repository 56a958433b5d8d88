package org.cnn4j.cpu;

/**
 * Micro-kernels of {@link CpuGemm}: add a few rank-1 updates to one row of C,
 * <pre>
 *   c[j] += sum_{q &lt; depth} a_q * B[p + q][j]      for j &lt; nc
 * </pre>
 * where {@code a_q} are consecutive values of one packed row of {@code alpha * op(A)}, held in local
 * variables, and {@code B[p + q]} are rows of the packed {@code op(B)} panel.
 *
 * <p>Every row is its own array indexed from 0: the JIT of Java 17 vectorises a loop whose array
 * accesses are all {@code x[j]} (one store stream), and leaves it scalar when one array is read at
 * several unknown offsets or two rows are stored in one loop. Four depth steps per loop is the most it
 * still vectorises; each C element is then loaded and stored once per four multiply-adds.
 */
final class CpuGemmKernel {
    /** Depth steps (rows of the B panel) one {@link #depth4} call consumes. */
    static final int KR = 4;

    private CpuGemmKernel() {
    }

    /** {@code c[j] += a[ai] * b[p][j] + a[ai + 1] * b[p + 1][j] + a[ai + 2] * b[p + 2][j] + a[ai + 3] * b[p + 3][j]} for {@code j < nc}. */
    static void depth4(float[] a, int ai, float[][] b, int p, float[] c, int nc) {
        float a0 = a[ai];
        float a1 = a[ai + 1];
        float a2 = a[ai + 2];
        float a3 = a[ai + 3];
        float[] b0 = b[p];
        float[] b1 = b[p + 1];
        float[] b2 = b[p + 2];
        float[] b3 = b[p + 3];
        for (int j = 0; j < nc; j++) {
            c[j] += a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j];
        }
    }

    /** {@code c[j] += av * b[j]} for {@code j < nc}: one depth step, for the remainder of the depth. */
    static void depth1(float av, float[] b, float[] c, int nc) {
        for (int j = 0; j < nc; j++) {
            c[j] += av * b[j];
        }
    }
}
