package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.cnn4j.layers.AdaptiveAvgPool2d;
import org.cnn4j.layers.AvgPool2d;
import org.cnn4j.layers.BatchNorm1d;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.Conv3d;
import org.cnn4j.layers.ConvTranspose2d;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Dropout;
import org.cnn4j.layers.Dropout2d;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.GlobalAvgPool2d;
import org.cnn4j.layers.GlobalMaxPool2d;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.MSELoss;
import org.cnn4j.layers.MaxPool2d;
import org.cnn4j.layers.Module;
import org.cnn4j.layers.Padding;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.TestDevices;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Errors of the layer classes are part of the contract (../shared/DESIGN.md, "Error messages"): every invalid
 * argument of every layer (channel mismatch, a kernel larger than the padded input, groups that do not divide the
 * channels, zero or negative sizes, a wrong rank, a bad dropout probability, batch norm with one value per channel
 * in training) raises an {@link IllegalArgumentException}
 * <ul>
 *   <li>whose message starts with the layer: {@code Conv2d.forward:} for a bad input, {@code Conv2d:} for a bad
 *       hyperparameter rejected by the constructor ({@code .apply:} for the losses),</li>
 *   <li>that names the offending shape(s) or value as the user gave them,</li>
 *   <li>with the same message on every device (compared with the CPU's),</li>
 *   <li>and that leaves no pool memory allocated ({@code bytesInUse} unchanged across the rejected call).</li>
 * </ul>
 * A bad hyperparameter may be rejected by the constructor or, at the latest, by the first {@code forward} on a
 * valid input ({@link When#EITHER}); then the message starts with {@code Layer:} or {@code Layer.forward:}.
 */
class LayerErrorContractTest {

    /** When the bad argument must be rejected. */
    enum When {
        /** By the constructor: the message starts with {@code Layer:}. */
        CONSTRUCTOR,
        /** By {@code forward} (or a loss's {@code apply}): the message starts with {@code Layer.forward:}. */
        CALL,
        /** By the constructor, or at the latest by the first forward on a valid input. */
        EITHER
    }

    /** Makes a layer, or throws when the bad argument is a hyperparameter. */
    @FunctionalInterface
    interface Maker {
        AutoCloseable make(Device device);
    }

    /** The call on a made layer (its input prepared on the device) that must fail; null for a constructor-only case. */
    @FunctionalInterface
    interface Call {
        Runnable prepare(AutoCloseable layer, Device device);
    }

    /**
     * One bad use of a layer.
     *
     * @param layer the class name the message must start with
     * @param when where it must be rejected
     * @param make the constructor call
     * @param call the failing call for {@link When#CALL}, a valid forward for {@link When#EITHER}, null for {@link When#CONSTRUCTOR}
     * @param mentions what the message must contain (shapes as {@code [2, 4, 8, 8]}, values)
     */
    record Bad(String id, String layer, When when, Maker make, Call call, String... mentions) {
        @Override
        public String toString() {
            return id;
        }
    }

    /** The case whose failing layer runs after another layer has allocated (see {@link #reject}). */
    static final String LATER_CHILD = "sequential_later_child";

    private static Generator gen() {
        return new Generator(11);
    }

    private static Call forward(int... dims) {
        return (layer, device) -> {
            Tensor x = device.zeros(dims);
            return () -> ((Module) layer).forward(x);
        };
    }

    private static Call forwardEval(int... dims) {
        return (layer, device) -> {
            ((Module) layer).eval();
            Tensor x = device.zeros(dims);
            return () -> ((Module) layer).forward(x);
        };
    }

    private static Conv2d conv2d(Device d, int in, int out, int k, int s, int p, int dil, int groups) {
        return new Conv2d(in, out, new int[] {k, k}, new int[] {s, s}, Padding.of(p), new int[] {dil, dil}, groups, true, d, gen());
    }

    private static Conv3d conv3d(Device d, int in, int out, int[] k, int[] s, int[] p, int[] dil, int groups) {
        return new Conv3d(in, out, k, s, p, dil, groups, true, d, gen());
    }

    private static ConvTranspose2d convT(Device d, int in, int out, int[] k, int[] s, int[] p, int[] op, int[] dil, int groups) {
        return new ConvTranspose2d(in, out, k, s, p, op, dil, groups, true, d, gen());
    }

    private static int[] a(int... v) {
        return v;
    }

    static List<Bad> cases() {
        List<Bad> c = new ArrayList<>();
        When ctor = When.CONSTRUCTOR;
        When call = When.CALL;
        When either = When.EITHER;
        // ---- Conv2d
        c.add(new Bad("conv2d_channels", "Conv2d", call, d -> conv2d(d, 3, 8, 3, 1, 1, 1, 1), forward(2, 4, 8, 8),
                "[2, 4, 8, 8]", "inChannels=3"));
        c.add(new Bad("conv2d_rank3", "Conv2d", call, d -> conv2d(d, 3, 8, 3, 1, 1, 1, 1), forward(3, 8, 8), "[3, 8, 8]"));
        c.add(new Bad("conv2d_rank5", "Conv2d", call, d -> conv2d(d, 3, 8, 3, 1, 1, 1, 1), forward(1, 3, 2, 8, 8),
                "[1, 3, 2, 8, 8]"));
        c.add(new Bad("conv2d_kernel_too_large", "Conv2d", call, d -> conv2d(d, 3, 4, 5, 1, 1, 1, 1), forward(1, 3, 2, 2),
                "[1, 3, 2, 2]", "[4, 3, 5, 5]", "[1, 1, 1, 1]"));
        c.add(new Bad("conv2d_dilated_kernel_too_large", "Conv2d", call, d -> conv2d(d, 2, 2, 3, 1, 0, 3, 1), forward(1, 2, 6, 6),
                "[1, 2, 6, 6]", "[2, 2, 3, 3]", "[3, 3]"));
        c.add(new Bad("conv2d_groups_in", "Conv2d", ctor, d -> conv2d(d, 6, 8, 3, 1, 1, 1, 4), null,
                "groups=4", "inChannels=6", "outChannels=8"));
        c.add(new Bad("conv2d_groups_out", "Conv2d", ctor, d -> conv2d(d, 4, 6, 3, 1, 1, 1, 4), null,
                "groups=4", "inChannels=4", "outChannels=6"));
        c.add(new Bad("conv2d_groups_zero", "Conv2d", ctor, d -> conv2d(d, 4, 4, 3, 1, 1, 1, 0), null, "groups", "0"));
        c.add(new Bad("conv2d_in_zero", "Conv2d", ctor, d -> conv2d(d, 0, 4, 3, 1, 1, 1, 1), null, "inChannels", "0"));
        c.add(new Bad("conv2d_out_negative", "Conv2d", ctor, d -> conv2d(d, 3, -4, 3, 1, 1, 1, 1), null, "outChannels", "-4"));
        c.add(new Bad("conv2d_kernel_zero", "Conv2d", ctor, d -> new Conv2d(3, 4, a(0, 3), a(1, 1), Padding.of(1), a(1, 1), 1,
                true, d, gen()), null, "kernel", "0"));
        c.add(new Bad("conv2d_stride_zero", "Conv2d", ctor, d -> conv2d(d, 3, 4, 3, 0, 1, 1, 1), null, "stride", "0"));
        c.add(new Bad("conv2d_dilation_negative", "Conv2d", ctor, d -> conv2d(d, 3, 4, 3, 1, 1, -1, 1), null, "dilation", "-1"));
        c.add(new Bad("conv2d_padding_negative", "Conv2d", ctor, d -> new Conv2d(3, 4, a(3, 3), a(1, 1), Padding.of(0, 0, -1, 0),
                a(1, 1), 1, true, d, gen()), null, "padding", "[0, 0, -1, 0]"));
        c.add(new Bad("conv2d_kernel_length", "Conv2d", ctor, d -> new Conv2d(3, 4, a(3), a(1, 1), Padding.of(1), a(1, 1), 1,
                true, d, gen()), null, "kernel", "[3]"));
        // ---- Conv3d
        c.add(new Bad("conv3d_channels", "Conv3d", call, d -> conv3d(d, 3, 4, a(3, 3, 3), a(1, 1, 1), new int[6], a(1, 1, 1), 1),
                forward(1, 2, 4, 4, 4), "[1, 2, 4, 4, 4]", "inChannels=3"));
        c.add(new Bad("conv3d_rank4", "Conv3d", call, d -> conv3d(d, 3, 4, a(3, 3, 3), a(1, 1, 1), new int[6], a(1, 1, 1), 1),
                forward(1, 3, 4, 4), "[1, 3, 4, 4]"));
        c.add(new Bad("conv3d_kernel_too_large", "Conv3d", call, d -> conv3d(d, 3, 4, a(3, 3, 3), a(1, 1, 1), new int[6],
                a(1, 1, 1), 1), forward(1, 3, 2, 4, 4), "[1, 3, 2, 4, 4]", "[4, 3, 3, 3, 3]"));
        c.add(new Bad("conv3d_groups", "Conv3d", ctor, d -> conv3d(d, 4, 6, a(3, 3, 3), a(1, 1, 1), new int[6], a(1, 1, 1), 4),
                null, "groups=4", "inChannels=4", "outChannels=6"));
        c.add(new Bad("conv3d_in_zero", "Conv3d", ctor, d -> conv3d(d, 0, 4, a(3, 3, 3), a(1, 1, 1), new int[6], a(1, 1, 1), 1),
                null, "inChannels", "0"));
        c.add(new Bad("conv3d_kernel_zero", "Conv3d", either, d -> conv3d(d, 3, 4, a(0, 3, 3), a(1, 1, 1), new int[6],
                a(1, 1, 1), 1), forward(1, 3, 4, 4, 4), "kernel", "0"));
        c.add(new Bad("conv3d_stride_negative", "Conv3d", either, d -> conv3d(d, 3, 4, a(3, 3, 3), a(1, -1, 1), new int[6],
                a(1, 1, 1), 1), forward(1, 3, 4, 4, 4), "stride", "-1"));
        c.add(new Bad("conv3d_padding_negative", "Conv3d", either, d -> conv3d(d, 3, 4, a(3, 3, 3), a(1, 1, 1),
                a(0, 0, -1, 0, 0, 0), a(1, 1, 1), 1), forward(1, 3, 4, 4, 4), "padding", "[0, 0, -1, 0, 0, 0]"));
        // ---- ConvTranspose2d
        c.add(new Bad("convT_channels", "ConvTranspose2d", call, d -> convT(d, 3, 2, a(3, 3), a(2, 2), a(1, 1), a(1, 1), a(1, 1), 1),
                forward(2, 4, 5, 5), "[2, 4, 5, 5]", "inChannels=3"));
        c.add(new Bad("convT_rank3", "ConvTranspose2d", call, d -> convT(d, 3, 2, a(3, 3), a(2, 2), a(1, 1), a(1, 1), a(1, 1), 1),
                forward(3, 5, 5), "[3, 5, 5]"));
        c.add(new Bad("convT_output_size", "ConvTranspose2d", call, d -> convT(d, 2, 2, a(1, 1), a(1, 1), a(1, 1), a(0, 0),
                a(1, 1), 1), forward(1, 2, 1, 1), "[1, 2, 1, 1]", "-1"));
        c.add(new Bad("convT_groups", "ConvTranspose2d", ctor, d -> convT(d, 4, 6, a(3, 3), a(1, 1), a(1, 1), a(0, 0), a(1, 1), 4),
                null, "groups=4", "inChannels=4", "outChannels=6"));
        c.add(new Bad("convT_out_zero", "ConvTranspose2d", ctor, d -> convT(d, 4, 0, a(3, 3), a(1, 1), a(1, 1), a(0, 0), a(1, 1), 1),
                null, "outChannels", "0"));
        c.add(new Bad("convT_kernel_zero", "ConvTranspose2d", either, d -> convT(d, 2, 2, a(0, 3), a(1, 1), a(0, 0), a(0, 0),
                a(1, 1), 1), forward(1, 2, 4, 4), "kernel", "0"));
        c.add(new Bad("convT_stride_zero", "ConvTranspose2d", either, d -> convT(d, 2, 2, a(3, 3), a(0, 1), a(0, 0), a(0, 0),
                a(1, 1), 1), forward(1, 2, 4, 4), "stride", "0"));
        c.add(new Bad("convT_output_padding", "ConvTranspose2d", either, d -> convT(d, 2, 2, a(3, 3), a(2, 2), a(1, 1), a(2, 0),
                a(1, 1), 1), forward(1, 2, 4, 4), "output padding", "[2, 0]"));
        c.add(new Bad("convT_kernel_length", "ConvTranspose2d", ctor, d -> convT(d, 2, 2, a(3), a(1, 1), a(0, 0), a(0, 0),
                a(1, 1), 1), null, "kernel", "[3]"));
        c.add(new Bad("convT_padding_negative", "ConvTranspose2d", either, d -> convT(d, 2, 2, a(3, 3), a(1, 1), a(-1, 0),
                a(0, 0), a(1, 1), 1), forward(1, 2, 4, 4), "padding", "[-1, 0]"));
        // ---- pooling
        for (String pool : new String[] {"MaxPool2d", "AvgPool2d"}) {
            Function<int[][], Module> make = p -> pool.equals("MaxPool2d") ? new MaxPool2d(p[0], p[1], p[2], false)
                    : new AvgPool2d(p[0], p[1], p[2], false, true);
            String lc = pool.toLowerCase(java.util.Locale.ROOT);
            c.add(new Bad(lc + "_kernel_too_large", pool, call, d -> make.apply(new int[][] {a(5, 5), a(1, 1), a(1, 1)}),
                    forward(1, 1, 2, 2), "[1, 1, 2, 2]", "[5, 5]", "[1, 1]"));
            c.add(new Bad(lc + "_rank3", pool, call, d -> make.apply(new int[][] {a(2, 2), a(2, 2), a(0, 0)}), forward(1, 4, 4),
                    "[1, 4, 4]"));
            c.add(new Bad(lc + "_kernel_zero", pool, either, d -> make.apply(new int[][] {a(0, 2), a(1, 1), a(0, 0)}),
                    forward(1, 1, 4, 4), "kernel", "0"));
            c.add(new Bad(lc + "_stride_negative", pool, either, d -> make.apply(new int[][] {a(2, 2), a(-1, 1), a(0, 0)}),
                    forward(1, 1, 4, 4), "stride", "-1"));
            c.add(new Bad(lc + "_padding_over_half_kernel", pool, either, d -> make.apply(new int[][] {a(2, 2), a(2, 2), a(2, 0)}),
                    forward(1, 1, 6, 6), "padding", "[2, 0]", "[2, 2]"));
            c.add(new Bad(lc + "_kernel_length", pool, ctor, d -> make.apply(new int[][] {a(2, 2, 2), a(2, 2), a(0, 0)}), null,
                    "kernel", "3"));
        }
        c.add(new Bad("adaptive_rank3", "AdaptiveAvgPool2d", call, d -> new AdaptiveAvgPool2d(2, 2), forward(3, 4, 4), "[3, 4, 4]"));
        c.add(new Bad("adaptive_zero", "AdaptiveAvgPool2d", ctor, d -> new AdaptiveAvgPool2d(0, 2), null, "output height", "0"));
        c.add(new Bad("adaptive_negative", "AdaptiveAvgPool2d", ctor, d -> new AdaptiveAvgPool2d(2, -3), null, "output width", "-3"));
        c.add(new Bad("global_avg_rank2", "GlobalAvgPool2d", call, d -> new GlobalAvgPool2d(), forward(2, 3), "[2, 3]"));
        c.add(new Bad("global_max_rank5", "GlobalMaxPool2d", call, d -> new GlobalMaxPool2d(), forward(1, 2, 3, 4, 5),
                "[1, 2, 3, 4, 5]"));
        // ---- batch norm
        c.add(new Bad("bn2d_channels", "BatchNorm2d", call, d -> new BatchNorm2d(3, 1e-5f, 0.1f, true, d), forward(2, 4, 3, 3),
                "[2, 4, 3, 3]", "3 channels"));
        c.add(new Bad("bn2d_channels_eval", "BatchNorm2d", call, d -> new BatchNorm2d(3, 1e-5f, 0.1f, true, d),
                forwardEval(2, 4, 3, 3), "[2, 4, 3, 3]", "3 channels"));
        c.add(new Bad("bn2d_rank3", "BatchNorm2d", call, d -> new BatchNorm2d(3, 1e-5f, 0.1f, true, d), forward(2, 3, 4), "[2, 3, 4]"));
        c.add(new Bad("bn2d_one_value_per_channel", "BatchNorm2d", call, d -> new BatchNorm2d(3, 1e-5f, 0.1f, true, d),
                forward(1, 3, 1, 1), "[1, 3, 1, 1]"));
        c.add(new Bad("bn2d_channels_zero", "BatchNorm2d", ctor, d -> new BatchNorm2d(0, 1e-5f, 0.1f, true, d), null, "channels", "0"));
        c.add(new Bad("bn2d_momentum", "BatchNorm2d", ctor, d -> new BatchNorm2d(3, 1e-5f, 1.5f, true, d), null, "momentum=1.5"));
        c.add(new Bad("bn2d_eps", "BatchNorm2d", ctor, d -> new BatchNorm2d(3, 0f, 0.1f, true, d), null, "eps=0.0"));
        c.add(new Bad("bn1d_one_value_per_channel", "BatchNorm1d", call, d -> new BatchNorm1d(5, 1e-5f, 0.1f, true, d),
                forward(1, 5), "[1, 5]"));
        c.add(new Bad("bn1d_channels", "BatchNorm1d", call, d -> new BatchNorm1d(5, 1e-5f, 0.1f, true, d), forward(4, 6),
                "[4, 6]", "5 channels"));
        c.add(new Bad("bn1d_rank4", "BatchNorm1d", call, d -> new BatchNorm1d(5, 1e-5f, 0.1f, true, d), forward(2, 5, 3, 3),
                "[2, 5, 3, 3]"));
        c.add(new Bad("bn1d_rank1", "BatchNorm1d", call, d -> new BatchNorm1d(5, 1e-5f, 0.1f, true, d), forward(5), "[5]"));
        c.add(new Bad("bn1d_features_negative", "BatchNorm1d", ctor, d -> new BatchNorm1d(-1, 1e-5f, 0.1f, true, d), null, "-1"));
        // ---- Linear, Flatten, dropout
        c.add(new Bad("linear_features", "Linear", call, d -> new Linear(5, 2, true, d, gen()), forward(2, 4), "[2, 4]",
                "inFeatures=5"));
        c.add(new Bad("linear_rank3", "Linear", call, d -> new Linear(5, 2, true, d, gen()), forward(2, 3, 5), "[2, 3, 5]"));
        c.add(new Bad("linear_rank1", "Linear", call, d -> new Linear(5, 2, true, d, gen()), forward(5), "[5]"));
        c.add(new Bad("linear_in_zero", "Linear", ctor, d -> new Linear(0, 2, true, d, gen()), null, "inFeatures", "0"));
        c.add(new Bad("linear_out_negative", "Linear", ctor, d -> new Linear(3, -2, true, d, gen()), null, "outFeatures", "-2"));
        c.add(new Bad("flatten_scalar", "Flatten", call, d -> new Flatten(), (layer, device) -> {
            Tensor x = device.scalar(1f);
            return () -> ((Module) layer).forward(x);
        }, "scalar"));
        for (float p : new float[] {1f, -0.1f, Float.NaN, 1.5f}) {
            c.add(new Bad("dropout_p_" + p, "Dropout", ctor, d -> new Dropout(p, gen()), null, "p", String.valueOf(p)));
            c.add(new Bad("dropout2d_p_" + p, "Dropout2d", ctor, d -> new Dropout2d(p, gen()), null, "p", String.valueOf(p)));
        }
        c.add(new Bad("dropout2d_rank2", "Dropout2d", call, d -> new Dropout2d(0.5f, gen()), forward(4, 5), "[4, 5]"));
        // ---- a child's error inside Sequential names the child (the later child runs after the conv has allocated its
        // output, which belongs to the caller's scope: there the pool must be back to the start once the scope closes)
        c.add(new Bad("sequential_first_child", "Conv2d", call, d -> new Sequential(conv2d(d, 1, 2, 3, 1, 1, 1, 1), new Flatten(),
                new Linear(48, 3, true, d, gen())), forward(2, 3, 4, 6), "[2, 3, 4, 6]", "inChannels=1"));
        c.add(new Bad(LATER_CHILD, "Linear", call, d -> new Sequential(conv2d(d, 1, 2, 3, 1, 1, 1, 1), new Flatten(),
                new Linear(50, 3, true, d, gen())), forward(2, 1, 4, 6), "[2, 48]", "inFeatures=50"));
        // ---- losses
        c.add(new Bad("cross_entropy_smoothing", "CrossEntropyLoss", ctor, d -> lossHolder(new CrossEntropyLoss(-0.1f, true)),
                null, "label smoothing", "-0.1"));
        c.add(new Bad("cross_entropy_smoothing_nan", "CrossEntropyLoss", ctor, d -> lossHolder(new CrossEntropyLoss(Float.NaN, true)),
                null, "label smoothing", "NaN"));
        c.add(new Bad("cross_entropy_logits_rank1", "CrossEntropyLoss", call, d -> lossHolder(new CrossEntropyLoss()),
                crossEntropy(a(5), a(5)), "[5]"));
        c.add(new Bad("cross_entropy_logits_rank3", "CrossEntropyLoss", call, d -> lossHolder(new CrossEntropyLoss()),
                crossEntropy(a(2, 3, 4), a(2)), "[2, 3, 4]"));
        c.add(new Bad("cross_entropy_targets", "CrossEntropyLoss", call, d -> lossHolder(new CrossEntropyLoss()),
                crossEntropy(a(4, 3), a(3)), "[4, 3]", "[3]"));
        c.add(new Bad("cross_entropy_targets_rank2", "CrossEntropyLoss", call, d -> lossHolder(new CrossEntropyLoss(0.1f, false)),
                crossEntropy(a(4, 3), a(4, 1)), "[4, 3]", "[4, 1]"));
        c.add(new Bad("cross_entropy_target_out_of_range", "CrossEntropyLoss", call, d -> lossHolder(new CrossEntropyLoss()),
                (holder, device) -> {
                    Tensor x = device.zeros(4, 3);
                    Tensor t = device.fromArray(new float[] {0, 1, 5, 2}, 4);
                    return () -> ((CrossEntropyLoss) ((LossHolder) holder).loss).apply(x, t);
                }, "5", "3"));
        c.add(new Bad("mse_shapes", "MSELoss", call, d -> lossHolder(new MSELoss()), (holder, device) -> {
            Tensor x = device.zeros(2, 3);
            Tensor t = device.zeros(3, 2);
            return () -> ((MSELoss) ((LossHolder) holder).loss).apply(x, t);
        }, "[2, 3]", "[3, 2]"));
        return c;
    }

    /** A loss (not a module) as a closeable, for the runner. */
    record LossHolder(Object loss) implements AutoCloseable {
        @Override
        public void close() {
        }
    }

    private static LossHolder lossHolder(Object loss) {
        return new LossHolder(loss);
    }

    private static Call crossEntropy(int[] logits, int[] targets) {
        return (holder, device) -> {
            Tensor x = device.zeros(logits);
            Tensor t = device.zeros(targets);
            return () -> ((CrossEntropyLoss) ((LossHolder) holder).loss).apply(x, t);
        };
    }

    static Stream<Arguments> devicesAndCases() {
        return TestDevices.all().flatMap(d -> cases().stream().map(b -> Arguments.of(d, Named.of(b.id(), b))));
    }

    @Test
    void theCasesCoverEveryLayerAndTheirIdsAreUnique() {
        List<Bad> all = cases();
        assertEquals(all.size(), all.stream().map(Bad::id).distinct().count(), "duplicate case ids");
        for (String layer : new String[] {"Conv2d", "Conv3d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
            "GlobalAvgPool2d", "GlobalMaxPool2d", "BatchNorm1d", "BatchNorm2d", "Linear", "Flatten", "Dropout", "Dropout2d",
            "CrossEntropyLoss", "MSELoss"}) {
            assertTrue(all.stream().anyMatch(b -> b.layer().equals(layer)), "no error case for " + layer);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("devicesAndCases")
    void isRejectedNamingTheLayerAndTheOffendingValue(Device device, Bad bad) {
        String message = reject(device, bad);
        String cpuMessage = reject(TestDevices.cpu(), bad);
        assertEquals(cpuMessage, message, bad.id() + ": " + device.spec() + " must fail with the same message as cpu");
        String forward = bad.layer() + (bad.layer().endsWith("Loss") ? ".apply:" : ".forward:");
        String ctor = bad.layer() + ":";
        boolean ok = switch (bad.when()) {
            case CONSTRUCTOR -> message.startsWith(ctor);
            case CALL -> message.startsWith(forward);
            case EITHER -> message.startsWith(ctor) || message.startsWith(forward);
        };
        assertTrue(ok, bad.id() + " on " + device.spec() + ": message must start with '"
                + (bad.when() == When.CALL ? forward : bad.when() == When.CONSTRUCTOR ? ctor : ctor + "' or '" + forward)
                + "', but was: " + message);
        for (String part : bad.mentions()) {
            assertTrue(message.contains(part), bad.id() + " on " + device.spec() + ": message must mention '" + part
                    + "', but was: " + message);
        }
    }

    /** Runs the bad case on {@code device}; returns the message of its IllegalArgumentException. */
    private static String reject(Device device, Bad bad) {
        String what = bad.id() + " on " + device.spec();
        long before = device.pool().bytesInUse();
        String message;
        try (Scope scope = Scope.open()) {
            AutoCloseable layer;
            try {
                layer = bad.make().make(device);
            } catch (RuntimeException e) {
                assertSame(IllegalArgumentException.class, e.getClass(), () -> what + ": the constructor must throw "
                        + "IllegalArgumentException, but threw " + e);
                assertTrue(bad.when() != When.CALL, () -> what + ": the constructor must accept these arguments, but threw " + e);
                assertEquals(before, device.pool().bytesInUse(), what + ": a rejected constructor must not leave memory allocated");
                return clean(e.getMessage());
            }
            try (AutoCloseable owned = layer) {
                if (bad.when() == When.CONSTRUCTOR) {
                    fail(what + ": the constructor must reject the arguments, but made " + layer);
                }
                Runnable failing = bad.call().prepare(layer, device);
                long beforeCall = device.pool().bytesInUse();
                RuntimeException e = null;
                try {
                    failing.run();
                } catch (RuntimeException thrown) {
                    e = thrown;
                }
                assertNotNull(e, () -> what + ": the call must throw IllegalArgumentException, but returned (layer " + layer + ")");
                RuntimeException thrown = e;
                assertSame(IllegalArgumentException.class, e.getClass(), () -> what + ": the call must throw "
                        + "IllegalArgumentException, but threw " + thrown);
                if (!bad.id().equals(LATER_CHILD)) {
                    assertEquals(beforeCall, device.pool().bytesInUse(), what + ": a rejected call must not leave memory allocated");
                }
                message = clean(e.getMessage());
            } catch (RuntimeException | AssertionError e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError(what + ": closing the layer failed", e);
            }
        }
        assertEquals(before, device.pool().bytesInUse(), what + ": closing the layer and the scope must return every buffer");
        return message;
    }

    private static String clean(String message) {
        return message == null ? "null" : message.replaceAll("tensor#\\d+", "tensor#N");
    }

    /** The boundary that must stay accepted: one value per channel is fine in evaluation mode, two in training. */
    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void batchNormAcceptsTheSmallestValidBatches(Device device) {
        try (Scope scope = Scope.open(); BatchNorm2d bn = new BatchNorm2d(3, 1e-5f, 0.1f, true, device);
             BatchNorm1d bn1 = new BatchNorm1d(4, 1e-5f, 0.1f, true, device)) {
            Contract.assertShape("BatchNorm2d training on [1, 3, 1, 2]", a(1, 3, 1, 2), bn.forward(device.ones(1, 3, 1, 2)));
            Contract.assertShape("BatchNorm1d training on [2, 4]", a(2, 4), bn1.forward(device.ones(2, 4)));
            bn.eval();
            bn1.eval();
            Contract.assertShape("BatchNorm2d evaluation on [1, 3, 1, 1]", a(1, 3, 1, 1), bn.forward(device.ones(1, 3, 1, 1)));
            Contract.assertShape("BatchNorm1d evaluation on [1, 4]", a(1, 4), bn1.forward(device.ones(1, 4)));
        }
    }
}
