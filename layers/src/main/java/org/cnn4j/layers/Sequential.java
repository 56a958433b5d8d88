package org.cnn4j.layers;

import java.util.List;
import org.cnn4j.runtime.Tensor;

/**
 * Modules applied in order, {@code y = m_k(...m_2(m_1(x)))}; children are named {@code 0, 1, 2, ...} as in
 * PyTorch, so parameters read {@code 0.weight}, {@code 3.bias}.
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

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = x;
        for (Module m : layers) {
            h = forwardChild(m, h);
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
