package org.cnn4j.kernels;

import static org.cnn4j.kernels.DeviceArrays.download;
import static org.cnn4j.kernels.DeviceArrays.random;
import static org.cnn4j.kernels.DeviceArrays.upload;
import static org.cnn4j.kernels.Tolerance.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** gemm.cl against {@link NaiveGemm}: transpositions, alpha/beta, padded leading dimensions, offsets, batches. */
class ClGemmTest {
    /** (m, n, k): tiny, not multiples of any tile, exact tiles, and a k of 0. */
    private static final int[][] SHAPES = {{1, 1, 1}, {5, 7, 3}, {33, 17, 65}, {64, 64, 64}, {100, 37, 129}, {3, 4, 0}, {8, 16, 9}, {17, 33, 2},
        {9, 10, 16}, {6, 13, 48}};

    /** Default limits, small work-groups, and little local memory (the tiled and tree kernels use it). */
    static Stream<TestBackend> backends() {
        return Stream.concat(OpenClTestSupport.backends(), OpenClTestSupport.smallLocalMemory());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tilesRespectTheWorkGroupCap(TestBackend tb) {
        ClGemm gemm = new ClGemm(tb.backend().context());
        ClGemm.Tiled t = gemm.tiles();
        long group = (long) t.ts() * (t.ts() / t.wpt());
        assertTrue(group <= t.kernel().maxWorkGroupSize(), "work-group " + group + " within " + t.kernel().maxWorkGroupSize());
        if (tb.cap() > 0) {
            assertTrue(group <= tb.cap(), "work-group " + group + " within cap " + tb.cap());
        }
        long tileBytes = 2L * t.ts() * t.ts() * Float.BYTES;
        assertTrue(tileBytes <= tb.backend().context().localMemBytes(), "tiles of " + tileBytes + " bytes within "
                + tb.backend().context().localMemBytes() + " bytes of local memory on " + tb);
        if (tb.localMem() > 0) {
            assertEquals(OpenClTestSupport.SMALL_LOCAL_MEM, tb.backend().context().localMemBytes(), "the cap is what launchers see");
            assertEquals(8, t.ts(), "the largest tile whose two float tiles fit in " + tb.localMem() + " bytes");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void variantFollowsTheDeviceType(TestBackend tb) {
        ClGemm.Variant expected = tb.backend().info().type() == org.cnn4j.runtime.spi.DeviceType.CPU
                ? ClGemm.Variant.BLOCKED : ClGemm.Variant.TILED2;
        assertEquals(expected, new ClGemm(tb.backend().context()).variant());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyTranspositionAndShape(TestBackend tb) {
        for (ClGemm.Variant v : ClGemm.Variant.values()) {
            ClGemm gemm = new ClGemm(tb.backend().context(), v);
            for (int[] s : SHAPES) {
                for (int trans = 0; trans < 4; trans++) {
                    check(tb, gemm, trans >= 2, (trans & 1) != 0, s[0], s[1], s[2], 1f, 0f, 0, 0, 1, 0.5f);
                }
            }
        }
    }

    /** Every gemm_tiled2 shape that fits, pinned, on shapes with partial tiles, every transposition and a batch. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyTiled2ShapeComputesTheProduct(TestBackend tb) {
        ClGemm any = new ClGemm(tb.backend().context(), ClGemm.Variant.TILED2);
        for (ClGemm.Config config : any.candidates()) {
            if (config.variant() != ClGemm.Variant.TILED2) {
                continue;
            }
            TuningStore pinned = new TuningStore(null);
            int[][] shapes = {{130, 67, 33}, {16, 16, 16}};
            for (int[] sh : shapes) {
                for (int trans = 0; trans < 4; trans++) {
                    pinned.put(ClGemm.shapeKey(trans >= 2, (trans & 1) != 0, sh[0], sh[1], sh[2], 2), config.id());
                }
            }
            ClGemm gemm = new ClGemm(tb.backend().context(), ClGemm.Variant.TILED2, pinned);
            for (int[] sh : shapes) {
                for (int trans = 0; trans < 4; trans++) {
                    check(tb, gemm, trans >= 2, (trans & 1) != 0, sh[0], sh[1], sh[2], 1.5f, 0.5f, 1, 2, 2, 0.5f);
                }
            }
            assertEquals(0, gemm.tuner().timings(), config.id() + " ran as stored");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tiled2TileFollowsTheProductSize(TestBackend tb) {
        ClGemm gemm = new ClGemm(tb.backend().context(), ClGemm.Variant.TILED2);
        ClGemm.Config big = gemm.tiled2For(1024, 1024);
        ClGemm.Config small = gemm.tiled2For(64, 196);
        boolean anyFits = gemm.candidates().stream().anyMatch(c -> c.variant() == ClGemm.Variant.TILED2);
        if (!anyFits) {
            assertEquals(null, big, "no gemm_tiled2 shape fits " + tb + ": the launcher falls back to gemm_tiled");
            return;
        }
        assertTrue(big != null && small != null, "shapes fit " + tb);
        assertTrue(small.x() <= 64, "a 64-row product gets at most 64-wide tiles: " + small.id());
        assertTrue(big.x() >= small.x(), big.id() + " vs " + small.id());
        assertTrue(big.groupSize() <= Math.min(tb.backend().context().device().maxWorkGroupSize(),
                tb.cap() > 0 ? tb.cap() : Long.MAX_VALUE), big.id() + " within the work-group limits on " + tb);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void alphaBetaPaddingOffsetsAndBatches(TestBackend tb) {
        for (ClGemm.Variant v : ClGemm.Variant.values()) {
            ClGemm gemm = new ClGemm(tb.backend().context(), v);
            check(tb, gemm, false, false, 19, 23, 31, 0.5f, 2f, 3, 5, 1, 0.5f);    // alpha, beta, padded ld
            check(tb, gemm, true, false, 19, 23, 31, -1.5f, 1f, 0, 2, 3, 0.5f);    // batch 3, shared B
            check(tb, gemm, false, true, 40, 9, 17, 1f, 0.25f, 7, 0, 2, 0.5f);
            check(tb, gemm, true, true, 8, 8, 8, 2f, -1f, 1, 1, 4, 0.5f);
            check(tb, gemm, false, false, 16, 32, 5, 1f, 1f, 0, 0, 2, 0.5f);      // exact register blocks
            check(tb, gemm, false, false, 6, 5, 4, 0f, 1f, 0, 0, 2, 0.5f);         // alpha 0: C = beta C
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void betaZeroDoesNotReadC(TestBackend tb) {
        for (ClGemm.Variant v : ClGemm.Variant.values()) {
            ClGemm gemm = new ClGemm(tb.backend().context(), v);
            check(tb, gemm, false, false, 13, 11, 7, 1f, 0f, 0, 0, 2, Float.NaN);
            check(tb, gemm, true, true, 13, 11, 7, 1f, 0f, 1, 2, 1, Float.NaN);
            check(tb, gemm, false, false, 16, 16, 3, 1f, 0f, 0, 0, 1, Float.NaN);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tunedShapesAreCorrectTimedOnceAndStored(TestBackend tb, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("gemm-tuning.properties");
        ClGemm gemm = new ClGemm(tb.backend().context(), ClGemm.Variant.BLOCKED, new TuningStore(file));
        int candidates = gemm.candidates().size();
        assertTrue(candidates > ClGemm.BLOCKED_SHAPES.length, "tiled shapes are candidates too: " + gemm.candidates());
        check(tb, gemm, false, false, 33, 17, 65, 1f, 0.5f, 0, 0, 1, 0.5f);
        assertEquals(candidates, gemm.tuner().timings(), "a new shape times every candidate");
        check(tb, gemm, false, false, 33, 17, 65, 0.5f, 2f, 0, 0, 1, 0.5f);
        assertEquals(candidates, gemm.tuner().timings(), "the same shape is not timed again");
        check(tb, gemm, true, true, 19, 40, 9, 1f, 0f, 2, 1, 3, Float.NaN);
        assertEquals(2 * candidates, gemm.tuner().timings());
        String chosen = new TuningStore(file).get(ClGemm.shapeKey(false, false, 33, 17, 65, 1));
        assertTrue(gemm.candidates().stream().anyMatch(c -> c.id().equals(chosen)), "stored choice " + chosen);

        ClGemm reloaded = new ClGemm(tb.backend().context(), ClGemm.Variant.BLOCKED, new TuningStore(file));
        check(tb, reloaded, false, false, 33, 17, 65, 1f, 0.5f, 0, 0, 1, 0.5f);
        check(tb, reloaded, true, true, 19, 40, 9, 1f, 0f, 2, 1, 3, Float.NaN);
        assertEquals(0, reloaded.tuner().timings(), "stored choices are used without timing");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void aBadTuningFileIsIgnoredAndRewritten(TestBackend tb, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("gemm-tuning.properties");
        String shape = ClGemm.shapeKey(false, true, 12, 20, 7, 2);
        Files.writeString(file, shape + "=tiled:9999x1\nnot a property \\u12\n");
        ClGemm gemm = new ClGemm(tb.backend().context(), ClGemm.Variant.BLOCKED, new TuningStore(file));
        check(tb, gemm, false, true, 12, 20, 7, 1f, 0.25f, 1, 0, 2, 0.5f);
        assertEquals(gemm.candidates().size(), gemm.tuner().timings(), "an unknown stored id is timed again");
        String rewritten = new TuningStore(file).get(shape);
        assertTrue(gemm.candidates().stream().anyMatch(c -> c.id().equals(rewritten)), "rewritten choice " + rewritten);
        Files.write(file, new byte[] {(byte) 0xff, 0, (byte) 0xfe});
        ClGemm garbage = new ClGemm(tb.backend().context(), ClGemm.Variant.BLOCKED, new TuningStore(file));
        check(tb, garbage, false, true, 12, 20, 7, 1f, 0.25f, 1, 0, 2, 0.5f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyCandidateComputesTheProduct(TestBackend tb) {
        ClGemm any = new ClGemm(tb.backend().context());
        for (ClGemm.Config config : any.candidates()) {
            TuningStore pinned = new TuningStore(null);
            pinned.put(ClGemm.shapeKey(true, false, 37, 29, 41, 2), config.id());
            pinned.put(ClGemm.shapeKey(false, true, 37, 29, 41, 2), config.id());     // gemm_dot's case (A B^T)
            ClGemm gemm = new ClGemm(tb.backend().context(), ClGemm.Variant.BLOCKED, pinned);
            check(tb, gemm, true, false, 37, 29, 41, -0.5f, 1f, 3, 2, 2, 0.5f);     // a dot config falls back to the default
            check(tb, gemm, false, true, 37, 29, 41, -0.5f, 1f, 3, 2, 2, 0.5f);
            assertEquals(0, gemm.tuner().timings(), config.id() + " ran as stored");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void throughTheBackend(TestBackend tb) {
        check(tb, null, true, false, 21, 35, 18, 1f, 0.5f, 2, 1, 2, 0.5f);
    }

    /**
     * One GEMM (through {@code gemm}, or the backend when null) with leading dimensions padded by {@code pad}, every matrix starting at {@code off}, batch
     * strides one padded matrix apart (B's stride is 0 when batch is 3: one B shared by all), and C filled
     * with {@code cFill} around seeded values.
     */
    @SuppressWarnings("java:S107")
    private static void check(TestBackend tb, ClGemm gemm, boolean transA, boolean transB, int m, int n, int k, float alpha,
                              float beta, int pad, int off, int batch, float cFill) {
        OpenClBackend b = tb.backend();
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        int lda = aCols + pad;
        int ldb = bCols + pad;
        int ldc = n + pad;
        int strideA = aRows * lda + 1;
        int strideB = batch == 3 ? 0 : bRows * ldb + 2;
        int strideC = m * ldc + 3;
        float[] a = random(m * 1000L + k, off + strideA * batch + 1, -1f, 1f);
        float[] bm = random(n * 1000L + k, off + Math.max(strideB * batch, bRows * ldb) + 1, -1f, 1f);
        float[] c = random(m * 1000L + n, off + strideC * batch + 1, -1f, 1f);
        if (Float.isNaN(cFill)) {
            Arrays.fill(c, Float.NaN);
        }
        DeviceMemory ad = upload(b, a);
        DeviceMemory bd = upload(b, bm);
        DeviceMemory cd = upload(b, c);
        if (gemm == null) {
            b.gemm(transA, transB, m, n, k, alpha, ad, off, lda, strideA, bd, off, ldb, strideB, beta, cd, off, ldc, strideC, batch);
        } else {
            gemm.gemm(transA, transB, m, n, k, alpha, (ClBuffer) ad, off, lda, strideA, (ClBuffer) bd, off, ldb, strideB, beta,
                    (ClBuffer) cd, off, ldc, strideC, batch);
        }
        float[] expected = c.clone();
        NaiveGemm.gemm(transA, transB, m, n, k, alpha, a, off, lda, strideA, bm, off, ldb, strideB, beta, expected, off, ldc,
                strideC, batch);
        String what = (gemm == null ? "backend" : gemm.variant()) + " gemm transA=" + transA + " transB=" + transB + " m=" + m + " n=" + n + " k=" + k + " alpha=" + alpha
                + " beta=" + beta + " pad=" + pad + " off=" + off + " batch=" + batch + " on " + tb;
        assertClose(what, expected, download(b, cd, 0, c.length), 1e-5 * (k + 1), 1e-5);
        b.release(ad);
        b.release(bd);
        b.release(cd);
    }
}
