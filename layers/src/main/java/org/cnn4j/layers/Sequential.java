package org.cnn4j.layers;

import java.util.List;
import org.cnn4j.runtime.Anomaly;
import org.cnn4j.runtime.Tensor;

/**
 * Modules applied in order, {@code y = m_k(...m_2(m_1(x)))}; children are named {@code 0, 1, 2, ...} as in
 * PyTorch, so parameters read {@code 0.weight}, {@code 3.bias}. Batch norm followed by ReLU runs fused (see
 * {@link #forward}).
 */
public class Sequential extends Module {
    private final List<Module> layers;

    /** The given modules, in order. */
    public Sequential(Module... layers) {
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) {
            registerModule(Integer.toString(i), layers[i]);
        }
    }

    /** Layer {@code i}. */
    public Module get(int i) {
        return layers.get(i);
    }

    /** Number of layers. */
    public int size() {
        return layers.size();
    }

    /**
     * Runs the layers in order. A batch-norm layer directly followed by a ReLU layer ({@link Activations#relu()}) runs
     * as one op, {@link F#batchNormRelu}: the same values and gradients, one pass over the data less each way. In
     * {@link Anomaly} mode every layer runs on its own, so that a report names the layer.
     */
    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        boolean fuse = !Anomaly.isEnabled();
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (fuse && m instanceof BatchNorm bn && i + 1 < layers.size() && Activations.isRelu(layers.get(i + 1))) {
                h = bn.forwardRelu(h);
                i++;
            } else {
                h = forwardChild(m, h);
            }
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sequential(\n");
        for (int i = 0; i < layers.size(); i++) {
            sb.append("  (").append(i).append(") ").append(layers.get(i)).append('\n');
        }
        return sb.append(')').toString();
    }
}
