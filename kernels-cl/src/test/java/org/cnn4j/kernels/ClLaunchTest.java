package org.cnn4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.Stream;
import org.cnn4j.kernels.OpenClTestSupport.TestBackend;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.opencl.ClNdRange;
import org.cnn4j.runtime.opencl.ClWorkGroupSizeException;
import org.cnn4j.runtime.spi.StridedLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The launch layer: 1-D/2-D/3-D ranges over odd sizes, vector arguments, limits. */
class ClLaunchTest {
    private static final String SOURCE = """
            __kernel void ids(const int nx, const int ny, const int nz, __global float* out) {
                const int x = get_global_id(0), y = get_global_id(1), z = get_global_id(2);
                if (x < nx && y < ny && z < nz) {
                    out[(z * ny + y) * nx + x] = x + 100.0f * y + 10000.0f * z;
                }
            }
            __kernel void affine(const int n, const float a, const long shift, __global const float* x, __global float* y) {
                const int i = get_global_id(0);
                if (i < n) {
                    y[i] = a * x[i] + (float)shift;
                }
            }
            __kernel void vectors(const int8 dims, const long8 strides, __global float* out) {
                if (get_global_id(0) == 0) {
                    out[0] = dims.s0; out[1] = dims.s1; out[2] = dims.s5; out[3] = dims.s6; out[4] = dims.s7;
                    out[5] = strides.s0; out[6] = strides.s5; out[7] = strides.s6; out[8] = strides.s7;
                }
            }
            """;

    static Stream<TestBackend> backends() {
        return OpenClTestSupport.backends();
    }

    private static ClKernel kernel(ClContext context, String name) {
        return context.program("launch-test.cl", SOURCE, Map.of()).kernel(name);
    }

    /**
     * A kernel keeps its arguments between launches and ClLaunch skips setting an unchanged one: every change of a
     * scalar (including -0 against 0) or a buffer must still reach the kernel.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void unchangedArgumentsAreSkippedAndChangedOnesApplied(TestBackend tb) {
        OpenClBackend b = tb.backend();
        ClContext context = b.context();
        ClKernel affine = kernel(context, "affine");
        float[] x1 = {1f, 2f, 3f, -4f, 5f};
        float[] x2 = {-1f, 0.5f, 7f, 8f, -9f};
        ClBuffer d1 = (ClBuffer) DeviceArrays.upload(b, x1);
        ClBuffer d2 = (ClBuffer) DeviceArrays.upload(b, x2);
        ClBuffer y1 = (ClBuffer) b.allocate(5);
        ClBuffer y2 = (ClBuffer) b.allocate(5);
        Object[][] calls = {{5, 2f, 0L, d1, y1}, {5, 2f, 0L, d1, y1}, {5, 3f, 0L, d1, y1}, {5, 3f, 7L, d1, y1},
            {5, 3f, 7L, d2, y1}, {5, 3f, 7L, d2, y2}, {3, 3f, 7L, d2, y2}, {5, -0f, 0L, d1, y1}, {5, 0f, 0L, d1, y2}};
        for (Object[] c : calls) {
            int n = (Integer) c[0];
            float a = (Float) c[1];
            long shift = (Long) c[2];
            ClBuffer x = (ClBuffer) c[3];
            ClBuffer y = (ClBuffer) c[4];
            b.fill(y, 0, 5, 99f);
            try (ClLaunch l = affine.begin()) {
                l.arg(n).arg(a).arg(shift).arg(x).arg(y).enqueue1d(5);
            }
            float[] in = x == d1 ? x1 : x2;
            float[] expected = new float[5];
            for (int i = 0; i < 5; i++) {
                expected[i] = i < n ? a * in[i] + shift : 99f;
            }
            Tolerance.assertBitIdentical("affine " + java.util.Arrays.toString(c) + " on " + tb, expected,
                    DeviceArrays.download(b, y, 0, 5));
        }
        for (ClBuffer d : new ClBuffer[] {d1, d2, y1, y2}) {
            b.release(d);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void oneTwoAndThreeDimensionalRangesCoverOddSizes(TestBackend tb) {
        ClContext context = tb.backend().context();
        ClKernel ids = kernel(context, "ids");
        int[][] sizes = {{37, 1, 1}, {19, 23, 1}, {7, 5, 3}};
        for (int rank = 1; rank <= 3; rank++) {
            int nx = sizes[rank - 1][0];
            int ny = sizes[rank - 1][1];
            int nz = sizes[rank - 1][2];
            ClBuffer out = context.allocate((long) nx * ny * nz);
            try (ClLaunch l = ids.begin()) {
                l.arg(nx).arg(ny).arg(nz).arg(out);
                switch (rank) {
                    case 1 -> l.enqueue1d(nx);
                    case 2 -> l.enqueue2d(nx, ny);
                    default -> l.enqueue3d(nx, ny, nz);
                }
            }
            float[] got = new float[nx * ny * nz];
            context.read(out, 0, got, 0, got.length);
            for (int z = 0; z < nz; z++) {
                for (int y = 0; y < ny; y++) {
                    for (int x = 0; x < nx; x++) {
                        assertEquals(x + 100f * y + 10000f * z, got[(z * ny + y) * nx + x], "rank " + rank + " at (" + x + ", "
                                + y + ", " + z + ") on " + tb);
                    }
                }
            }
            context.release(out);
        }
        assertTrue(ids.maxWorkGroupSize() <= (tb.cap() == 0 ? Long.MAX_VALUE : tb.cap()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void layoutsTravelRightAlignedWithPadding(TestBackend tb) {
        ClContext context = tb.backend().context();
        ClBuffer out = context.allocate(9);
        StridedLayout layout = new StridedLayout(new int[] {4, 5, 6}, new long[] {30, 6, 1});
        try (ClLaunch l = kernel(context, "vectors").begin()) {
            l.dims8(layout).strides8(layout).arg(out).enqueue1d(1);
        }
        float[] got = new float[9];
        context.read(out, 0, got, 0, 9);
        assertEquals("[1.0, 1.0, 4.0, 5.0, 6.0, 0.0, 30.0, 6.0, 1.0]", java.util.Arrays.toString(got), "on " + tb);
        context.release(out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tooLargeAWorkGroupIsRejectedBeforeEnqueue(TestBackend tb) {
        ClContext context = tb.backend().context();
        ClKernel ids = kernel(context, "ids");
        long tooBig = ids.maxWorkGroupSize() + 1;
        ClBuffer out = context.allocate(1);
        ClNdRange range = ClNdRange.covering(new long[] {tooBig}, new long[] {tooBig});
        try (ClLaunch l = ids.begin()) {
            l.arg(1).arg(1).arg(1).arg(out);
            ClWorkGroupSizeException e = assertThrows(ClWorkGroupSizeException.class, () -> l.enqueue(range));
            // the device maximum may also be the largest item size of dimension 0: either status is right
            assertTrue(e.status() == -54 || e.status() == -55, e.getMessage());
            assertTrue(e.getMessage().contains("rejected before the call"), e.getMessage());
            assertTrue(e.getMessage().contains(e.statusName()), e.getMessage());
            assertTrue(e.getMessage().contains(range.toString()), e.getMessage());
            assertEquals("ids", e.kernel());
            assertEquals(range, e.range());
        }
        context.release(out);
    }
}
