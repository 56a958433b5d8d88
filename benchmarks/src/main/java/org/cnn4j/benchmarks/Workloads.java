package org.cnn4j.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.F;
import org.cnn4j.layers.Sequential;
import org.cnn4j.optim.Adam;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.NoGrad;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;

/**
 * The benchmark workloads, shared by the JMH benchmarks and {@link SideBySide}; each has a twin of the same
 * name in {@code benchmarks/python/bench_torch.py}. Forward-only work runs without recording a graph;
 * forward+backward work back-propagates a fixed random output gradient and computes the gradient of the
 * input and of every weight.
 */
@SuppressWarnings("try") // Scope and NoGrad are opened for their effect on the code inside, never referenced
final class Workloads {
    /**
     * The op-level workloads on {@link #LAYER_SHAPE}, by name: max pooling 2x2 (forward; forward+backward), batch
     * normalization in training mode (forward+backward), dropout p=0.5 in training mode (forward; forward+backward)
     * and ReLU (forward; forward+backward).
     */
    static final Map<String, LayerOp> LAYER_OPS;

    static {
        Map<String, LayerOp> ops = new LinkedHashMap<>();
        ops.put("maxpool", LayerOp.MAX_POOL);
        ops.put("maxpool_fb", LayerOp.MAX_POOL_BACKWARD);
        ops.put("bn_fb", LayerOp.BATCH_NORM_BACKWARD);
        ops.put("dropout", LayerOp.DROPOUT);
        ops.put("dropout_fb", LayerOp.DROPOUT_BACKWARD);
        ops.put("relu", LayerOp.RELU);
        ops.put("relu_fb", LayerOp.RELU_BACKWARD);
        LAYER_OPS = Collections.unmodifiableMap(ops);
    }

    /** The names {@link #named} knows, in the order {@code compare.sh} runs them. */
    static final List<String> NAMES;

    static {
        List<String> names = new ArrayList<>(List.of("train64", "train256", "infer256"));
        for (int i = 1; i <= ConvShape.STANDARD.size(); i++) {
            names.add("conv" + i);
        }
        for (int i = 1; i <= ConvShape.STANDARD.size(); i++) {
            names.add("conv" + i + "_fb");
        }
        names.addAll(List.of("sgemm1024", "sgemm2048"));
        names.addAll(LAYER_OPS.keySet());
        NAMES = Collections.unmodifiableList(names);
    }

    /** Shape of the pooling, batch-norm and dropout benchmarks. */
    static final int[] LAYER_SHAPE = {64, 32, 28, 28};
    static final int[] LAYER_SHAPE_TINY = {2, 4, 8, 8};

    private Workloads() {
    }

    /**
     * The workload {@code name} (see {@link #NAMES}) on {@code device}; {@code tiny} shrinks every size for
     * smoke tests.
     *
     * @throws IllegalArgumentException naming the workloads there are
     */
    static Workload named(String name, Device device, boolean tiny) {
        switch (name) {
            case "train64":
                return new TrainStep(name, device, tiny ? 4 : 64);
            case "train256":
                return new TrainStep(name, device, tiny ? 8 : 256);
            case "infer256":
                return new Inference(name, device, tiny ? 8 : 256);
            case "sgemm1024":
                return new Sgemm(name, device, tiny ? 64 : 1024);
            case "sgemm2048":
                return new Sgemm(name, device, tiny ? 96 : 2048);
            default:
                break;
        }
        if (LAYER_OPS.containsKey(name)) {
            return new Layer(name, device, LAYER_OPS.get(name), tiny ? LAYER_SHAPE_TINY : LAYER_SHAPE);
        }
        if (name.matches("conv[1-9](_fb)?") && name.charAt(4) - '0' <= ConvShape.STANDARD.size()) {
            ConvShape shape = ConvShape.parse(name.substring(0, 5));
            return new Conv(name, device, tiny ? shape.tiny() : shape, name.endsWith("_fb"));
        }
        throw new IllegalArgumentException("Workloads.named: workload must be one of " + NAMES + ", but got '" + name + "'");
    }

    /** A random input {@code dims}, kept by {@code w}. */
    private static Tensor input(Workload w, Device device, Generator gen, float std, int... dims) {
        try (Scope s = Scope.open()) {
            return w.keep(device.normal(gen, 0f, std, dims));
        }
    }

    /** Reads back the sum of {@code t}: the one device-to-host copy of an invocation. */
    private static float readBack(Tensor t) {
        return t.sum().item();
    }

    /**
     * 2-D convolution with bias, forward ({@code 2 N K Ho Wo C k k} FLOPs) or forward+backward (gradients of
     * input, weight and bias; counted as 3 forwards).
     */
    static final class Conv extends Workload {
        private final ConvShape s;
        private final boolean backward;
        private final Tensor x;
        private final Tensor weight;
        private final Tensor bias;
        private final Tensor gradOut;
        private final int[] stride;
        private final int[] padding;
        private final int[] dilation = {1, 1};

        Conv(String name, Device device, ConvShape s, boolean backward) {
            super(name, Unit.GFLOPS, (backward ? 3 : 1) * s.forwardFlops(), s.toString());
            this.s = s;
            this.backward = backward;
            Generator gen = new Generator(7);
            x = input(this, device, gen, 1f, s.n(), s.c(), s.h(), s.w());
            weight = input(this, device, gen, (float) (1 / Math.sqrt(s.c() * s.kernel() * s.kernel())), s.k(), s.c(),
                    s.kernel(), s.kernel());
            bias = input(this, device, gen, 0.1f, s.k());
            gradOut = backward ? input(this, device, gen, 1f, s.n(), s.k(), s.outH(), s.outW()) : null;
            if (backward) {
                x.requiresGrad(true);
                weight.requiresGrad(true);
                bias.requiresGrad(true);
            }
            stride = new int[] {s.stride(), s.stride()};
            padding = new int[] {s.pad(), s.pad(), s.pad(), s.pad()};
        }

        @Override
        float run() {
            if (!backward) {
                try (NoGrad off = NoGrad.enter(); Scope scope = Scope.open()) {
                    return readBack(F.conv2d("Conv.forward", x, weight, bias, stride, padding, dilation, 1));
                }
            }
            try (Scope scope = Scope.open()) {
                Tensor y = F.conv2d("Conv.forward", x, weight, bias, stride, padding, dilation, 1);
                y.backward(gradOut, false);
                float v = readBack(weight.grad());
                x.zeroGrad();
                weight.zeroGrad();
                bias.zeroGrad();
                return v;
            }
        }

        ConvShape convShape() {
            return s;
        }
    }

    /** {@code C = A B} of two {@code n x n} matrices: {@code 2 n^3} FLOPs. */
    static final class Sgemm extends Workload {
        private final Tensor a;
        private final Tensor b;

        Sgemm(String name, Device device, int n) {
            super(name, Unit.GFLOPS, 2.0 * n * n * n, n + "x" + n + "x" + n);
            Generator gen = new Generator(11);
            a = input(this, device, gen, 1f, n, n);
            b = input(this, device, gen, 1f, n, n);
        }

        @Override
        float run() {
            try (Scope scope = Scope.open()) {
                return readBack(a.matmul(b));
            }
        }
    }

    /** What {@link Layer} times. */
    enum LayerOp {
        MAX_POOL, MAX_POOL_BACKWARD, BATCH_NORM_BACKWARD, DROPOUT, DROPOUT_BACKWARD, RELU, RELU_BACKWARD
    }

    /**
     * Max pooling 2x2 (forward, or forward+backward), batch normalization in training mode (forward+backward,
     * running statistics updated), dropout p=0.5 in training mode (forward, or forward+backward) or ReLU (forward,
     * or forward+backward) of one tensor; throughput in input elements. Each invocation reads back the sum of its
     * result (forward) or of the input's gradient (forward+backward), as its PyTorch twin does.
     */
    static final class Layer extends Workload {
        private final LayerOp op;
        private final Tensor x;
        private final Tensor gradOut;
        private final Tensor gamma;
        private final Tensor beta;
        private final Tensor runningMean;
        private final Tensor runningVar;
        private final Generator gen = new Generator(13);
        private final int[] two = {2, 2};
        private final int[] zero = {0, 0};

        Layer(String name, Device device, LayerOp op, int... dims) {
            super(name, Unit.MELEMENTS, (double) dims[0] * dims[1] * dims[2] * dims[3], dims[0] + "x" + dims[1] + "x"
                    + dims[2] + "x" + dims[3]);
            this.op = op;
            x = input(this, device, gen, 1f, dims);
            boolean backward = op != LayerOp.MAX_POOL && op != LayerOp.DROPOUT && op != LayerOp.RELU;
            int[] outDims = op == LayerOp.MAX_POOL_BACKWARD ? new int[] {dims[0], dims[1], dims[2] / 2, dims[3] / 2} : dims;
            gradOut = backward ? input(this, device, gen, 1f, outDims) : null;
            if (backward) {
                x.requiresGrad(true);
            }
            if (op == LayerOp.BATCH_NORM_BACKWARD) {
                try (Scope s = Scope.open()) {
                    gamma = keep(device.ones(dims[1])).requiresGrad(true);
                    beta = keep(device.zeros(dims[1])).requiresGrad(true);
                    runningMean = keep(device.zeros(dims[1]));
                    runningVar = keep(device.ones(dims[1]));
                }
            } else {
                gamma = null;
                beta = null;
                runningMean = null;
                runningVar = null;
            }
        }

        @Override
        float run() {
            if (gradOut == null) {
                try (NoGrad off = NoGrad.enter(); Scope scope = Scope.open()) {
                    return readBack(forward());
                }
            }
            try (Scope scope = Scope.open()) {
                forward().backward(gradOut, false);
                float v = readBack(x.grad());
                x.zeroGrad();
                if (gamma != null) {
                    gamma.zeroGrad();
                    beta.zeroGrad();
                }
                return v;
            }
        }

        private Tensor forward() {
            switch (op) {
                case MAX_POOL:
                case MAX_POOL_BACKWARD:
                    return F.maxPool2d("Layer.maxPool2d", x, two, two, zero, false);
                case BATCH_NORM_BACKWARD:
                    return F.batchNorm("Layer.batchNorm", x, runningMean, runningVar, gamma, beta, true, 0.1f, 1e-5f);
                case RELU:
                case RELU_BACKWARD:
                    return x.relu();
                default:
                    return F.dropout("Layer.dropout", x, 0.5f, true, gen);
            }
        }
    }

    /**
     * One training step of the reference CNN on a batch of random 28x28 images: forward, cross-entropy,
     * backward, Adam (lr 1e-3); the loss is read back. Throughput in images.
     */
    static final class TrainStep extends Workload {
        private final Sequential model;
        private final Adam optimizer;
        private final CrossEntropyLoss lossFn = new CrossEntropyLoss();
        private final Tensor x;
        private final Tensor y;

        TrainStep(String name, Device device, int batch) {
            super(name, Unit.IMAGES, batch, "batch " + batch + " x " + ReferenceCnn.CHANNELS + "x" + ReferenceCnn.SIZE + "x"
                    + ReferenceCnn.SIZE);
            Generator gen = new Generator(1);
            try (Scope s = Scope.open()) { // frees whatever initialisation leaves behind
                model = keep(ReferenceCnn.build(device, gen));
            }
            model.train();
            optimizer = keep(new Adam(model.parameters()).lr(1e-3));
            x = input(this, device, gen, 1f, batch, ReferenceCnn.CHANNELS, ReferenceCnn.SIZE, ReferenceCnn.SIZE);
            y = labels(this, device, batch);
        }

        @Override
        float run() {
            try (Scope scope = Scope.open()) {
                optimizer.zeroGrad();
                Tensor loss = lossFn.apply(model.forward(x), y);
                loss.backward();
                optimizer.step();
                return loss.item();
            }
        }
    }

    /** Inference of the reference CNN (evaluation mode, no graph) on a batch of random images. */
    static final class Inference extends Workload {
        private final Sequential model;
        private final Tensor x;

        Inference(String name, Device device, int batch) {
            super(name, Unit.IMAGES, batch, "batch " + batch + " x " + ReferenceCnn.CHANNELS + "x" + ReferenceCnn.SIZE + "x"
                    + ReferenceCnn.SIZE);
            Generator gen = new Generator(1);
            try (Scope s = Scope.open()) { // frees whatever initialisation leaves behind
                model = keep(ReferenceCnn.build(device, gen));
            }
            model.eval();
            x = input(this, device, gen, 1f, batch, ReferenceCnn.CHANNELS, ReferenceCnn.SIZE, ReferenceCnn.SIZE);
        }

        @Override
        float run() {
            try (NoGrad off = NoGrad.enter(); Scope scope = Scope.open()) {
                return readBack(model.forward(x));
            }
        }
    }

    /** Class labels {@code 0, 1, ..., 9, 0, 1, ...} as a float tensor {@code [batch]}. */
    private static Tensor labels(Workload w, Device device, int batch) {
        float[] labels = new float[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % ReferenceCnn.CLASSES;
        }
        try (Scope s = Scope.open()) {
            return w.keep(device.fromArray(labels, batch));
        }
    }
}
