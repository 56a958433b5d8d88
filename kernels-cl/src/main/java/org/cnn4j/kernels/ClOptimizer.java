package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;
import org.cnn4j.runtime.opencl.ClLaunch;
import org.cnn4j.runtime.spi.DeviceType;

/**
 * Launches {@code optimizer.cl}: the fused SGD, AdaGrad, RMSProp and Adam/AdamW updates of
 * {@link org.cnn4j.runtime.spi.OptimizerOps}, one launch per parameter tensor. The booleans fixed by an
 * optimizer's configuration ({@code -D MOMENTUM, NESTEROV, CENTERED, AMSGRAD, DECOUPLED}) select a specialised
 * program, built on first use and cached, instead of run-time branches; SGD's first step and a zero weight
 * decay are run-time arguments. The per-step scalars are computed here, on the host, exactly as
 * {@code org.cnn4j.cpu.CpuOptimizer} computes them ({@code 1 - beta} as a float difference; {@code lr / bc1},
 * {@code sqrt(bc2)} and {@code 1 - lr * weightDecay} in double rounded once, as PyTorch rounds its Python
 * scalars), so that both backends round alike. No device value is read back.
 *
 * <p>A state buffer the configuration does not use may be null; its argument slot then gets {@code p} at
 * offset 0, which the specialised kernel never touches. About {@value #PER_ITEM} elements per work-item,
 * strided by the global size; on CPU devices SGD and Adam run {@code sgd_step_vec} / {@code adam_step_vec}
 * instead, 16 vectors of the device's float width per work-item (the same lines on vectors, bit-identical results).
 */
public final class ClOptimizer {
    static final String FILE = "optimizer.cl";
    /** Elements per work-item, about: the global size is {@code ceil(n / PER_ITEM)}. */
    static final int PER_ITEM = 4;

    /** sgd_step by [momentum][nesterov] (nesterov only with momentum). */
    private final KernelRef[][] sgd = new KernelRef[2][2];
    private final KernelRef adagrad;
    /** rmsprop_step by [centered][momentum]. */
    private final KernelRef[][] rmsprop = new KernelRef[2][2];
    /** adam_step by [decoupled][amsgrad]. */
    private final KernelRef[][] adam = new KernelRef[2][2];

    /** The launch of SGD and Adam: about PER_ITEM elements per work-item, or 16 VW with the vector kernels. */
    private final ClContiguousLaunch launch;

    /** @param context the device to launch on; CPU devices run the vector kernels of SGD and Adam */
    public ClOptimizer(ClContext context) {
        this(context, context.device().info().type() == DeviceType.CPU, ClConvRows.vectorWidth(context));
    }

    /** Whether SGD and Adam run the vector kernels of width {@code vw} (tests force both kinds). */
    ClOptimizer(ClContext context, boolean vector, int vw) {
        this.launch = new ClContiguousLaunch(context, vector, vw);
        String suffix = vector ? "_vec" : "";
        String width = Integer.toString(vw);
        for (int mo = 0; mo < 2; mo++) {
            for (int ne = 0; ne <= mo; ne++) {
                sgd[mo][ne] = new KernelRef(context, FILE, Map.of("MOMENTUM", flag(mo), "NESTEROV", flag(ne), "VW", width),
                        "sgd_step" + suffix);
            }
        }
        adagrad = new KernelRef(context, FILE, Map.of(), "adagrad_step");
        for (int ce = 0; ce < 2; ce++) {
            for (int mo = 0; mo < 2; mo++) {
                rmsprop[ce][mo] = new KernelRef(context, FILE, Map.of("CENTERED", flag(ce), "MOMENTUM", flag(mo)), "rmsprop_step");
            }
        }
        for (int de = 0; de < 2; de++) {
            for (int am = 0; am < 2; am++) {
                adam[de][am] = new KernelRef(context, FILE, Map.of("DECOUPLED", flag(de), "AMSGRAD", flag(am), "VW", width),
                        "adam_step" + suffix);
            }
        }
    }

    /** SGD; {@code buf} may be null when {@code momentum == 0} (nesterov is then ignored, as without momentum). */
    public void sgdStep(long n, float lr, float momentum, float dampening, float weightDecay, boolean nesterov, boolean firstStep,
                        ClBuffer p, long pOff, ClBuffer g, long gOff, ClBuffer buf, long bufOff) {
        if (n == 0) {
            return;
        }
        int mo = momentum != 0f ? 1 : 0;
        int ne = mo == 1 && nesterov ? 1 : 0;
        ClKernel k = sgd[mo][ne].get();
        try (ClLaunch l = k.begin()) {
            l.arg(n).arg(lr).arg(momentum).arg(1f - dampening).arg(weightDecay).arg(firstStep ? 1 : 0)
                    .arg(p).arg(pOff).arg(g).arg(gOff).arg(or(buf, p)).arg(buf != null ? bufOff : 0L)
                    .enqueue(launch.range(n, k));
        }
    }

    /** AdaGrad with the host's {@code clr}. */
    public void adagradStep(long n, float clr, float weightDecay, float eps, ClBuffer p, long pOff, ClBuffer g, long gOff,
                            ClBuffer sum, long sumOff) {
        if (n == 0) {
            return;
        }
        try (ClLaunch l = adagrad.get().begin()) {
            l.arg(n).arg(clr).arg(weightDecay).arg(eps).arg(p).arg(pOff).arg(g).arg(gOff).arg(sum).arg(sumOff)
                    .enqueue1d(ClElementwise.ceilDiv(n, PER_ITEM));
        }
    }

    /** RMSProp; {@code avg} may be null unless centered, {@code buf} unless {@code momentum > 0}. */
    public void rmspropStep(long n, float lr, float alpha, float eps, float weightDecay, float momentum, boolean centered,
                            ClBuffer p, long pOff, ClBuffer g, long gOff, ClBuffer sq, long sqOff,
                            ClBuffer avg, long avgOff, ClBuffer buf, long bufOff) {
        if (n == 0) {
            return;
        }
        int ce = centered ? 1 : 0;
        int mo = momentum > 0f ? 1 : 0;
        try (ClLaunch l = rmsprop[ce][mo].get().begin()) {
            l.arg(n).arg(lr).arg(alpha).arg(1f - alpha).arg(eps).arg(weightDecay).arg(momentum)
                    .arg(p).arg(pOff).arg(g).arg(gOff).arg(sq).arg(sqOff)
                    .arg(or(avg, p)).arg(avg != null ? avgOff : 0L).arg(or(buf, p)).arg(buf != null ? bufOff : 0L)
                    .enqueue1d(ClElementwise.ceilDiv(n, PER_ITEM));
        }
    }

    /** Adam or AdamW; {@code vmax} may be null unless amsgrad. */
    public void adamStep(long n, float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                         boolean amsgrad, float bc1, float bc2, ClBuffer p, long pOff, ClBuffer g, long gOff,
                         ClBuffer m, long mOff, ClBuffer v, long vOff, ClBuffer vmax, long vmaxOff) {
        if (n == 0) {
            return;
        }
        float decay = (float) (1.0 - (double) lr * weightDecay);
        float stepSize = (float) ((double) lr / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        ClKernel k = adam[decoupled ? 1 : 0][amsgrad ? 1 : 0].get();
        try (ClLaunch l = k.begin()) {
            l.arg(n).arg(beta1).arg(1f - beta1).arg(beta2).arg(1f - beta2).arg(eps).arg(weightDecay).arg(decay)
                    .arg(stepSize).arg(bc2Sqrt)
                    .arg(p).arg(pOff).arg(g).arg(gOff).arg(m).arg(mOff).arg(v).arg(vOff)
                    .arg(or(vmax, p)).arg(vmax != null ? vmaxOff : 0L)
                    .enqueue(launch.range(n, k));
        }
    }

    private static ClBuffer or(ClBuffer buffer, ClBuffer placeholder) {
        return buffer != null ? buffer : placeholder;
    }

    private static String flag(int on) {
        return Integer.toString(on);
    }
}
