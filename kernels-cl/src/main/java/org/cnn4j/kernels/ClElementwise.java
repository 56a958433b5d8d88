package org.cnn4j.kernels;

import java.util.EnumMap;
import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.DeviceType;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/**
 * Launches {@code elementwise.cl}: {@code y = f(x)}, {@code y = x op s} (or {@code s op x}) and
 * {@code out = a op b} with broadcasting through strided layouts of rank up to 8.
 *
 * <p>Each op is its own program ({@code -D UNARY_OP} / {@code -D BINARY_OP}), built on first use: a
 * function fixed at compile time vectorises, a runtime switch does not (about 5x on PoCL). The
 * contiguous kernels handle four consecutive elements per work-item; the strided kernel handles
 * {@value #IPW_CPU} consecutive outputs per work-item on CPU devices and {@value #IPW_GPU} elsewhere.
 */
public final class ClElementwise {
    static final String FILE = "elementwise.cl";
    /**
     * Outputs per work-item of the strided kernel ({@code -D IPW}) on CPU devices: one index decomposition
     * (seven 64-bit divisions) serves 64 outputs. PoCL, 16M-element broadcast add: IPW 1: 161 ms, 4: 52 ms,
     * 16: 37 ms, 64: 21 ms, 256: 23 ms.
     */
    static final int IPW_CPU = 64;
    /**
     * Outputs per work-item of the strided kernel on GPUs and accelerators: one, so that neighbouring
     * work-items touch neighbouring outputs (coalesced stores). Not measured here (no GPU in CI).
     */
    static final int IPW_GPU = 1;

    /**
     * Elements per work-item of the contiguous kernels on CPU devices ({@code ew_*_vec}): 16 vectors of the device's
     * preferred float width. PoCL, 1.6M floats, ReLU: 1.0 ms with 4 scalar elements per work-item, 0.3 ms with 256.
     */
    static final int VECTORS_PER_ITEM = 16;

    private final Map<UnaryOp, KernelRef> unary = new EnumMap<>(UnaryOp.class);
    private final Map<BinaryOp, KernelRef[]> binary = new EnumMap<>(BinaryOp.class);
    private final int ipw;
    /** The launch of the contiguous kernels: 4 elements per work-item, or 16 VW with the vector kernels. */
    private final ClContiguousLaunch launch;

    /** @param context the device to launch on; CPU devices run the vector kernels for contiguous operands */
    public ClElementwise(ClContext context) {
        this(context, context.device().info().type() == DeviceType.CPU, ClConvRows.vectorWidth(context));
    }

    /** Whether the contiguous ops run the vector kernels ({@code ew_*_vec}) of width {@code vw} (tests force both). */
    ClElementwise(ClContext context, boolean vector, int vw) {
        this.ipw = ipwFor(context);
        this.launch = new ClContiguousLaunch(context, vector, vw);
        String suffix = vector ? "_vec" : "";
        String width = Integer.toString(vw);
        for (UnaryOp op : UnaryOp.values()) {
            unary.put(op, new KernelRef(context, FILE, Map.of("UNARY_OP", Integer.toString(code(op)), "VW", width), "ew_unary" + suffix));
        }
        for (BinaryOp op : BinaryOp.values()) {
            Map<String, String> defines = Map.of("BINARY_OP", Integer.toString(code(op)), "IPW", Integer.toString(ipw), "VW", width);
            binary.put(op, new KernelRef[] {
                new KernelRef(context, FILE, defines, "ew_scalar" + suffix),
                new KernelRef(context, FILE, defines, "ew_binary" + suffix),
                new KernelRef(context, FILE, defines, "ew_binary_strided")});
        }
    }

    /** {@code y[yOff + i] = op(x[xOff + i])} for {@code i < n}; x and y may be the same range. */
    public void unary(UnaryOp op, long n, ClBuffer x, long xOff, ClBuffer y, long yOff) {
        if (n == 0) {
            return;
        }
        try (ClLaunch l = unary.get(op).get().begin()) {
            l.arg(n).arg(x).arg(xOff).arg(y).arg(yOff).enqueue(launch.range(n, unary.get(op).get()));
        }
    }

    /** {@code y[i] = x[i] op s}, or {@code s op x[i]} when {@code scalarFirst}; x and y may be the same range. */
    public void scalar(BinaryOp op, long n, ClBuffer x, long xOff, float s, boolean scalarFirst, ClBuffer y, long yOff) {
        if (n == 0) {
            return;
        }
        try (ClLaunch l = binary.get(op)[0].get().begin()) {
            l.arg(scalarFirst ? 1 : 0).arg(n).arg(x).arg(xOff).arg(s).arg(y).arg(yOff).enqueue(launch.range(n, binary.get(op)[0].get()));
        }
    }

    /**
     * {@code out[outOff + i] = a[aOff + A(i)] op b[bOff + B(i)]} over the dims of {@code aLayout}.
     * When both layouts are contiguous the flat kernel runs (no index arithmetic);
     * otherwise the strided kernel decomposes each output index.
     */
    public void binary(BinaryOp op, StridedLayout aLayout, ClBuffer a, long aOff,
                       StridedLayout bLayout, ClBuffer b, long bOff, ClBuffer out, long outOff) {
        long n = aLayout.size();
        if (n == 0) {
            return;
        }
        if (Layouts.isContiguous(aLayout) && Layouts.isContiguous(bLayout)) {
            try (ClLaunch l = binary.get(op)[1].get().begin()) {
                l.arg(n).arg(a).arg(aOff).arg(b).arg(bOff).arg(out).arg(outOff).enqueue(launch.range(n, binary.get(op)[1].get()));
            }
            return;
        }
        try (ClLaunch l = binary.get(op)[2].get().begin()) {
            l.arg(n).dims8(aLayout)
                    .arg(a).arg(aOff).strides8(aLayout)
                    .arg(b).arg(bOff).strides8(bLayout)
                    .arg(out).arg(outOff)
                    .enqueue1d(ceilDiv(n, ipw));
        }
    }

    /** Outputs per work-item of the strided kernels on this context's device (see {@link #IPW_CPU}, {@link #IPW_GPU}). */
    static int ipwFor(ClContext context) {
        return context.device().info().type() == DeviceType.CPU ? IPW_CPU : IPW_GPU;
    }

    /** The {@code UN_*} code of {@code elementwise.cl} for {@code op}. */
    static int code(UnaryOp op) {
        return switch (op) {
            case NEG -> 0;
            case ABS -> 1;
            case RELU -> 2;
            case SIGMOID -> 3;
            case TANH -> 4;
            case EXP -> 5;
            case LOG -> 6;
            case SQRT -> 7;
            case SQUARE -> 8;
            case RECIPROCAL -> 9;
        };
    }

    /** The {@code BIN_*} code of {@code elementwise.cl} for {@code op}. */
    static int code(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            case MAX -> 4;
            case MIN -> 5;
            case POW -> 6;
        };
    }

    static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
