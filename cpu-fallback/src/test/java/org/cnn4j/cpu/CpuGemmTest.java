package org.cnn4j.cpu;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CpuGemm} against {@link NaiveGemm} on seeded inputs, every block edge and transposition, with each
 * block kernel: {@link CpuGemmPlain} and {@link CpuGemmVector} (the build runs the tests with
 * {@code --add-modules jdk.incubator.vector}, so both are always checked).
 */
class CpuGemmTest {
    private static final Backend BACKEND = TestData.backend();
    private static final List<CpuGemm> KERNELS = List.of(new CpuGemm(new CpuGemmPlain()), new CpuGemm(CpuGemmKernels.vector()));

    /**
     * One call: sizes, transpositions, scalars, batch, padding of every leading dimension beyond the
     * stored row length, extra gap between batch entries (and leading offset), and whether C starts as NaN.
     */
    record Case(int m, int n, int k, boolean transA, boolean transB, float alpha, float beta,
                int batch, int pad, int gap, boolean nanC) {
        @Override
        public String toString() {
            return "m=" + m + " n=" + n + " k=" + k + " transA=" + transA + " transB=" + transB + " alpha=" + alpha
                    + " beta=" + beta + " batch=" + batch + " pad=" + pad + " gap=" + gap + (nanC ? " C=NaN" : "");
        }
    }

    static List<Case> shapes() {
        int[][] sizes = {
            {1, 1, 1}, {2, 3, 4}, {4, 16, 4}, {5, 17, 3}, {17, 33, 65}, {65, 33, 17}, {64, 64, 64},
            {3, 1000, 7}, {1000, 3, 7}, {129, 257, 300}, {300, 130, 257}, {130, 600, 260},
        };
        float[][] scalars = {{1f, 0f}, {0.5f, 1f}, {-1.5f, 0.25f}};
        List<Case> cases = new ArrayList<>();
        int variant = 0;
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                float[] ab = scalars[variant % scalars.length];
                int pad = variant % 3 == 0 ? 0 : 3;
                cases.add(new Case(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, ab[0], ab[1], 1, pad, pad, false));
                variant++;
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void matchesReference(Case c) {
        check(c, 1);
    }

    @Test
    void defaultKernelIsTheVectorKernelWhenTheModuleIsPresent() {
        org.junit.jupiter.api.Assertions.assertTrue(CpuGemmKernels.vectorAvailable(),
                "the build runs tests with --add-modules jdk.incubator.vector");
        org.junit.jupiter.api.Assertions.assertTrue(new CpuGemm().kernel().name().startsWith("vector"),
                new CpuGemm().kernel().name());
    }

    @Test
    void largeBlocksCrossEveryPackingBoundary() {
        check(new Case(CpuGemmVector.MC + 7, CpuGemmVector.NC + 5, CpuGemmVector.KC + 3, false, false, 1f, 0f, 1, 1, 0, false), 10);
        check(new Case(CpuGemmVector.MC + 7, CpuGemmVector.NC + 5, CpuGemmVector.KC + 3, true, true, 0.5f, 1f, 1, 0, 0, false), 11);
    }

    @Test
    void wholePackedBAndBlockedSingleProducts() {
        // the fully connected layer of the reference CNN: op(B) fits CpuGemmVector.WHOLE_B, packed at once
        check(new Case(64, 128, 3136, false, true, 1f, 0f, 1, 0, 0, true), 12);
        check(new Case(64, 3136, 128, false, false, 1f, 1f, 1, 1, 0, false), 13);
        check(new Case(128, 3136, 64, true, false, 1f, 0f, 1, 0, 0, false), 14);
        // op(B) larger than WHOLE_B: packed one KC x NC block at a time
        int k = CpuGemmVector.WHOLE_B / (CpuGemmVector.NC + CpuGemmVector.NR) + CpuGemmVector.KC;
        check(new Case(CpuGemmVector.MC + 3, CpuGemmVector.NC + 5, k, false, false, 1f, 0f, 1, 0, 0, true), 15);
        check(new Case(CpuGemmVector.MC + 3, CpuGemmVector.NC + 5, k, true, true, -0.5f, 0.5f, 1, 2, 0, false), 16);
    }

    @Test
    void betaZeroDoesNotReadNaNInC() {
        check(new Case(17, 33, 65, false, false, 1f, 0f, 1, 2, 0, true), 2);
        check(new Case(129, 257, 300, true, true, 0.5f, 0f, 1, 1, 0, true), 3);
    }

    @Test
    void batchWithStridesAndOffsets() {
        check(new Case(17, 33, 65, false, true, 1f, 0.5f, 3, 2, 5, false), 4);
        check(new Case(7, 9, 11, true, false, 2f, 0f, 5, 1, 7, true), 5);
        check(new Case(100, 120, 90, true, true, 1f, 1f, 2, 0, 3, false), 6);
    }

    @Test
    void zeroDepthOrZeroAlphaOnlyScalesC() {
        check(new Case(9, 10, 0, false, false, 1f, 0.5f, 1, 1, 0, false), 7);
        check(new Case(9, 10, 0, false, false, 1f, 0f, 2, 1, 2, true), 8);
        check(new Case(9, 10, 11, true, false, 0f, 2f, 1, 0, 0, false), 9);
    }

    /** Builds the operands for {@code c}, runs both implementations and compares all of C, padding included. */
    private static void check(Case c, long seed) {
        int lda = (c.transA ? c.m : c.k) + c.pad;
        int ldb = (c.transB ? c.k : c.n) + c.pad;
        int ldc = c.n + c.pad;
        int strideA = (c.transA ? c.k : c.m) * lda + c.gap;
        int strideB = (c.transB ? c.n : c.k) * ldb + c.gap;
        int strideC = c.m * ldc + c.gap;
        int aOff = c.gap;
        int bOff = 2 * c.gap;
        int cOff = c.gap + 1;
        float[] a = TestData.random(seed, aOff + c.batch * strideA + 1);
        float[] b = TestData.random(seed + 100, bOff + c.batch * strideB + 1);
        float[] cInit = TestData.random(seed + 200, cOff + c.batch * strideC + 1);
        if (c.nanC) {
            Arrays.fill(cInit, Float.NaN);
        }
        double[] expected = NaiveGemm.gemm(c.transA, c.transB, c.m, c.n, c.k, c.alpha, a, aOff, lda, strideA,
                b, bOff, ldb, strideB, c.beta, cInit, cOff, ldc, strideC, c.batch);
        DeviceMemory da = TestData.upload(BACKEND, a);
        DeviceMemory db = TestData.upload(BACKEND, b);
        DeviceMemory dc = TestData.upload(BACKEND, cInit);
        for (CpuGemm gemm : KERNELS) {
            BACKEND.write(cInit, 0, dc, 0, cInit.length);
            gemm.gemm(c.transA, c.transB, c.m, c.n, c.k, c.alpha, da, aOff, lda, strideA, db, bOff, ldb, strideB,
                    c.beta, dc, cOff, ldc, strideC, c.batch);
            float[] actual = TestData.download(BACKEND, dc, cInit.length);
            Tolerance.assertClose("gemm (" + gemm.kernel().name() + " kernel) " + c, expected, actual,
                    1e-5 + 2e-6 * c.k, 1e-4);
        }
    }
}
