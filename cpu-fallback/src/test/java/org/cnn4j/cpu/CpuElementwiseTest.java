package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link CpuElementwise} against element-by-element references, contiguous and broadcast, with each kernel:
 * {@link CpuElementwisePlain} and {@code CpuElementwiseVector}; and the two kernels against each other, bit for
 * bit, at every length and offset around the vector width, with NaN, infinities, signed zeros and subnormals.
 */
class CpuElementwiseTest {
    private static final Backend BACKEND = TestData.backend();
    private static final List<TestData.Impl<CpuElementwise>> IMPLS = TestData.impls(CpuElementwise.Kernel.class,
            new CpuElementwisePlain(), "org.cnn4j.cpu.CpuElementwiseVector", CpuElementwise::new);
    private static final CpuElementwise.Kernel PLAIN = new CpuElementwisePlain();
    private static final CpuElementwise.Kernel VECTOR = CpuVectorSupport.load("org.cnn4j.cpu.CpuElementwiseVector",
            CpuElementwise.Kernel.class);

    /** {@code op(x)} as the SPI defines it, in double where {@link Math} has no float version. */
    private static float reference(UnaryOp op, float x) {
        return switch (op) {
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case RELU -> Math.max(x, 0f);
            case SIGMOID -> (float) (1.0 / (1.0 + Math.exp(-(double) x)));
            case TANH -> (float) Math.tanh(x);
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case SQUARE -> x * x;
            case RECIPROCAL -> 1f / x;
        };
    }

    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryMatchesMath(UnaryOp op) {
        int n = 100_001;
        float[] x = TestData.random(1, n + 3);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 20;
        }
        x[3] = Float.NaN;
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            expected[i] = reference(op, x[i + 3]);
        }
        for (TestData.Impl<CpuElementwise> impl : IMPLS) {
            DeviceMemory dx = TestData.upload(BACKEND, x);
            DeviceMemory dy = BACKEND.allocate(n + 1);
            impl.ops().unary(op, n, dx, 3, dy, 1);
            float[] y = TestData.download(BACKEND, dy, n + 1);
            Tolerance.assertClose(impl + " unary " + op, expected, java.util.Arrays.copyOfRange(y, 1, n + 1), 0, 1e-6);

            impl.ops().unary(op, n, dx, 3, dx, 3); // in place
            float[] inPlace = java.util.Arrays.copyOfRange(TestData.download(BACKEND, dx, n + 3), 3, n + 3);
            Tolerance.assertClose(impl + " unary in place " + op, expected, inPlace, 0, 1e-6);
        }
    }

    @Test
    void sigmoidIsStableForLargeMagnitudes() {
        float[] x = {-1000f, -100f, -20f, 0f, 20f, 100f, 1000f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY};
        float[] expected = {0f, (float) Math.exp(-100), (float) (Math.exp(-20) / (1 + Math.exp(-20))), 0.5f,
            (float) (1 / (1 + Math.exp(-20))), 1f, 1f, 0f, 1f};
        for (TestData.Impl<CpuElementwise> impl : IMPLS) {
            DeviceMemory d = TestData.upload(BACKEND, x);
            impl.ops().unary(UnaryOp.SIGMOID, x.length, d, 0, d, 0);
            Tolerance.assertClose(impl + " sigmoid", expected, TestData.download(BACKEND, d, x.length), 0, 1e-6);
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryContiguous(BinaryOp op) {
        int[] dims = {37, 1001};
        StridedLayout l = new StridedLayout(dims, new long[] {1001, 1});
        checkBinary(op, l, l, 11);
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryBroadcastRowColumnAndScalar(BinaryOp op) {
        int[] dims = {33, 65};
        StridedLayout full = new StridedLayout(dims, new long[] {65, 1});
        StridedLayout row = new StridedLayout(dims, new long[] {0, 1});      // b[j]
        StridedLayout column = new StridedLayout(dims, new long[] {1, 0});   // b[i]
        StridedLayout scalar = new StridedLayout(dims, new long[] {0, 0});
        checkBinary(op, full, row, 12);
        checkBinary(op, row, full, 13);
        checkBinary(op, full, column, 14);
        checkBinary(op, column, full, 15);
        checkBinary(op, scalar, full, 16);
        checkBinary(op, column, row, 17);
    }

    @ParameterizedTest
    @EnumSource(value = BinaryOp.class, names = {"ADD", "MUL", "POW"})
    void binaryGeneralStridesRank4(BinaryOp op) {
        int[] dims = {3, 4, 5, 6};
        StridedLayout permuted = new StridedLayout(dims, new long[] {1, 3, 12, 60});      // a transposed source
        StridedLayout broadcast = new StridedLayout(dims, new long[] {0, 6, 0, 1});      // b of shape [1, 4, 1, 6]
        checkBinary(op, permuted, broadcast, 18);
        checkBinary(op, broadcast, permuted, 19);
        int[] big = {70, 3, 257};
        checkBinary(op, new StridedLayout(big, new long[] {3, 1, 210}), new StridedLayout(big, new long[] {1, 0, 70}), 20);
    }

    @Test
    void binaryOutputMayAliasContiguousInput() {
        int n = 50_000;
        StridedLayout l = new StridedLayout(new int[] {n}, new long[] {1});
        StridedLayout s = new StridedLayout(new int[] {n}, new long[] {0});
        float[] a = TestData.random(21, n);
        float[] b = {2f};
        float[] expected = NaiveStrided.binary(BinaryOp.SUB, l, a, 0, s, b, 0);
        for (TestData.Impl<CpuElementwise> impl : IMPLS) {
            DeviceMemory da = TestData.upload(BACKEND, a);
            impl.ops().binary(BinaryOp.SUB, l, da, 0, s, TestData.upload(BACKEND, b), 0, da, 0);
            Tolerance.assertSame(impl + " binary in place", expected, TestData.download(BACKEND, da, n));
            DeviceMemory db = TestData.upload(BACKEND, a);
            impl.ops().binary(BinaryOp.MUL, l, db, 0, l, db, 0, db, 0); // a * a, all three the same range
            Tolerance.assertSame(impl + " binary square in place", NaiveStrided.binary(BinaryOp.MUL, l, a, 0, l, a, 0),
                    TestData.download(BACKEND, db, n));
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void scalarBothOrders(BinaryOp op) {
        int n = 70_001;
        float[] x = TestData.random(22, n);
        float s = 1.75f;
        for (boolean scalarFirst : new boolean[] {false, true}) {
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = scalarFirst ? CpuElementwise.apply(op, s, x[i]) : CpuElementwise.apply(op, x[i], s);
            }
            for (TestData.Impl<CpuElementwise> impl : IMPLS) {
                DeviceMemory dx = TestData.upload(BACKEND, x);
                impl.ops().scalar(op, n, dx, 0, s, scalarFirst, dx, 0);
                Tolerance.assertSame(impl + " scalar " + op + " scalarFirst=" + scalarFirst, expected,
                        TestData.download(BACKEND, dx, n));
            }
        }
        assertEquals(3f, CpuElementwise.apply(BinaryOp.SUB, 5f, 2f), "apply(SUB, 5, 2) is a - b");
    }

    /**
     * The vector kernel equals the plain one bit for bit (NaN payloads aside: two NaNs count as equal) on every
     * length from 0 to a few vectors and every offset in a vector, so that every tail length is run, with special
     * values in both operands.
     */
    @ParameterizedTest
    @EnumSource(UnaryOp.class)
    void unaryKernelsAgreeOnEveryLengthAndOffset(UnaryOp op) {
        float[] x = TestData.withSpecials(31 + op.ordinal(), 120, 5);
        for (int rep = 0; rep < TestData.COMPILE_REPS; rep++) {
            for (int len = 0; len <= 70; len++) {
                for (int off = 0; off < 9; off++) {
                    float[] expected = new float[len + 2];
                    float[] actual = new float[len + 2];
                    PLAIN.unary(op, x, off, expected, 1, len);
                    VECTOR.unary(op, x, off, actual, 1, len);
                    Tolerance.assertSame("unary " + op + " len=" + len + " off=" + off, expected, actual);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BinaryOp.class)
    void binaryAndScalarKernelsAgreeOnEveryLengthAndOffset(BinaryOp op) {
        float[] a = TestData.withSpecials(41 + op.ordinal(), 120, 4);
        float[] b = TestData.withSpecials(51 + op.ordinal(), 120, 4);
        for (int rep = 0; rep < TestData.COMPILE_REPS; rep++) {
            for (int len = 0; len <= 70; len++) {
                for (int off = 0; off < 9; off++) {
                    float[] expected = new float[len + 3];
                    float[] actual = new float[len + 3];
                    PLAIN.binary(op, a, off, b, 8 - off, expected, 2, len);
                    VECTOR.binary(op, a, off, b, 8 - off, actual, 2, len);
                    Tolerance.assertSame("binary " + op + " len=" + len + " off=" + off, expected, actual);
                    for (float s : new float[] {1.75f, -0f, Float.NaN}) {
                        for (boolean first : new boolean[] {false, true}) {
                            PLAIN.scalar(op, a, off, s, first, expected, 1, len);
                            VECTOR.scalar(op, a, off, s, first, actual, 1, len);
                            Tolerance.assertSame("scalar " + op + " s=" + s + " scalarFirst=" + first + " len=" + len
                                    + " off=" + off, expected, actual);
                        }
                    }
                }
            }
        }
    }

    /** Signed zeros, which {@link Tolerance} counts as equal, compared by their bits. */
    @Test
    void signedZerosKeepTheirSign() {
        float[] x = {0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, -0f};
        float[] y = {-0f, -0f, 0f, 0f, -0f, -0f, 0f, 0f, -0f, -0f, 0f, 0f, -0f, -0f, 0f, 0f, 0f};
        for (UnaryOp op : new UnaryOp[] {UnaryOp.NEG, UnaryOp.ABS, UnaryOp.RELU, UnaryOp.SQRT, UnaryOp.SQUARE}) {
            assertBitsEqual("unary " + op, x.length, (k, out) -> k.unary(op, x, 0, out, 0, x.length));
        }
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MAX, BinaryOp.MIN}) {
            assertBitsEqual("binary " + op, x.length, (k, out) -> k.binary(op, x, 0, y, 0, out, 0, x.length));
            assertBitsEqual("scalar " + op, x.length, (k, out) -> k.scalar(op, x, 0, -0f, false, out, 0, x.length));
            assertBitsEqual("scalar first " + op, x.length, (k, out) -> k.scalar(op, x, 0, -0f, true, out, 0, x.length));
        }
    }

    private static void assertBitsEqual(String what, int n, java.util.function.BiConsumer<CpuElementwise.Kernel, float[]> call) {
        float[] expected = new float[n];
        float[] actual = new float[n];
        call.accept(PLAIN, expected);
        call.accept(VECTOR, actual);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    what + ": bits at index " + i + " (plain " + expected[i] + ", vector " + actual[i] + ")");
        }
    }

    /** Runs {@code op} on seeded operands laid out by {@code al} and {@code bl} and compares with {@link NaiveStrided}. */
    private static void checkBinary(BinaryOp op, StridedLayout al, StridedLayout bl, long seed) {
        int aLen = maxPosition(al) + 3;
        int bLen = maxPosition(bl) + 5;
        float[] a = TestData.random(seed, aLen);
        float[] b = TestData.random(seed + 1, bLen);
        if (op == BinaryOp.POW) {
            for (int i = 0; i < aLen; i++) {
                a[i] = Math.abs(a[i]) + 0.1f;
            }
        }
        float[] expected = NaiveStrided.binary(op, al, a, 2, bl, b, 4);
        for (TestData.Impl<CpuElementwise> impl : IMPLS) {
            DeviceMemory out = BACKEND.allocate(expected.length + 1);
            impl.ops().binary(op, al, TestData.upload(BACKEND, a), 2, bl, TestData.upload(BACKEND, b), 4, out, 1);
            float[] actual = java.util.Arrays.copyOfRange(TestData.download(BACKEND, out, expected.length + 1), 1,
                    expected.length + 1);
            Tolerance.assertSame(impl + " binary " + op + " " + al + " " + bl, expected, actual);
        }
    }

    private static int maxPosition(StridedLayout l) {
        long pos = 0;
        for (int d = 0; d < l.rank(); d++) {
            pos += (l.dims()[d] - 1) * l.strides()[d];
        }
        return (int) pos;
    }
}
