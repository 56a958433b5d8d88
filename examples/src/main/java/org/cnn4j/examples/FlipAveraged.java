package org.cnn4j.examples;

import org.cnn4j.layers.Module;
import org.cnn4j.runtime.Tensor;

/**
 * Test-time augmentation by horizontal flip: the mean of a classifier's logits on an image and on its mirror
 * image, {@code y = (f(x) + f(flip_w(x))) / 2}, where {@code flip_w(x)[n, c, h, w] = x[n, c, h, W - 1 - w]}. A
 * model trained with random flips sees both orientations as the same class; averaging the two views removes
 * part of its variance. The flip is a product with the {@code W x W} exchange matrix, made once per width.
 */
final class FlipAveraged extends Module {
    private final Module model;
    private Tensor exchange;

    FlipAveraged(Module model) {
        this.model = registerModule("model", model);
    }

    @Override
    public Tensor forward(Tensor x) {
        int w = x.dim(x.rank() - 1);
        if (exchange == null || exchange.dim(0) != w || exchange.device() != x.device()) {
            float[] p = new float[w * w];
            for (int i = 0; i < w; i++) {
                p[i * w + (w - 1 - i)] = 1f;
            }
            if (exchange != null) {
                exchange.close();
            }
            exchange = org.cnn4j.runtime.Scope.disown(x.device().fromArray(p, w, w));
        }
        int[] shape = x.shape().toArray();
        Tensor flipped = x.reshape((int) (x.numel() / w), w).matmul(exchange).reshape(shape);
        return forwardChild(model, x).add(forwardChild(model, flipped)).mul(0.5f);
    }

    @Override
    public void close() {
        if (exchange != null) {
            exchange.close();
        }
        super.close();
    }

    @Override
    public String toString() {
        return "FlipAveraged(" + model + ")";
    }
}
