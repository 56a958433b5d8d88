package org.cnn4j.layers;

import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Tensor;

/**
 * Fully connected layer {@code y = x W^T + b}.
 * <p><b>Shape</b>: input {@code [N, inFeatures]}, weight {@code [outFeatures, inFeatures]}, output {@code [N, outFeatures]}.
 * <p><b>Defaults</b>: bias; PyTorch's initialization {@code U(-1/sqrt(in), 1/sqrt(in))} for weight and bias.
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    /** {@code inFeatures -> outFeatures} with bias, on the default device. */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true, Device.defaultDevice(), Generator.global());
    }

    /** The general form. */
    public Linear(int inFeatures, int outFeatures, boolean bias, Device device, Generator gen) {
        Checks.positive("Linear", "inFeatures", inFeatures);
        Checks.positive("Linear", "outFeatures", outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = registerParameter("weight", Init.pytorchDefault(device, gen, inFeatures, outFeatures, inFeatures));
        this.bias = bias ? registerParameter("bias", Init.pytorchDefault(device, gen, inFeatures, outFeatures)) : null;
    }

    /** The weight {@code [outFeatures, inFeatures]}. */
    public Parameter weight() {
        return weight;
    }

    /** The bias {@code [outFeatures]}, or null. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.linear("Linear.forward", x, weight.tensor(), bias == null ? null : bias.tensor());
    }

    @Override
    public String toString() {
        return "Linear(" + inFeatures + ", " + outFeatures + ", bias=" + (bias != null) + ")";
    }
}
