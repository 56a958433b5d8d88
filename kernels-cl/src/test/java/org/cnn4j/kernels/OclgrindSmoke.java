package org.cnn4j.kernels;

import org.cnn4j.runtime.testing.NaiveOptimizer;
import java.util.Arrays;
import java.util.List;
import org.cnn4j.runtime.opencl.BinaryCache;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClDevice;
import org.cnn4j.runtime.opencl.ClDevices;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.Philox;
import org.cnn4j.runtime.spi.PoolGeometry;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * Runs every kernel of every {@code .cl} file once, on tiny shapes, and checks the results against the
 * plain-loop references. Meant to run under Oclgrind ({@code .ci/oclgrind-check.sh}), whose checks for
 * data races, uninitialised reads, out-of-bounds accesses and API misuse then cover all of them.
 *
 * <p>Uses the device whose platform or name mentions {@code Oclgrind} if there is one, else device 0.
 * The disk cache is off unless {@code cnn4j.kernelCache} is set. Exit status 0 when every result
 * matches, 1 on a mismatch, 2 when no OpenCL device is found.
 */
public final class OclgrindSmoke {
    private static final List<DeviceMemory> KEPT = new java.util.ArrayList<>();
    private static int failures;

    private OclgrindSmoke() {
    }

    /** @param args ignored */
    public static void main(String[] args) throws Exception {
        if (System.getProperty(BinaryCache.PROPERTY) == null) {
            System.setProperty(BinaryCache.PROPERTY, "none");
        }
        List<ClDevice> devices = ClDevices.enumerate();
        ClDevice device = devices.stream()
                .filter(d -> (d.info().platform() + d.info().name()).toLowerCase(java.util.Locale.ROOT).contains("oclgrind"))
                .findFirst().orElse(devices.get(0));
        System.out.println("OclgrindSmoke on " + device.info().describe());
        long start = System.nanoTime();
        try (OpenClBackend b = new OpenClBackend(ClContext.open(device))) {
            memory(b);
            elementwise(b);
            reductions(b);
            layout(b);
            gemm(b);
            gemmTiled2(b);
            random(b);
            activations(b);
            dropout(b);
            optimizers(b);
            loss(b);
            pooling(b);
            batchNorm(b);
            convolution(b);
            cpuVariants(b);
            b.synchronize();
        }
        System.out.printf("OclgrindSmoke: %s in %.1f s%n", failures == 0 ? "all kernels OK" : failures + " FAILED",
                (System.nanoTime() - start) / 1e9);
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void memory(OpenClBackend b) {
        float[] x = DeviceArrays.random(1, 13, -1f, 1f);
        DeviceMemory d = DeviceArrays.upload(b, x);
        DeviceMemory e = b.allocate(13);
        b.copy(d, 0, e, 0, 13);
        b.fill(e, 2, 3, 7f);
        float[] expected = x.clone();
        Arrays.fill(expected, 2, 5, 7f);
        check("write/copy/fill/read", expected, DeviceArrays.download(b, e, 0, 13), 0, 0);
        release(b, d);
        release(b, e);
    }

    private static void elementwise(OpenClBackend b) {
        int n = 7;
        float[] x = DeviceArrays.random(2, n, 0.1f, 2f);
        DeviceMemory xd = DeviceArrays.upload(b, x);
        DeviceMemory yd = b.allocate(n);
        for (UnaryOp op : UnaryOp.values()) {
            b.unary(op, n, xd, 0, yd, 0);
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = NaiveElementwise.unary(op, x[i]);
            }
            check("unary " + op, expected, DeviceArrays.download(b, yd, 0, n), 1e-6, 4e-6);
        }
        StridedLayout flat = new StridedLayout(new int[] {n}, new long[] {1});
        for (BinaryOp op : BinaryOp.values()) {
            for (boolean first : new boolean[] {false, true}) {
                b.scalar(op, n, xd, 0, 1.5f, first, yd, 0);
                float[] expected = new float[n];
                for (int i = 0; i < n; i++) {
                    expected[i] = first ? NaiveElementwise.binary(op, 1.5f, x[i]) : NaiveElementwise.binary(op, x[i], 1.5f);
                }
                check("scalar " + op + (first ? " s op x" : " x op s"), expected, DeviceArrays.download(b, yd, 0, n), 1e-6, 4e-6);
            }
            b.binary(op, flat, xd, 0, flat, xd, 0, yd, 0);
            check("binary contiguous " + op, NaiveElementwise.binary(op, flat, x, 0, flat, x, 0),
                    DeviceArrays.download(b, yd, 0, n), 1e-6, 4e-6);
        }
        release(b, xd);
        release(b, yd);

        StridedLayout aL = new StridedLayout(new int[] {3, 5}, new long[] {1, 3});
        StridedLayout bL = new StridedLayout(new int[] {3, 5}, new long[] {0, 1});
        float[] a = DeviceArrays.random(3, 15, -1f, 1f);
        float[] c = DeviceArrays.random(4, 5, -1f, 1f);
        DeviceMemory ad = DeviceArrays.upload(b, a);
        DeviceMemory cd = DeviceArrays.upload(b, c);
        DeviceMemory out = b.allocate(15);
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX, BinaryOp.MIN}) {
            b.binary(op, aL, ad, 0, bL, cd, 0, out, 0);
            check("binary strided " + op, NaiveElementwise.binary(op, aL, a, 0, bL, c, 0), DeviceArrays.download(b, out, 0, 15),
                    1e-6, 4e-6);
        }
        release(b, ad);
        release(b, cd);
        release(b, out);
    }

    private static void reductions(OpenClBackend b) {
        // Every plan: serial and tree kernels, unsplit and split into 3 segments (pass 2 and argmax_merge).
        ClReduction reduction = new ClReduction(b.context());
        for (int[] s : new int[][] {{2, 3, 4}, {2, 300, 1}}) {
            int n = s[0] * s[1] * s[2];
            int outputs = s[0] * s[2];
            float[] x = DeviceArrays.random(n, n, -1f, 1f);
            ClBuffer xd = (ClBuffer) DeviceArrays.upload(b, x);
            ClBuffer yd = (ClBuffer) b.allocate(outputs);
            for (ClReduction.Variant variant : ClReduction.Variant.values()) {
                for (int segments : new int[] {1, 3}) {
                    ClReduction.Plan plan = new ClReduction.Plan(variant, segments);
                    String what = Arrays.toString(s) + " " + plan;
                    for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MEAN, ReduceOp.MAX}) {
                        reduction.reduce(op, s[0], s[1], s[2], xd, 0, yd, 0, plan);
                        check("reduce " + op + " " + what, NaiveReduction.reduce(op, s[0], s[1], s[2], x),
                                DeviceArrays.download(b, yd, 0, outputs), 1e-5, 1e-5);
                    }
                    reduction.argmax(s[0], s[1], s[2], xd, 0, yd, 0, plan);
                    check("argmax " + what, NaiveReduction.argmax(s[0], s[1], s[2], x),
                            DeviceArrays.download(b, yd, 0, outputs), 0, 0);
                }
            }
            release(b, xd);
            release(b, yd);
        }
    }

    private static void layout(OpenClBackend b) {
        StridedLayout transpose = new StridedLayout(new int[] {4, 3}, new long[] {1, 4});
        float[] src = DeviceArrays.random(5, 12, -1f, 1f);
        float[] expected = new float[12];
        for (int i = 0; i < 12; i++) {
            expected[i] = src[(int) NaiveElementwise.offset(transpose, i)];
        }
        DeviceMemory sd = DeviceArrays.upload(b, src);
        DeviceMemory dd = b.allocate(12);
        b.stridedCopy(transpose, sd, 0, dd, 0);
        check("stridedCopy", expected, DeviceArrays.download(b, dd, 0, 12), 0, 0);
        release(b, sd);
        release(b, dd);
    }

    private static void gemm(OpenClBackend b) {
        int m = 5;
        int n = 6;
        int k = 7;
        float[] a = DeviceArrays.random(6, k * m, -1f, 1f);    // stored transposed: k x m
        float[] bm = DeviceArrays.random(7, k * n, -1f, 1f);   // k x n
        float[] c = DeviceArrays.random(8, m * n, -1f, 1f);
        DeviceMemory ad = DeviceArrays.upload(b, a);
        DeviceMemory bd = DeviceArrays.upload(b, bm);
        float[] expected = c.clone();
        NaiveGemm.gemm(true, false, m, n, k, 1.5f, a, 0, m, 0, bm, 0, n, 0, 0.5f, expected, 0, n, 0, 1);
        for (ClGemm.Variant variant : ClGemm.Variant.values()) {
            DeviceMemory cd = DeviceArrays.upload(b, c);
            new ClGemm(b.context(), variant).gemm(true, false, m, n, k, 1.5f, (ClBuffer) ad, 0, m, 0, (ClBuffer) bd, 0, n, 0,
                    0.5f, (ClBuffer) cd, 0, n, 0, 1);
            check("gemm " + variant, expected, DeviceArrays.download(b, cd, 0, m * n), 1e-5, 1e-5);
            release(b, cd);
        }
        // an interior register block (16 x 16 is one full block per work-item row group) with beta = 0
        int sq = 16;
        float[] x = DeviceArrays.random(9, sq * sq, -1f, 1f);
        DeviceMemory xd = DeviceArrays.upload(b, x);
        DeviceMemory yd = b.allocate(sq * sq);
        float[] square = new float[sq * sq];
        NaiveGemm.gemm(false, false, sq, sq, sq, 1f, x, 0, sq, 0, x, 0, sq, 0, 0f, square, 0, sq, 0, 1);
        for (ClGemm.Variant variant : ClGemm.Variant.values()) {
            new ClGemm(b.context(), variant).gemm(false, false, sq, sq, sq, 1f, (ClBuffer) xd, 0, sq, 0, (ClBuffer) xd, 0, sq, 0,
                    0f, (ClBuffer) yd, 0, sq, 0, 1);
            check("gemm " + variant + " 16x16x16", square, DeviceArrays.download(b, yd, 0, sq * sq), 1e-5, 1e-5);
        }
        release(b, xd);
        release(b, yd);
        release(b, ad);
        release(b, bd);
    }

    /** gemm_tiled2 at every shape that fits, on a product with partial tiles and several k steps, each transposition. */
    private static void gemmTiled2(OpenClBackend b) {
        int m = 40;
        int n = 33;
        int k = 37;
        ClGemm any = new ClGemm(b.context(), ClGemm.Variant.TILED2);
        for (ClGemm.Config config : any.candidates()) {
            if (config.variant() != ClGemm.Variant.TILED2 || config.x() > 64) {
                continue;           // 128-wide tiles: the same code, 4x the simulation time
            }
            for (int trans = 0; trans < 4; trans++) {
                boolean ta = trans >= 2;
                boolean tb = (trans & 1) != 0;
                float[] a = DeviceArrays.random(70 + trans, m * k, -1f, 1f);
                float[] bm = DeviceArrays.random(80 + trans, k * n, -1f, 1f);
                float[] c = DeviceArrays.random(90 + trans, m * n, -1f, 1f);
                float[] expected = c.clone();
                NaiveGemm.gemm(ta, tb, m, n, k, 1.5f, a, 0, ta ? m : k, 0, bm, 0, tb ? k : n, 0, 0.5f, expected, 0, n, 0, 1);
                DeviceMemory ad = DeviceArrays.upload(b, a);
                DeviceMemory bd = DeviceArrays.upload(b, bm);
                DeviceMemory cd = DeviceArrays.upload(b, c);
                TuningStore pinned = new TuningStore(null);
                pinned.put(ClGemm.shapeKey(ta, tb, m, n, k, 1), config.id());
                new ClGemm(b.context(), ClGemm.Variant.TILED2, pinned).gemm(ta, tb, m, n, k, 1.5f, (ClBuffer) ad, 0, ta ? m : k, 0,
                        (ClBuffer) bd, 0, tb ? k : n, 0, 0.5f, (ClBuffer) cd, 0, n, 0, 1);
                check("gemm_tiled2 " + config.id() + " trans " + trans, expected, DeviceArrays.download(b, cd, 0, m * n), 1e-5, 1e-5);
                release(b, ad);
                release(b, bd);
                release(b, cd);
            }
        }
    }

    private static void random(OpenClBackend b) {
        int n = 7;
        DeviceMemory y = b.allocate(n);
        float[] expected = new float[n];
        b.uniform(n, 11, 3, 0f, 1f, y, 0);
        for (int i = 0; i < n; i++) {
            expected[i] = Philox.uniform(Philox.blockFor(11, 3, i)[i % 4]);
        }
        check("uniform", expected, DeviceArrays.download(b, y, 0, n), 0, 0);
        b.bernoulli(n, 11, 3, 0.5f, y, 0);
        for (int i = 0; i < n; i++) {
            expected[i] = Philox.uniform(Philox.blockFor(11, 3, i)[i % 4]) < 0.5f ? 1f : 0f;
        }
        check("bernoulli", expected, DeviceArrays.download(b, y, 0, n), 0, 0);
        b.normal(n, 11, 3, 0f, 1f, y, 0);
        for (int i = 0; i < n; i++) {
            expected[i] = Philox.normal(Philox.blockFor(11, 3, i), i % 4);
        }
        check("normal", expected, DeviceArrays.download(b, y, 0, n), 1e-5, 1e-5);
        release(b, y);
    }

    private static void activations(OpenClBackend b) {
        int n = 7;
        float[] x = DeviceArrays.random(20, n, -2f, 2f);
        float[] dy = DeviceArrays.random(21, n, -1f, 1f);
        DeviceMemory xd = DeviceArrays.upload(b, x);
        DeviceMemory yd = b.allocate(n);
        DeviceMemory dyd = DeviceArrays.upload(b, dy);
        DeviceMemory dxd = b.allocate(n);
        for (Activation f : Activation.values()) {
            float a = f == Activation.ELU ? 1f : 0.1f;
            float[] y = new float[n];
            float[] dx = new float[n];
            for (int i = 0; i < n; i++) {
                double yi = NaiveCnn.act(f, a, x[i]);
                y[i] = (float) yi;
                dx[i] = (float) NaiveCnn.actGrad(f, a, x[i], yi, dy[i]);
            }
            b.activation(f, a, n, xd, 0, yd, 0);
            check("activation " + f, y, DeviceArrays.download(b, yd, 0, n), 1e-6, 1e-5);
            b.activationBackward(f, a, n, xd, 0, yd, 0, dyd, 0, dxd, 0);
            check("activationBackward " + f, dx, DeviceArrays.download(b, dxd, 0, n), 1e-6, 1e-5);
        }
        release(b, xd);
        release(b, yd);
        release(b, dyd);
        release(b, dxd);
    }

    private static void dropout(OpenClBackend b) {
        int n = 11;
        float[] x = DeviceArrays.random(22, n, 1f, 2f);
        DeviceMemory xd = DeviceArrays.upload(b, x);
        DeviceMemory yd = b.allocate(n);
        for (long group : new long[] {1, 3}) {
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = NaiveCnn.keep(i, group, 0.4f, 5, 2) ? x[i] / (1f - 0.4f) : 0f;
            }
            b.dropout(n, group, 0.4f, 5, 2, xd, 0, yd, 0);
            check("dropout group " + group, expected, DeviceArrays.download(b, yd, 0, n), 0, 0);
        }
        release(b, xd);
        release(b, yd);
    }

    private static void optimizers(OpenClBackend b) {
        // every compiled variant, two steps each (SGD's first step, then momentum), at offsets, unused buffers null
        int n = 7;
        float[] g = DeviceArrays.random(40, n, -1f, 1f);
        float[] p0 = DeviceArrays.random(41, n, -1f, 1f);
        DeviceMemory gd = upload(b, g, 2);
        for (int variant = 0; variant < 4; variant++) {
            boolean x = (variant & 1) != 0;
            boolean y = (variant & 2) != 0;
            // SGD: x = momentum, y = nesterov (only with momentum)
            float momentum = x ? 0.9f : 0f;
            boolean nesterov = x && y;
            double[][] ref = {widen(p0), new double[n], new double[n], new double[n]};
            DeviceMemory[] st = {upload(b, p0, 1), upload(b, new float[n], 3), upload(b, new float[n], 1), upload(b, new float[n], 2)};
            for (int step = 1; step <= 2; step++) {
                b.sgdStep(n, 0.1f, momentum, 0.1f, 0.01f, nesterov, step == 1, st[0], 1, gd, 2, x ? st[1] : null, 3);
                NaiveOptimizer.sgd(0.1f, momentum, 0.1f, 0.01f, nesterov, step == 1, ref[0], g, ref[1]);
            }
            checkState(b, "sgd momentum=" + momentum + " nesterov=" + nesterov, ref, st, new long[] {1, 3}, x ? 2 : 1, n);
            // RMSProp: x = centered, y = momentum
            ref = new double[][] {widen(p0), new double[n], new double[n], new double[n]};
            st = new DeviceMemory[] {upload(b, p0, 1), upload(b, new float[n], 3), upload(b, new float[n], 1), upload(b, new float[n], 2)};
            float rmsMomentum = y ? 0.9f : 0f;
            for (int step = 1; step <= 2; step++) {
                b.rmspropStep(n, 0.01f, 0.99f, 1e-8f, 0.01f, rmsMomentum, x, st[0], 1, gd, 2, st[1], 3, x ? st[2] : null, 1,
                        y ? st[3] : null, 2);
                NaiveOptimizer.rmsprop(0.01f, 0.99f, 1e-8f, 0.01f, rmsMomentum, x, ref[0], g, ref[1], ref[2], ref[3]);
            }
            checkState(b, "rmsprop centered=" + x + " momentum=" + rmsMomentum, ref, st, new long[] {1, 3, 1, 2}, 2, n);
            if (x) {
                checkOne(b, "rmsprop centered=true momentum=" + rmsMomentum + " avg", ref[2], st[2], 1, n);
            }
            if (y) {
                checkOne(b, "rmsprop centered=" + x + " momentum=" + rmsMomentum + " buf", ref[3], st[3], 2, n);
            }
            // Adam: x = decoupled (AdamW), y = amsgrad
            ref = new double[][] {widen(p0), new double[n], new double[n], new double[n]};
            st = new DeviceMemory[] {upload(b, p0, 1), upload(b, new float[n], 3), upload(b, new float[n], 1), upload(b, new float[n], 2)};
            for (int step = 1; step <= 2; step++) {
                float bc1 = (float) (1 - Math.pow(0.9, step));
                float bc2 = (float) (1 - Math.pow(0.999, step));
                b.adamStep(n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, x, y, bc1, bc2, st[0], 1, gd, 2, st[1], 3, st[2], 1,
                        y ? st[3] : null, 2);
                NaiveOptimizer.adam(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, x, y, bc1, bc2, ref[0], g, ref[1], ref[2], ref[3]);
            }
            checkState(b, (x ? "adamw" : "adam") + " amsgrad=" + y, ref, st, new long[] {1, 3, 1, 2}, y ? 4 : 3, n);
        }
        double[][] ref = {widen(p0), new double[n]};
        DeviceMemory[] st = {upload(b, p0, 1), upload(b, new float[n], 3)};
        for (int step = 1; step <= 2; step++) {
            b.adagradStep(n, 0.1f, 0.01f, 1e-10f, st[0], 1, gd, 2, st[1], 3);
            NaiveOptimizer.adagrad(0.1f, 0.01f, 1e-10f, ref[0], g, ref[1]);
        }
        checkState(b, "adagrad", ref, st, new long[] {1, 3}, 2, n);
        release(b, gd);
    }

    /** Compares the first {@code count} buffers with their references; every buffer is then kept (see release). */
    private static void checkState(OpenClBackend b, String what, double[][] ref, DeviceMemory[] st, long[] off, int count, int n) {
        for (int k = 0; k < count; k++) {
            checkOne(b, what + (k == 0 ? " p" : " state " + k), ref[k], st[k], off[k], n);
        }
        for (DeviceMemory d : st) {
            release(b, d);
        }
    }

    private static void checkOne(OpenClBackend b, String what, double[] ref, DeviceMemory m, long off, int n) {
        float[] e = new float[n];
        for (int i = 0; i < n; i++) {
            e[i] = (float) ref[i];
        }
        check(what, e, DeviceArrays.download(b, m, off, n), 1e-6, 1e-5);
    }

    /**
     * Device memory of {@code off + x.length} elements holding {@code x} at {@code off}, zeros before it, written
     * whole from element 0: Oclgrind 21.10's uninitialised-value plugin does not mark a clEnqueueWriteBuffer at a
     * nonzero offset as initialised, so a kernel reading what it wrote is misreported.
     */
    private static DeviceMemory upload(OpenClBackend b, float[] x, int off) {
        float[] padded = new float[off + x.length];
        System.arraycopy(x, 0, padded, off, x.length);
        return DeviceArrays.upload(b, padded);
    }

    private static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    private static void loss(OpenClBackend b) {
        int rows = 3;
        int classes = 5;
        int n = rows * classes;
        float[] x = DeviceArrays.random(23, n, -3f, 3f);
        float[] dy = DeviceArrays.random(24, n, -1f, 1f);
        float[] t = {1f, 4f, 7f};                       // the last target is out of range: NaN row
        DeviceMemory xd = DeviceArrays.upload(b, x);
        DeviceMemory dyd = DeviceArrays.upload(b, dy);
        DeviceMemory td = DeviceArrays.upload(b, t);
        DeviceMemory sd = DeviceArrays.upload(b, new float[] {0.5f});
        DeviceMemory yd = b.allocate(n);
        DeviceMemory dxd = b.allocate(n);
        DeviceMemory ld = b.allocate(rows);
        for (boolean log : new boolean[] {false, true}) {
            b.softmax(log, rows, classes, xd, 0, yd, 0);
            float[] y = DeviceArrays.download(b, yd, 0, n);
            check("softmax log=" + log, NaiveCnn.softmax(log, rows, classes, x), y, 1e-6, 1e-5);
            b.softmaxBackward(log, rows, classes, yd, 0, dyd, 0, dxd, 0);
            check("softmaxBackward log=" + log, NaiveCnn.softmaxBackward(log, rows, classes, y, dy),
                    DeviceArrays.download(b, dxd, 0, n), 1e-6, 1e-5);
        }
        b.crossEntropy(rows, classes, 0.1f, xd, 0, td, 0, ld, 0);
        check("crossEntropy", NaiveCnn.crossEntropy(rows, classes, 0.1f, x, t), DeviceArrays.download(b, ld, 0, rows), 1e-6, 1e-5);
        b.crossEntropyBackward(rows, classes, 0.1f, xd, 0, td, 0, sd, 0, dxd, 0);
        check("crossEntropyBackward", NaiveCnn.crossEntropyBackward(rows, classes, 0.1f, x, t, 0.5f),
                DeviceArrays.download(b, dxd, 0, n), 1e-6, 1e-5);
        for (DeviceMemory d : new DeviceMemory[] {xd, dyd, td, sd, yd, dxd, ld}) {
            release(b, d);
        }
    }

    private static void pooling(OpenClBackend b) {
        // 2-D with padding and ceil mode, and 3-D
        for (PoolGeometry g : new PoolGeometry[] {
            new PoolGeometry(2, 1, 5, 6, 1, 3, 3, 1, 2, 2, 0, 1, 1, 1, 3, 4),
            new PoolGeometry(1, 3, 4, 4, 2, 2, 2, 1, 2, 2, 0, 0, 0, 2, 2, 2)}) {
            int n = (int) g.inputSize();
            int m = (int) g.outputSize();
            float[] x = DeviceArrays.random(25, n, -2f, 2f);
            float[] dy = DeviceArrays.random(26, m, -1f, 1f);
            DeviceMemory xd = DeviceArrays.upload(b, x);
            DeviceMemory dyd = DeviceArrays.upload(b, dy);
            DeviceMemory yd = b.allocate(m);
            DeviceMemory ad = b.allocate(m);
            DeviceMemory dxd = b.allocate(n);
            float[][] ref = NaiveCnn.maxPool(g, x);
            b.maxPoolForward(g, xd, 0, yd, 0, ad, 0);
            check("maxPool " + g, ref[0], DeviceArrays.download(b, yd, 0, m), 0, 0);
            b.maxPoolBackward(g, dyd, 0, ad, 0, dxd, 0);
            check("maxPoolBackward " + g, NaiveCnn.maxPoolBackward(g, dy, ref[1]), DeviceArrays.download(b, dxd, 0, n), 1e-6, 1e-6);
            for (boolean pad : new boolean[] {true, false}) {
                b.avgPoolForward(g, pad, xd, 0, yd, 0);
                check("avgPool pad=" + pad, NaiveCnn.avgPool(g, pad, x, null), DeviceArrays.download(b, yd, 0, m), 1e-6, 1e-5);
                b.avgPoolBackward(g, pad, dyd, 0, dxd, 0);
                check("avgPoolBackward pad=" + pad, NaiveCnn.avgPool(g, pad, null, dy), DeviceArrays.download(b, dxd, 0, n),
                        1e-6, 1e-5);
            }
            b.adaptiveAvgPoolForward(g, xd, 0, yd, 0);
            check("adaptiveAvgPool", NaiveCnn.adaptiveAvgPool(g, x, null), DeviceArrays.download(b, yd, 0, m), 1e-6, 1e-5);
            b.adaptiveAvgPoolBackward(g, dyd, 0, dxd, 0);
            check("adaptiveAvgPoolBackward", NaiveCnn.adaptiveAvgPool(g, null, dy), DeviceArrays.download(b, dxd, 0, n), 1e-6, 1e-5);
            for (DeviceMemory d : new DeviceMemory[] {xd, dyd, yd, ad, dxd}) {
                release(b, d);
            }
        }
    }

    private static void batchNorm(OpenClBackend b) {
        int n = 3;
        int c = 2;
        int sp = 5;
        int size = n * c * sp;
        float[] x = DeviceArrays.random(27, size, -1f, 3f);
        float[] dy = DeviceArrays.random(28, size, -1f, 1f);
        float[] gamma = {0.5f, 1.5f};
        float[] beta = {0.1f, -0.2f};
        DeviceMemory xd = DeviceArrays.upload(b, x);
        DeviceMemory dyd = DeviceArrays.upload(b, dy);
        DeviceMemory gd = DeviceArrays.upload(b, gamma);
        DeviceMemory bd = DeviceArrays.upload(b, beta);
        DeviceMemory yd = b.allocate(size);
        DeviceMemory dxd = b.allocate(size);
        DeviceMemory dgd = b.allocate(c);
        DeviceMemory dbd = b.allocate(c);
        // one segment (direct), and three segments with the finalize pass
        for (int segments : new int[] {1, 3}) {
            ClNorm norm = new ClNorm(b.context(), segments);
            DeviceMemory mean = b.allocate(c);
            DeviceMemory var = b.allocate(c);
            norm.statistics(n, c, sp, (ClBuffer) xd, 0, (ClBuffer) mean, 0, (ClBuffer) var, 0);
            double[][] st = NaiveCnn.bnStats(n, c, sp, x);
            float[] m = DeviceArrays.download(b, mean, 0, c);
            float[] v = DeviceArrays.download(b, var, 0, c);
            check("batchNorm mean, segments " + segments, NaiveCnn.toFloat(st[0]), m, 1e-6, 1e-5);
            check("batchNorm var, segments " + segments, NaiveCnn.toFloat(st[1]), v, 1e-6, 1e-5);
            norm.forward(n, c, sp, 1e-5f, (ClBuffer) xd, 0, (ClBuffer) mean, 0, (ClBuffer) var, 0, (ClBuffer) gd, 0,
                    (ClBuffer) bd, 0, (ClBuffer) yd, 0);
            check("batchNorm forward", NaiveCnn.bnForward(n, c, sp, 1e-5, x, m, v, gamma, beta), DeviceArrays.download(b, yd, 0, size),
                    1e-5, 1e-5);
            norm.backward(n, c, sp, 1e-5f, (ClBuffer) xd, 0, (ClBuffer) dyd, 0, (ClBuffer) mean, 0, (ClBuffer) var, 0,
                    (ClBuffer) gd, 0, (ClBuffer) dxd, 0, (ClBuffer) dgd, 0, (ClBuffer) dbd, 0);
            float[][] ref = NaiveCnn.bnBackward(n, c, sp, 1e-5, x, dy, m, v, gamma);
            check("batchNorm dx, segments " + segments, ref[0], DeviceArrays.download(b, dxd, 0, size), 1e-5, 1e-4);
            check("batchNorm dgamma", ref[1], DeviceArrays.download(b, dgd, 0, c), 1e-5, 1e-4);
            check("batchNorm dbeta", ref[2], DeviceArrays.download(b, dbd, 0, c), 1e-5, 1e-4);
            // dx written over dy, as batch norm + ReLU's backward runs it
            ClBuffer inPlace = (ClBuffer) DeviceArrays.upload(b, dy);
            norm.backward(n, c, sp, 1e-5f, (ClBuffer) xd, 0, inPlace, 0, (ClBuffer) mean, 0, (ClBuffer) var, 0,
                    (ClBuffer) gd, 0, inPlace, 0, null, 0, null, 0);
            check("batchNorm dx over dy, segments " + segments, ref[0], DeviceArrays.download(b, inPlace, 0, size), 1e-5, 1e-4);
            release(b, inPlace);
            release(b, mean);
            release(b, var);
        }
        for (DeviceMemory d : new DeviceMemory[] {xd, dyd, gd, bd, yd, dxd, dgd, dbd}) {
            release(b, d);
        }
    }

    private static void convolution(OpenClBackend b) {
        // blocked where a block divides (K 4, C 2 per group), direct for depthwise; stride 2, dilation 2, 3-D
        for (ConvGeometry g : new ConvGeometry[] {
            NaiveCnn.conv(2, 4, 1, 5, 6, 4, 1, 3, 3, 1, 2, 1, 0, 1, 1, 1, 1, 2, 2),
            NaiveCnn.conv(1, 3, 1, 5, 5, 3, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 3),
            NaiveCnn.conv(1, 2, 3, 4, 4, 2, 2, 2, 2, 1, 2, 1, 1, 0, 1, 1, 1, 1, 1)}) {
            int nx = (int) g.inputSize();
            int nw = (int) g.weightSize();
            int ny = (int) g.outputSize();
            float[] x = DeviceArrays.random(29, nx, -1f, 1f);
            float[] w = DeviceArrays.random(30, nw, -1f, 1f);
            float[] bias = DeviceArrays.random(31, g.outChannels(), -1f, 1f);
            float[] dy = DeviceArrays.random(32, ny, -1f, 1f);
            ClBuffer xd = (ClBuffer) DeviceArrays.upload(b, x);
            ClBuffer wd = (ClBuffer) DeviceArrays.upload(b, w);
            ClBuffer bd = (ClBuffer) DeviceArrays.upload(b, bias);
            ClBuffer dyd = (ClBuffer) DeviceArrays.upload(b, dy);
            ClBuffer yd = (ClBuffer) b.allocate(ny);
            ClBuffer dxd = (ClBuffer) b.allocate(nx);
            ClBuffer dwd = (ClBuffer) b.allocate(nw);
            for (ClConv.Variant variant : ClConv.Variant.values()) {
                ClConv conv = new ClConv(b.context(), variant);
                String what = variant + " " + g;
                conv.forward(g, xd, 0, wd, 0, bd, 0, yd, 0);
                check("conv forward " + what, NaiveCnn.convForward(g, x, w, bias), DeviceArrays.download(b, yd, 0, ny), 1e-5, 1e-5);
                conv.backwardInput(g, dyd, 0, wd, 0, dxd, 0);
                check("conv backwardInput " + what, NaiveCnn.convBackwardInput(g, dy, w), DeviceArrays.download(b, dxd, 0, nx),
                        1e-5, 1e-5);
                conv.backwardWeight(g, xd, 0, dyd, 0, dwd, 0);
                check("conv backwardWeight " + what, NaiveCnn.convBackwardWeight(g, x, dy), DeviceArrays.download(b, dwd, 0, nw),
                        1e-5, 1e-5);
            }
            for (DeviceMemory d : new DeviceMemory[] {xd, wd, bd, dyd, yd, dxd, dwd}) {
                release(b, d);
            }
        }
    }

    /**
     * Keeps the buffer until the backend closes instead of releasing it now. Oclgrind 21.10's
     * uninitialised-value plugin loses track of a buffer allocated at the address of a released one:
     * kernels reading data that an earlier kernel wrote into it are reported as reading uninitialised
     * memory (even with the queue drained before the release). Nothing is reused, so nothing is misreported.
     */
    /** Vector widths the CPU-device kernels are compiled for (the device's preferred float width picks one). */
    private static final int[] WIDTHS = {4, 8, 16};

    /**
     * The CPU-device variants (Oclgrind reports a GPU, so the launchers would not choose them): conv row kernels,
     * max-pool tiles, batch-norm row kernels, element-wise dropout, gemm_dot, each at every vector width, on shapes
     * that reach their vector paths, tails and edges.
     */
    private static void cpuVariants(OpenClBackend b) {
        // gemm_dot: A B^T with k = 2 vectors of 16 plus a tail, edge rows and columns
        int m = 5;
        int n = 6;
        int k = 37;
        float[] a = DeviceArrays.random(50, m * k, -1f, 1f);
        float[] bt = DeviceArrays.random(51, n * k, -1f, 1f);
        float[] c = DeviceArrays.random(52, m * n, -1f, 1f);
        float[] expected = c.clone();
        NaiveGemm.gemm(false, true, m, n, k, 1.5f, a, 0, k, 0, bt, 0, k, 0, 0.5f, expected, 0, n, 0, 1);
        DeviceMemory ad = DeviceArrays.upload(b, a);
        DeviceMemory bd = DeviceArrays.upload(b, bt);
        for (int vw : WIDTHS) {
            DeviceMemory cd = DeviceArrays.upload(b, c);
            new ClGemm(b.context(), ClGemm.Variant.DOT, vw).gemm(false, true, m, n, k, 1.5f, (ClBuffer) ad, 0, k, 0, (ClBuffer) bd,
                    0, k, 0, 0.5f, (ClBuffer) cd, 0, n, 0, 1);
            check("gemm_dot VW=" + vw, expected, DeviceArrays.download(b, cd, 0, m * n), 1e-5, 1e-5);
            release(b, cd);
        }
        release(b, ad);
        release(b, bd);

        // dropout: every element-wise variant, two full lanes work-items and a tail
        int nd = 131;
        float[] x = DeviceArrays.random(53, nd, 1f, 2f);
        float[] kept = new float[nd];
        for (int i = 0; i < nd; i++) {
            kept[i] = NaiveCnn.keep(i, 1, 0.3f, 9, 4) ? x[i] / (1f - 0.3f) : 0f;
        }
        DeviceMemory xd = DeviceArrays.upload(b, x);
        for (ClDropout.Variant v : ClDropout.Variant.values()) {
            DeviceMemory yd = b.allocate(nd);
            new ClDropout(b.context(), v).dropout(nd, 1, 0.3f, 9, 4, (ClBuffer) xd, 0, (ClBuffer) yd, 0);
            check("dropout " + v, kept, DeviceArrays.download(b, yd, 0, nd), 0, 0);
            release(b, yd);
        }
        release(b, xd);

        // max-pool tiles: 2x2 with float16 chunks (OW 18: 8, 8, then the scalar tail), and 3x2 with left-over rows/columns
        ClPool tiles = new ClPool(b.context(), true);
        for (PoolGeometry g : new PoolGeometry[] {
            new PoolGeometry(2, 1, 4, 36, 1, 2, 2, 1, 2, 2, 0, 0, 0, 1, 2, 18),
            new PoolGeometry(2, 1, 7, 9, 1, 3, 2, 1, 3, 2, 0, 0, 0, 1, 2, 4)}) {
            int ni = (int) g.inputSize();
            int no = (int) g.outputSize();
            float[] px = DeviceArrays.random(54, ni, -2f, 2f);
            px[3] = Float.NaN;
            float[] pdy = DeviceArrays.random(55, no, -1f, 1f);
            float[][] ref = NaiveCnn.maxPool(g, px);
            ClBuffer pxd = (ClBuffer) DeviceArrays.upload(b, px);
            ClBuffer pdyd = (ClBuffer) DeviceArrays.upload(b, pdy);
            ClBuffer pyd = (ClBuffer) b.allocate(no);
            ClBuffer pad = (ClBuffer) b.allocate(no);
            ClBuffer pdxd = (ClBuffer) b.allocate(ni);
            tiles.maxForward(g, pxd, 0, pyd, 0, pad, 0);
            check("maxpool tiles " + g, ref[0], DeviceArrays.download(b, pyd, 0, no), 0, 0);
            check("maxpool tiles argmax", ref[1], DeviceArrays.download(b, pad, 0, no), 0, 0);
            tiles.maxBackward(g, pdyd, 0, pad, 0, pdxd, 0);
            check("maxpool tiles backward", NaiveCnn.maxPoolBackward(g, pdy, ref[1]), DeviceArrays.download(b, pdxd, 0, ni), 0, 0);
            for (DeviceMemory d : new DeviceMemory[] {pxd, pdyd, pyd, pad, pdxd}) {
                release(b, d);
            }
        }

        // batch-norm row kernels: spatial 70 (one 4-vector step, vectors, a tail), one and two parts
        int bn = 3;
        int bc = 2;
        int sp = 70;
        int size = bn * bc * sp;
        float[] bx = DeviceArrays.random(56, size, -1f, 3f);
        float[] bdy = DeviceArrays.random(57, size, -1f, 1f);
        float[] gamma = {0.5f, 1.5f};
        float[] beta = {0.1f, -0.2f};
        ClBuffer bxd = (ClBuffer) DeviceArrays.upload(b, bx);
        ClBuffer bdyd = (ClBuffer) DeviceArrays.upload(b, bdy);
        ClBuffer gd = (ClBuffer) DeviceArrays.upload(b, gamma);
        ClBuffer bed = (ClBuffer) DeviceArrays.upload(b, beta);
        for (int vw : WIDTHS) {
            for (int parts : new int[] {1, 2}) {
                ClNorm norm = new ClNorm(b.context(), parts, true, vw);
                ClBuffer mean = (ClBuffer) b.allocate(bc);
                ClBuffer var = (ClBuffer) b.allocate(bc);
                ClBuffer yd = (ClBuffer) b.allocate(size);
                ClBuffer dxd = (ClBuffer) b.allocate(size);
                ClBuffer dgd = (ClBuffer) b.allocate(bc);
                ClBuffer dbd = (ClBuffer) b.allocate(bc);
                String what = "batchNorm rows VW=" + vw + " parts " + parts;
                norm.statistics(bn, bc, sp, bxd, 0, mean, 0, var, 0);
                double[][] st = NaiveCnn.bnStats(bn, bc, sp, bx);
                float[] mv = DeviceArrays.download(b, mean, 0, bc);
                float[] vv = DeviceArrays.download(b, var, 0, bc);
                check(what + " mean", NaiveCnn.toFloat(st[0]), mv, 1e-6, 1e-5);
                check(what + " var", NaiveCnn.toFloat(st[1]), vv, 1e-6, 1e-5);
                norm.forward(bn, bc, sp, 1e-5f, bxd, 0, mean, 0, var, 0, gd, 0, bed, 0, yd, 0);
                check(what + " forward", NaiveCnn.bnForward(bn, bc, sp, 1e-5, bx, mv, vv, gamma, beta), DeviceArrays.download(b, yd, 0, size),
                        1e-5, 1e-5);
                norm.backward(bn, bc, sp, 1e-5f, bxd, 0, bdyd, 0, mean, 0, var, 0, gd, 0, dxd, 0, dgd, 0, dbd, 0);
                float[][] ref = NaiveCnn.bnBackward(bn, bc, sp, 1e-5, bx, bdy, mv, vv, gamma);
                check(what + " dx", ref[0], DeviceArrays.download(b, dxd, 0, size), 1e-5, 1e-4);
                check(what + " dgamma", ref[1], DeviceArrays.download(b, dgd, 0, bc), 1e-5, 1e-4);
                check(what + " dbeta", ref[2], DeviceArrays.download(b, dbd, 0, bc), 1e-5, 1e-4);
                ClBuffer inPlace = (ClBuffer) DeviceArrays.upload(b, bdy);
                norm.backward(bn, bc, sp, 1e-5f, bxd, 0, inPlace, 0, mean, 0, var, 0, gd, 0, inPlace, 0, null, 0, null, 0);
                check(what + " dx over dy", ref[0], DeviceArrays.download(b, inPlace, 0, size), 1e-5, 1e-4);
                release(b, inPlace);
                for (DeviceMemory d : new DeviceMemory[] {mean, var, yd, dxd, dgd, dbd}) {
                    release(b, d);
                }
            }
        }
        for (DeviceMemory d : new DeviceMemory[] {bxd, bdyd, gd, bed}) {
            release(b, d);
        }

        vectorKernels(b);

        // conv row kernels: a row longer than 16 with two weight-gradient chunks, dilation 2 with groups 2, and the
        // channel-lane weight kernel (Cg a multiple of the width) with and without its sliding window
        for (ConvGeometry g : new ConvGeometry[] {
            NaiveCnn.conv(2, 2, 1, 5, 19, 4, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1),
            NaiveCnn.conv(1, 4, 1, 7, 7, 4, 1, 3, 3, 1, 1, 1, 0, 2, 2, 1, 2, 2, 2),
            NaiveCnn.conv(2, 16, 1, 4, 5, 2, 1, 3, 3, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1),     // channel lanes, sliding window
            NaiveCnn.conv(1, 8, 1, 5, 6, 3, 1, 3, 3, 1, 1, 1, 0, 2, 2, 1, 2, 2, 1)}) {  // channel lanes, dilation 2, WKB 1
            int nx = (int) g.inputSize();
            int nw = (int) g.weightSize();
            int ny = (int) g.outputSize();
            float[] cx = DeviceArrays.random(58, nx, -1f, 1f);
            float[] w = DeviceArrays.random(59, nw, -1f, 1f);
            float[] bias = DeviceArrays.random(60, g.outChannels(), -1f, 1f);
            float[] dy = DeviceArrays.random(61, ny, -1f, 1f);
            ClBuffer cxd = (ClBuffer) DeviceArrays.upload(b, cx);
            ClBuffer wd = (ClBuffer) DeviceArrays.upload(b, w);
            ClBuffer bd2 = (ClBuffer) DeviceArrays.upload(b, bias);
            ClBuffer dyd = (ClBuffer) DeviceArrays.upload(b, dy);
            ClBuffer yd = (ClBuffer) b.allocate(ny);
            ClBuffer dxd = (ClBuffer) b.allocate(nx);
            ClBuffer dwd = (ClBuffer) b.allocate(nw);
            for (int vw : WIDTHS) {
                ClConv conv = new ClConv(b.context(), ClConv.Variant.ROWS, vw);
                String what = "conv rows VW=" + vw + " " + g;
                conv.forward(g, cxd, 0, wd, 0, bd2, 0, yd, 0);
                check("forward " + what, NaiveCnn.convForward(g, cx, w, bias), DeviceArrays.download(b, yd, 0, ny), 1e-5, 1e-5);
                conv.backwardInput(g, dyd, 0, wd, 0, dxd, 0);
                check("backwardInput " + what, NaiveCnn.convBackwardInput(g, dy, w), DeviceArrays.download(b, dxd, 0, nx), 1e-5, 1e-5);
                conv.backwardWeight(g, cxd, 0, dyd, 0, dwd, 0);
                check("backwardWeight " + what, NaiveCnn.convBackwardWeight(g, cx, dy), DeviceArrays.download(b, dwd, 0, nw), 1e-5, 1e-5);
                // not closed, as no buffer here is released: Oclgrind's uninitialised-value checker misreports memory
                // that a released buffer occupied
            }
            for (DeviceMemory d : new DeviceMemory[] {cxd, wd, bd2, dyd, yd, dxd, dwd}) {
                release(b, d);
            }
        }
    }

    /** The element-wise, activation, optimizer and reduction vector kernels of CPU devices, at every width. */
    private static void vectorKernels(OpenClBackend b) {
        // element-wise, activation, optimizer and reduction vector kernels: two whole chunks and a partial one
        for (int vw : WIDTHS) {
            int ne = 2 * ClElementwise.VECTORS_PER_ITEM * vw + 5;
            float[] ex = DeviceArrays.random(62, ne, -3f, 3f);
            ex[1] = Float.NaN;
            ex[ne - 2] = Float.NaN;
            float[] ec = DeviceArrays.random(63, ne, -3f, 3f);
            ClBuffer exd = (ClBuffer) DeviceArrays.upload(b, ex);
            ClBuffer ecd = (ClBuffer) DeviceArrays.upload(b, ec);
            ClBuffer eyd = (ClBuffer) b.allocate(ne);
            ClElementwise ew = new ClElementwise(b.context(), true, vw);
            for (UnaryOp op : new UnaryOp[] {UnaryOp.RELU, UnaryOp.SIGMOID}) {
                ew.unary(op, ne, exd, 0, eyd, 0);
                float[] expected = new float[ne];
                for (int i = 0; i < ne; i++) {
                    expected[i] = NaiveElementwise.unary(op, ex[i]);
                }
                check("ew_unary_vec " + op + " VW=" + vw, expected, DeviceArrays.download(b, eyd, 0, ne), 1e-6, 1e-5);
            }
            StridedLayout flat = new StridedLayout(new int[] {ne}, new long[] {1});
            for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.MAX}) {
                ew.binary(op, flat, exd, 0, flat, ecd, 0, eyd, 0);
                check("ew_binary_vec " + op + " VW=" + vw, NaiveElementwise.binary(op, flat, ex, 0, flat, ec, 0),
                        DeviceArrays.download(b, eyd, 0, ne), 1e-6, 1e-5);
                ew.scalar(op, ne, exd, 0, 0.5f, true, eyd, 0);
                float[] expected = new float[ne];
                for (int i = 0; i < ne; i++) {
                    expected[i] = NaiveElementwise.binary(op, 0.5f, ex[i]);
                }
                check("ew_scalar_vec " + op + " VW=" + vw, expected, DeviceArrays.download(b, eyd, 0, ne), 1e-6, 1e-5);
            }
            ClActivation act = new ClActivation(b.context(), true, vw);
            for (Activation f : new Activation[] {Activation.RELU, Activation.GELU}) {
                act.forward(f, 0f, ne, ecd, 0, eyd, 0);
                float[] expected = new float[ne];
                float[] grad = new float[ne];
                for (int i = 0; i < ne; i++) {
                    double yi = NaiveCnn.act(f, 0f, ec[i]);
                    expected[i] = (float) yi;
                    grad[i] = (float) NaiveCnn.actGrad(f, 0f, ec[i], yi, ex[i]);
                }
                check("act_forward_vec " + f + " VW=" + vw, expected, DeviceArrays.download(b, eyd, 0, ne), 1e-6, 1e-5);
                act.backward(f, 0f, ne, ecd, 0, eyd, 0, exd, 0, eyd, 0);
                check("act_backward_vec " + f + " VW=" + vw, grad, DeviceArrays.download(b, eyd, 0, ne), 1e-6, 1e-5);
            }
            // optimizers: two steps of SGD with momentum and of AMSGrad Adam, against the double reference
            ClOptimizer opt = new ClOptimizer(b.context(), true, vw);
            float[] p0 = DeviceArrays.random(64, ne, -1f, 1f);
            float[] g = DeviceArrays.random(65, ne, -1f, 1f);
            ClBuffer gd = (ClBuffer) DeviceArrays.upload(b, g);
            ClBuffer pd = (ClBuffer) DeviceArrays.upload(b, p0);
            ClBuffer bufd = (ClBuffer) DeviceArrays.upload(b, new float[ne]);
            double[][] ref = {widen(p0), new double[ne]};
            for (int step = 1; step <= 2; step++) {
                opt.sgdStep(ne, 0.1f, 0.9f, 0.1f, 0.01f, false, step == 1, pd, 0, gd, 0, bufd, 0);
                NaiveOptimizer.sgd(0.1f, 0.9f, 0.1f, 0.01f, false, step == 1, ref[0], g, ref[1]);
            }
            check("sgd_step_vec VW=" + vw, NaiveCnn.toFloat(ref[0]), DeviceArrays.download(b, pd, 0, ne), 1e-6, 1e-5);
            ClBuffer apd = (ClBuffer) DeviceArrays.upload(b, p0);
            ClBuffer md = (ClBuffer) DeviceArrays.upload(b, new float[ne]);
            ClBuffer vd = (ClBuffer) DeviceArrays.upload(b, new float[ne]);
            ClBuffer vmaxd = (ClBuffer) DeviceArrays.upload(b, new float[ne]);
            double[][] aref = {widen(p0), new double[ne], new double[ne], new double[ne]};
            for (int step = 1; step <= 2; step++) {
                float bc1 = (float) (1 - Math.pow(0.9, step));
                float bc2 = (float) (1 - Math.pow(0.999, step));
                opt.adamStep(ne, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, false, true, bc1, bc2, apd, 0, gd, 0, md, 0, vd, 0, vmaxd, 0);
                NaiveOptimizer.adam(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, false, true, bc1, bc2, aref[0], g, aref[1], aref[2], aref[3]);
            }
            check("adam_step_vec VW=" + vw, NaiveCnn.toFloat(aref[0]), DeviceArrays.download(b, apd, 0, ne), 1e-6, 1e-5);
            for (DeviceMemory d : new DeviceMemory[] {exd, ecd, eyd, gd, pd, bufd, apd, md, vd, vmaxd}) {
                release(b, d);
            }
        }
        // reduce_rows (the device's width): SUM, MEAN, MAX with a NaN, unsplit and in 3 segments
        ClReduction reduction = new ClReduction(b.context());
        int rows = 3;
        int axis = 70;
        float[] rx = DeviceArrays.random(66, rows * axis, -1f, 1f);
        rx[axis + 5] = Float.NaN;
        ClBuffer rxd = (ClBuffer) DeviceArrays.upload(b, rx);
        ClBuffer ryd = (ClBuffer) b.allocate(rows);
        for (int segments : new int[] {1, 3}) {
            for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MEAN, ReduceOp.MAX}) {
                reduction.reduce(op, rows, axis, 1, rxd, 0, ryd, 0, new ClReduction.Plan(ClReduction.Variant.ROWS, segments));
                check("reduce_rows " + op + " segments " + segments, NaiveReduction.reduce(op, rows, axis, 1, rx),
                        DeviceArrays.download(b, ryd, 0, rows), 1e-5, 1e-5);
            }
        }
        release(b, rxd);
        release(b, ryd);
    }

    private static void release(OpenClBackend b, DeviceMemory m) {
        KEPT.add(m);
    }

    private static void check(String what, float[] expected, float[] actual, double atol, double rtol) {
        try {
            Tolerance.assertClose(what, expected, actual, atol, rtol);
            System.out.println("  ok   " + what);
        } catch (AssertionError e) {
            failures++;
            System.out.println("  FAIL " + e.getMessage());
        }
    }
}
