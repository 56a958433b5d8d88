package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClLaunch;

/**
 * Launches {@code loss.cl}: row-wise stable softmax and log-softmax with their backward passes, and
 * cross-entropy with label smoothing. One work-item per row (rows are short in classification, and a row
 * read three times stays in cache); the cross-entropy backward reads its scale from device memory.
 */
public final class ClLoss {
    static final String FILE = "loss.cl";

    private final KernelRef[] softmax;
    private final KernelRef[] softmaxBackward;
    private final KernelRef crossEntropy;
    private final KernelRef crossEntropyBackward;

    /** @param context the device to launch on */
    public ClLoss(ClContext context) {
        Map<String, String> plain = Map.of("LOG", "0");
        Map<String, String> log = Map.of("LOG", "1");
        this.softmax = new KernelRef[] {new KernelRef(context, FILE, plain, "softmax_forward"),
            new KernelRef(context, FILE, log, "softmax_forward")};
        this.softmaxBackward = new KernelRef[] {new KernelRef(context, FILE, plain, "softmax_backward"),
            new KernelRef(context, FILE, log, "softmax_backward")};
        this.crossEntropy = new KernelRef(context, FILE, plain, "cross_entropy_forward");
        this.crossEntropyBackward = new KernelRef(context, FILE, plain, "cross_entropy_backward");
    }

    /** Row-wise softmax, or log-softmax when {@code log}. */
    public void softmax(boolean log, int rows, int classes, ClBuffer x, long xOff, ClBuffer y, long yOff) {
        if (rows == 0 || classes == 0) {
            return;
        }
        try (ClLaunch l = softmax[log ? 1 : 0].get().begin()) {
            l.arg(rows).arg(classes).arg(x).arg(xOff).arg(y).arg(yOff).enqueue1d(rows);
        }
    }

    /** Backward of {@link #softmax} from its output {@code y}. */
    public void softmaxBackward(boolean log, int rows, int classes, ClBuffer y, long yOff, ClBuffer dy, long dyOff,
                                ClBuffer dx, long dxOff) {
        if (rows == 0 || classes == 0) {
            return;
        }
        try (ClLaunch l = softmaxBackward[log ? 1 : 0].get().begin()) {
            l.arg(rows).arg(classes).arg(y).arg(yOff).arg(dy).arg(dyOff).arg(dx).arg(dxOff).enqueue1d(rows);
        }
    }

    /** Per-row cross-entropy with label smoothing. */
    public void crossEntropy(int rows, int classes, float smoothing, ClBuffer logits, long logitsOff,
                             ClBuffer targets, long targetsOff, ClBuffer loss, long lossOff) {
        if (rows == 0) {
            return;
        }
        try (ClLaunch l = crossEntropy.get().begin()) {
            l.arg(rows).arg(classes).arg(smoothing).arg(logits).arg(logitsOff).arg(targets).arg(targetsOff)
                    .arg(loss).arg(lossOff).enqueue1d(rows);
        }
    }

    /** {@code dx = scale[0] * (softmax(x) - q)}. */
    public void crossEntropyBackward(int rows, int classes, float smoothing, ClBuffer logits, long logitsOff,
                                     ClBuffer targets, long targetsOff, ClBuffer scale, long scaleOff,
                                     ClBuffer dx, long dxOff) {
        if (rows == 0 || classes == 0) {
            return;
        }
        try (ClLaunch l = crossEntropyBackward.get().begin()) {
            l.arg(rows).arg(classes).arg(smoothing).arg(logits).arg(logitsOff).arg(targets).arg(targetsOff)
                    .arg(scale).arg(scaleOff).arg(dx).arg(dxOff).enqueue1d(rows);
        }
    }
}
