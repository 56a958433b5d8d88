package org.cnn4j.kernels;

import java.util.EnumMap;
import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.spi.DeviceType;
import org.cnn4j.runtime.spi.Activation;

/**
 * Launches {@code activation.cl}: {@code y = f(x; a)} and {@code dx = dy * f'(x, y; a)} for the
 * {@link Activation}s. Each function is its own program ({@code -D ACT}), built on first use, for the
 * reason {@link ClElementwise} gives (a function fixed at compile time vectorises). Four elements per
 * work-item, or on CPU devices 16 vectors of the device's float width per work-item ({@code act_*_vec}).
 */
public final class ClActivation {
    static final String FILE = "activation.cl";

    private final Map<Activation, KernelRef[]> kernels = new EnumMap<>(Activation.class);
    private final ClContiguousLaunch launch;

    /** @param context the device to launch on; CPU devices run the vector kernels ({@code act_*_vec}) */
    public ClActivation(ClContext context) {
        this(context, context.device().info().type() == DeviceType.CPU, ClConvRows.vectorWidth(context));
    }

    /** Whether the vector kernels of width {@code vw} run (tests force both kinds). */
    ClActivation(ClContext context, boolean vector, int vw) {
        this.launch = new ClContiguousLaunch(context, vector, vw);
        String suffix = vector ? "_vec" : "";
        for (Activation f : Activation.values()) {
            Map<String, String> defines = Map.of("ACT", Integer.toString(code(f)), "VW", Integer.toString(vw));
            kernels.put(f, new KernelRef[] {
                new KernelRef(context, FILE, defines, "act_forward" + suffix),
                new KernelRef(context, FILE, defines, "act_backward" + suffix)});
        }
    }

    /** {@code y = f(x; a)}; x and y may be the same range. */
    public void forward(Activation f, float a, long n, ClBuffer x, long xOff, ClBuffer y, long yOff) {
        if (n == 0) {
            return;
        }
        ClKernel k = kernels.get(f)[0].get();
        try (ClLaunch l = k.begin()) {
            l.arg(n).arg(a).arg(x).arg(xOff).arg(y).arg(yOff).enqueue(launch.range(n, k));
        }
    }

    /** {@code dx = dy * f'(x, y; a)}; dx may alias dy. */
    public void backward(Activation f, float a, long n, ClBuffer x, long xOff, ClBuffer y, long yOff,
                         ClBuffer dy, long dyOff, ClBuffer dx, long dxOff) {
        if (n == 0) {
            return;
        }
        ClKernel k = kernels.get(f)[1].get();
        try (ClLaunch l = k.begin()) {
            l.arg(n).arg(a).arg(x).arg(xOff).arg(y).arg(yOff).arg(dy).arg(dyOff).arg(dx).arg(dxOff).enqueue(launch.range(n, k));
        }
    }

    /** The {@code ACT_*} code of {@code activation.cl} for {@code f}. */
    static int code(Activation f) {
        return switch (f) {
            case RELU -> 0;
            case LEAKY_RELU -> 1;
            case ELU -> 2;
            case GELU -> 3;
            case SIGMOID -> 4;
            case TANH -> 5;
        };
    }
}
