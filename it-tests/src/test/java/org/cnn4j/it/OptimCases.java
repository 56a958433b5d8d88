package org.cnn4j.it;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.cnn4j.optim.Adagrad;
import org.cnn4j.optim.Adam;
import org.cnn4j.optim.AdamW;
import org.cnn4j.optim.Optimizer;
import org.cnn4j.optim.ParamGroup;
import org.cnn4j.optim.RMSprop;
import org.cnn4j.optim.SGD;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;

/**
 * The optimizer reference vectors ({@code reference/optim.txt}, written by {@code src/test/python/make_optim_vectors.py}),
 * and the helpers that turn a trajectory case into cnn4j objects: the two parameters {@code w} [3, 4] and {@code b} [5],
 * the optimizer built through its public fluent API (or {@link ParamGroup} overrides for the second group), and the
 * recorded gradients set through autograd.
 */
final class OptimCases {
    static final String RESOURCE = "/reference/optim.txt";
    static final List<ReferenceVectors.Case> CASES = ReferenceVectors.load(RESOURCE, "make_optim_vectors.py");
    static final String[] NAMES = {"w", "b"};

    private OptimCases() {
    }

    /** The cases of {@code kind}, in file order. */
    static List<ReferenceVectors.Case> ofKind(String kind) {
        return CASES.stream().filter(c -> c.op().equals(kind)).toList();
    }

    /** The shared initial parameters and gradients of every trajectory. */
    static ReferenceVectors.Case inputs() {
        return CASES.stream().filter(c -> c.id().equals("trajectory_inputs")).findFirst()
                .orElseThrow(() -> new IllegalStateException(RESOURCE + " has no case trajectory_inputs"));
    }

    static double num(ReferenceVectors.Case c, String key) {
        return Double.parseDouble(c.key(key));
    }

    static boolean bool(ReferenceVectors.Case c, String key) {
        return Boolean.parseBoolean(c.key(key));
    }

    /** The steps (from 1) at which parameter 1 has no gradient. */
    static Set<Integer> nograd1(ReferenceVectors.Case c) {
        Set<Integer> out = new TreeSet<>();
        String v = c.keys().get("nograd1");
        if (v != null) {
            Arrays.stream(v.split(",")).map(Integer::parseInt).forEach(out::add);
        }
        return out;
    }

    /** A parameter named {@code name} holding a copy of {@code v} on {@code device}. */
    static Parameter param(Device device, String name, ReferenceVectors.Vector v) {
        return new Parameter(name, device.fromArray(v.values(), v.shape()));
    }

    /** The two initial parameters of a trajectory. */
    static Parameter[] initialParams(Device device) {
        ReferenceVectors.Case in = inputs();
        return new Parameter[] {param(device, "w", in.tensor("p0_init")), param(device, "b", in.tensor("p1_init"))};
    }

    /** Copies of {@code params} (same names and values, bit for bit) on the same device. */
    static Parameter[] copies(Parameter[] params) {
        Parameter[] out = new Parameter[params.length];
        for (int i = 0; i < params.length; i++) {
            Parameter p = params[i];
            out[i] = new Parameter(p.name(), p.tensor().device().fromArray(p.tensor().toArray(), p.shape().toArray()));
        }
        return out;
    }

    /**
     * Sets {@code p.grad()} to exactly {@code g} through autograd: after {@code zeroGrad}, the gradient of
     * {@code sum(p * G)} is {@code G}. A null {@code g} leaves the gradient null.
     */
    static void setGrad(Parameter p, float[] g) {
        p.zeroGrad();
        if (g == null) {
            return;
        }
        Device device = p.tensor().device();
        try (Scope scope = Scope.open()) {
            p.tensor().mul(device.fromArray(g, p.shape().toArray())).sum().backward();
        }
    }

    /** Sets the recorded gradients of step {@code s} (from 1) of trajectory {@code c}. */
    static void setGrads(ReferenceVectors.Case c, Parameter[] params, int s) {
        ReferenceVectors.Case in = inputs();
        for (int i = 0; i < params.length; i++) {
            boolean none = i == 1 && nograd1(c).contains(s);
            setGrad(params[i], none ? null : in.tensor("p" + i + "_grad_" + s).values());
        }
    }

    /**
     * The optimizer of trajectory {@code c} over {@code params}: the defaults through the fluent API (no call at all
     * for the {@code *_default} cases, which check the constructors' defaults), and the {@code group1.<option>} keys
     * through {@link ParamGroup#set}.
     */
    static Optimizer build(ReferenceVectors.Case c, Parameter[] params) {
        ParamGroup[] groups;
        if (c.keys().containsKey("groups")) {
            ParamGroup g1 = new ParamGroup(List.of(params[1]));
            for (Map.Entry<String, String> e : c.keys().entrySet()) {
                if (e.getKey().startsWith("group1.")) {
                    String v = e.getValue();
                    g1.set(e.getKey().substring("group1.".length()),
                            v.equals("true") ? 1 : v.equals("false") ? 0 : Double.parseDouble(v));
                }
            }
            groups = new ParamGroup[] {new ParamGroup(List.of(params[0])), g1};
        } else {
            groups = new ParamGroup[] {new ParamGroup(List.of(params))};
        }
        boolean defaults = c.id().endsWith("_default");
        return switch (c.key("opt")) {
            case "sgd" -> new SGD(num(c, "lr"), groups).momentum(num(c, "momentum")).dampening(num(c, "dampening"))
                    .weightDecay(num(c, "weight_decay")).nesterov(bool(c, "nesterov"));
            case "adagrad" -> new Adagrad(groups).lr(num(c, "lr")).lrDecay(num(c, "lr_decay"))
                    .weightDecay(num(c, "weight_decay")).initialAccumulatorValue(num(c, "initial_accumulator_value"))
                    .eps(num(c, "eps"));
            case "rmsprop" -> new RMSprop(groups).lr(num(c, "lr")).alpha(num(c, "alpha")).eps(num(c, "eps"))
                    .weightDecay(num(c, "weight_decay")).momentum(num(c, "momentum")).centered(bool(c, "centered"));
            case "adam" -> defaults ? new Adam(groups) : adam(new Adam(groups), c);
            case "adamw" -> defaults ? new AdamW(groups) : adam(new AdamW(groups), c);
            default -> throw new IllegalStateException("unknown optimizer in case " + c.id() + ": " + c.key("opt"));
        };
    }

    private static Adam adam(Adam a, ReferenceVectors.Case c) {
        return a.lr(num(c, "lr")).betas(num(c, "beta1"), num(c, "beta2")).eps(num(c, "eps"))
                .weightDecay(num(c, "weight_decay")).amsgrad(bool(c, "amsgrad"));
    }

    /** Closes every parameter (never throws). */
    static void closeAll(Parameter[]... sets) {
        List<Parameter> all = new ArrayList<>();
        for (Parameter[] s : sets) {
            if (s != null) {
                all.addAll(Arrays.asList(s));
            }
        }
        all.forEach(Parameter::close);
    }
}
