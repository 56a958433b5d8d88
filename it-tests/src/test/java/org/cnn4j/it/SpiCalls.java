package org.cnn4j.it;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.PoolGeometry;

/**
 * Runs one CNN op of the backend SPI on host arrays: uploads the inputs, fills every output with NaN
 * first (so an op that reads or accumulates into its output instead of overwriting it fails), calls the
 * backend directly and downloads the results. With {@code shift > 0} every buffer starts {@code shift}
 * elements into its allocation (the elements before it are NaN), which checks that the backend honours
 * the offsets it is given.
 */
final class SpiCalls {
    private final Device device;
    private final Backend backend;
    private final int shift;

    SpiCalls(Device device, int shift) {
        this.device = device;
        this.backend = device.backend();
        this.shift = shift;
    }

    SpiCalls(Device device) {
        this(device, 0);
    }

    /** A range of device memory: {@code n} elements from {@code off} of {@code t}. */
    record Buf(Tensor t, long off, int n) {
        DeviceMemory mem() {
            return t.memory();
        }
    }

    private Buf in(float[] data) {
        if (data == null) {
            return null;
        }
        float[] padded = new float[shift + data.length];
        java.util.Arrays.fill(padded, 0, shift, Float.NaN);
        System.arraycopy(data, 0, padded, shift, data.length);
        return new Buf(device.fromArray(padded, padded.length), shift, data.length);
    }

    private Buf out(long n) {
        Tensor t = device.empty(Shape.of((int) (shift + n)));
        call("fill", () -> backend.fill(t.memory(), t.offset(), t.numel(), Float.NaN));
        return new Buf(t, t.offset() + shift, (int) n);
    }

    /**
     * Runs one backend call; an exception (a backend bug, since the arguments are valid) is rethrown as an
     * assertion failure naming the op, the device and the arguments' sizes.
     */
    private void call(String op, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            throw new AssertionError(op + " on " + device.spec() + " threw " + e + " (" + context + ")", e);
        }
    }

    private String context = "";

    private static float[] read(Buf b) {
        float[] all = b.t().toArray();
        float[] r = new float[b.n()];
        System.arraycopy(all, (int) (b.off() - b.t().offset()), r, 0, b.n());
        return r;
    }

    private static DeviceMemory mem(Buf b) {
        return b == null ? null : b.mem();
    }

    private static long off(Buf b) {
        return b == null ? 0 : b.off();
    }

    // ---- conv ------------------------------------------------------------------------------------

    float[] convForward(ConvGeometry g, float[] x, float[] w, float[] bias) {
        try (Scope scope = Scope.open()) {
            context = String.valueOf(g);
            Buf bx = in(x);
            Buf bw = in(w);
            Buf bb = in(bias);
            Buf y = out(g.outputSize());
            call("convForward", () -> backend.convForward(g, bx.mem(), bx.off(), bw.mem(), bw.off(), mem(bb), off(bb), y.mem(), y.off()));
            return read(y);
        }
    }

    float[] convBackwardInput(ConvGeometry g, float[] dy, float[] w) {
        try (Scope scope = Scope.open()) {
            context = String.valueOf(g);
            Buf bdy = in(dy);
            Buf bw = in(w);
            Buf dx = out(g.inputSize());
            call("convBackwardInput", () -> backend.convBackwardInput(g, bdy.mem(), bdy.off(), bw.mem(), bw.off(), dx.mem(), dx.off()));
            return read(dx);
        }
    }

    float[] convBackwardWeight(ConvGeometry g, float[] x, float[] dy) {
        try (Scope scope = Scope.open()) {
            context = String.valueOf(g);
            Buf bx = in(x);
            Buf bdy = in(dy);
            Buf dw = out(g.weightSize());
            call("convBackwardWeight", () -> backend.convBackwardWeight(g, bx.mem(), bx.off(), bdy.mem(), bdy.off(), dw.mem(), dw.off()));
            return read(dw);
        }
    }

    // ---- pool ------------------------------------------------------------------------------------

    /** {@code {y, argmax}}. */
    float[][] maxPool(PoolGeometry g, float[] x) {
        try (Scope scope = Scope.open()) {
            context = String.valueOf(g);
            Buf bx = in(x);
            Buf y = out(g.outputSize());
            Buf arg = out(g.outputSize());
            call("maxPoolForward", () -> backend.maxPoolForward(g, bx.mem(), bx.off(), y.mem(), y.off(), arg.mem(), arg.off()));
            return new float[][] {read(y), read(arg)};
        }
    }

    float[] maxPoolBackward(PoolGeometry g, float[] dy, float[] argmax) {
        try (Scope scope = Scope.open()) {
            context = String.valueOf(g);
            Buf bdy = in(dy);
            Buf barg = in(argmax);
            Buf dx = out(g.inputSize());
            call("maxPoolBackward", () -> backend.maxPoolBackward(g, bdy.mem(), bdy.off(), barg.mem(), barg.off(), dx.mem(), dx.off()));
            return read(dx);
        }
    }

    float[] avgPool(PoolGeometry g, boolean countIncludePad, float[] x) {
        try (Scope scope = Scope.open()) {
            context = String.valueOf(g);
            Buf bx = in(x);
            Buf y = out(g.outputSize());
            call("avgPoolForward", () -> backend.avgPoolForward(g, countIncludePad, bx.mem(), bx.off(), y.mem(), y.off()));
            return read(y);
        }
    }

    float[] avgPoolBackward(PoolGeometry g, boolean countIncludePad, float[] dy) {
        try (Scope scope = Scope.open()) {
            context = String.valueOf(g);
            Buf bdy = in(dy);
            Buf dx = out(g.inputSize());
            call("avgPoolBackward", () -> backend.avgPoolBackward(g, countIncludePad, bdy.mem(), bdy.off(), dx.mem(), dx.off()));
            return read(dx);
        }
    }

    float[] adaptiveAvgPool(PoolGeometry g, float[] x) {
        try (Scope scope = Scope.open()) {
            context = String.valueOf(g);
            Buf bx = in(x);
            Buf y = out(g.outputSize());
            call("adaptiveAvgPoolForward", () -> backend.adaptiveAvgPoolForward(g, bx.mem(), bx.off(), y.mem(), y.off()));
            return read(y);
        }
    }

    float[] adaptiveAvgPoolBackward(PoolGeometry g, float[] dy) {
        try (Scope scope = Scope.open()) {
            context = String.valueOf(g);
            Buf bdy = in(dy);
            Buf dx = out(g.inputSize());
            call("adaptiveAvgPoolBackward", () -> backend.adaptiveAvgPoolBackward(g, bdy.mem(), bdy.off(), dx.mem(), dx.off()));
            return read(dx);
        }
    }

    // ---- batch norm ------------------------------------------------------------------------------

    /** {@code {mean, var}}. */
    float[][] batchNormStatistics(int n, int c, int spatial, float[] x) {
        try (Scope scope = Scope.open()) {
            context = "n=" + n + ", c=" + c + ", spatial=" + spatial;
            Buf bx = in(x);
            Buf mean = out(c);
            Buf var = out(c);
            call("batchNormStatistics", () -> backend.batchNormStatistics(n, c, spatial, bx.mem(), bx.off(), mean.mem(), mean.off(), var.mem(), var.off()));
            return new float[][] {read(mean), read(var)};
        }
    }

    float[] batchNormForward(int n, int c, int spatial, float eps, float[] x, float[] mean, float[] var, float[] gamma, float[] beta) {
        return batchNormForward(false, n, c, spatial, eps, x, mean, var, gamma, beta);
    }

    float[] batchNormReluForward(int n, int c, int spatial, float eps, float[] x, float[] mean, float[] var, float[] gamma,
                                 float[] beta) {
        return batchNormForward(true, n, c, spatial, eps, x, mean, var, gamma, beta);
    }

    private float[] batchNormForward(boolean relu, int n, int c, int spatial, float eps, float[] x, float[] mean, float[] var,
                                     float[] gamma, float[] beta) {
        try (Scope scope = Scope.open()) {
            context = "n=" + n + ", c=" + c + ", spatial=" + spatial;
            Buf bx = in(x);
            Buf bm = in(mean);
            Buf bv = in(var);
            Buf bg = in(gamma);
            Buf bb = in(beta);
            Buf y = out(x.length);
            if (relu) {
                call("batchNormReluForward", () -> backend.batchNormReluForward(n, c, spatial, eps, bx.mem(), bx.off(), bm.mem(),
                        bm.off(), bv.mem(), bv.off(), mem(bg), off(bg), mem(bb), off(bb), y.mem(), y.off()));
            } else {
                call("batchNormForward", () -> backend.batchNormForward(n, c, spatial, eps, bx.mem(), bx.off(), bm.mem(), bm.off(),
                        bv.mem(), bv.off(), mem(bg), off(bg), mem(bb), off(bb), y.mem(), y.off()));
            }
            return read(y);
        }
    }

    /** {@code {dx, dgamma, dbeta}}; the last two are null when not requested. */
    float[][] batchNormBackward(int n, int c, int spatial, float eps, float[] x, float[] dy, float[] mean, float[] var,
                                float[] gamma, boolean paramGrads) {
        try (Scope scope = Scope.open()) {
            Buf bx = in(x);
            Buf bdy = in(dy);
            Buf bm = in(mean);
            Buf bv = in(var);
            Buf bg = in(gamma);
            Buf dx = out(x.length);
            Buf dg = paramGrads ? out(c) : null;
            Buf db = paramGrads ? out(c) : null;
            call("batchNormBackward", () -> backend.batchNormBackward(n, c, spatial, eps, bx.mem(), bx.off(), bdy.mem(), bdy.off(), bm.mem(), bm.off(),
                    bv.mem(), bv.off(), mem(bg), off(bg), dx.mem(), dx.off(), mem(dg), off(dg), mem(db), off(db)));
            return new float[][] {read(dx), paramGrads ? read(dg) : null, paramGrads ? read(db) : null};
        }
    }

    /** {@code {dx, dgamma, dbeta}}; the last two are null when not requested; with {@code inPlace} dx is written over dy. */
    float[][] batchNormReluBackward(int n, int c, int spatial, float eps, float[] x, float[] y, float[] dy, float[] mean,
                                    float[] var, float[] gamma, boolean paramGrads, boolean inPlace) {
        try (Scope scope = Scope.open()) {
            context = "n=" + n + ", c=" + c + ", spatial=" + spatial + (inPlace ? ", dx over dy" : "");
            Buf bx = in(x);
            Buf by = in(y);
            Buf bdy = in(dy);
            Buf bm = in(mean);
            Buf bv = in(var);
            Buf bg = in(gamma);
            Buf dx = inPlace ? bdy : out(x.length);
            Buf dg = paramGrads ? out(c) : null;
            Buf db = paramGrads ? out(c) : null;
            call("batchNormReluBackward", () -> backend.batchNormReluBackward(n, c, spatial, eps, bx.mem(), bx.off(), by.mem(), by.off(),
                    bdy.mem(), bdy.off(), bm.mem(), bm.off(), bv.mem(), bv.off(), mem(bg), off(bg), dx.mem(), dx.off(),
                    mem(dg), off(dg), mem(db), off(db)));
            return new float[][] {read(dx), paramGrads ? read(dg) : null, paramGrads ? read(db) : null};
        }
    }

    // ---- softmax and loss ------------------------------------------------------------------------

    float[] softmax(boolean log, int rows, int classes, float[] x) {
        try (Scope scope = Scope.open()) {
            context = "rows=" + rows + ", classes=" + classes;
            Buf bx = in(x);
            Buf y = out(x.length);
            call("softmax", () -> backend.softmax(log, rows, classes, bx.mem(), bx.off(), y.mem(), y.off()));
            return read(y);
        }
    }

    float[] softmaxBackward(boolean log, int rows, int classes, float[] y, float[] dy) {
        try (Scope scope = Scope.open()) {
            context = "rows=" + rows + ", classes=" + classes;
            Buf by = in(y);
            Buf bdy = in(dy);
            Buf dx = out(y.length);
            call("softmaxBackward", () -> backend.softmaxBackward(log, rows, classes, by.mem(), by.off(), bdy.mem(), bdy.off(), dx.mem(), dx.off()));
            return read(dx);
        }
    }

    float[] crossEntropy(int rows, int classes, float smoothing, float[] logits, float[] targets) {
        try (Scope scope = Scope.open()) {
            context = "rows=" + rows + ", classes=" + classes;
            Buf bx = in(logits);
            Buf bt = in(targets);
            Buf loss = out(rows);
            call("crossEntropy", () -> backend.crossEntropy(rows, classes, smoothing, bx.mem(), bx.off(), bt.mem(), bt.off(), loss.mem(), loss.off()));
            return read(loss);
        }
    }

    float[] crossEntropyBackward(int rows, int classes, float smoothing, float[] logits, float[] targets, float scale) {
        try (Scope scope = Scope.open()) {
            context = "rows=" + rows + ", classes=" + classes;
            Buf bx = in(logits);
            Buf bt = in(targets);
            Buf bs = in(new float[] {scale});
            Buf dx = out(logits.length);
            call("crossEntropyBackward", () -> backend.crossEntropyBackward(rows, classes, smoothing, bx.mem(), bx.off(), bt.mem(), bt.off(), bs.mem(), bs.off(),
                    dx.mem(), dx.off()));
            return read(dx);
        }
    }

    // ---- activations and dropout -----------------------------------------------------------------

    float[] activation(Activation f, float a, float[] x) {
        try (Scope scope = Scope.open()) {
            context = f + " a=" + a + " n=" + x.length;
            Buf bx = in(x);
            Buf y = out(x.length);
            call("activation", () -> backend.activation(f, a, x.length, bx.mem(), bx.off(), y.mem(), y.off()));
            return read(y);
        }
    }

    /** In place: {@code y} is the range of {@code x}. */
    float[] activationInPlace(Activation f, float a, float[] x) {
        try (Scope scope = Scope.open()) {
            context = f + " a=" + a + " n=" + x.length;
            Buf bx = in(x);
            call("activation", () -> backend.activation(f, a, x.length, bx.mem(), bx.off(), bx.mem(), bx.off()));
            return read(bx);
        }
    }

    float[] activationBackward(Activation f, float a, float[] x, float[] y, float[] dy, boolean inPlace) {
        try (Scope scope = Scope.open()) {
            context = f + " a=" + a + " n=" + x.length;
            Buf bx = in(x);
            Buf by = in(y);
            Buf bdy = in(dy);
            Buf dx = inPlace ? bdy : out(x.length);
            call("activationBackward", () -> backend.activationBackward(f, a, x.length, bx.mem(), bx.off(), by.mem(), by.off(), bdy.mem(), bdy.off(),
                    dx.mem(), dx.off()));
            return read(dx);
        }
    }

    float[] dropout(long groupSize, float p, long seed, long offset, float[] x, boolean inPlace) {
        try (Scope scope = Scope.open()) {
            context = "n=" + x.length + " groupSize=" + groupSize + " p=" + p;
            Buf bx = in(x);
            Buf y = inPlace ? bx : out(x.length);
            call("dropout", () -> backend.dropout(x.length, groupSize, p, seed, offset, bx.mem(), bx.off(), y.mem(), y.off()));
            return read(y);
        }
    }
}
