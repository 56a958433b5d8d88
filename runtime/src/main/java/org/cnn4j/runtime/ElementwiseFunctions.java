package org.cnn4j.runtime;

import org.cnn4j.runtime.spi.Activation;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;

/** Element-wise ops: validation, dispatch to the backend, and their derivatives for autograd. */
final class ElementwiseFunctions {
    private ElementwiseFunctions() {
    }

    static Tensor unary(String op, UnaryOp kind, Tensor x) {
        x.checkOpen(op);
        Tensor y = x.device().empty(x.shape());
        x.device().backend().unary(kind, x.numel(), x.memory(), x.offset(), y.memory(), y.offset());
        if (Autograd.recording(x)) {
            y.setGradFn(new Node(op, x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[] {unaryGrad(kind, x, y, g)};
                }
            });
        }
        return Anomaly.checked(op, y, x);
    }

    /** {@code dL/dx = g * f'(x)}, written with the output {@code y} where that is cheaper. */
    private static Tensor unaryGrad(UnaryOp kind, Tensor x, Tensor y, Tensor g) {
        return switch (kind) {
            case NEG -> g.neg();                                  // d(-x) = -1
            case ABS -> g.mul(x.div(y));                          // sign(x) = x / |x| (0/0 gives NaN at 0, as x/|x|)
            case RELU -> activationGrad(Activation.RELU, x, y, g);
            case SIGMOID -> activationGrad(Activation.SIGMOID, x, y, g);
            case TANH -> activationGrad(Activation.TANH, x, y, g);
            case EXP -> g.mul(y);                                 // d e^x = e^x
            case LOG -> g.div(x);                                 // d ln x = 1 / x
            case SQRT -> g.div(y).mul(0.5f);                      // d sqrt x = 1 / (2 sqrt x)
            case SQUARE -> g.mul(x).mul(2f);                      // d x^2 = 2x
            case RECIPROCAL -> g.mul(y.square()).neg();           // d (1/x) = -1/x^2
        };
    }

    static Tensor activationGrad(Activation f, Tensor x, Tensor y, Tensor g) {
        Tensor dx = g.device().empty(g.shape());
        g.device().backend().activationBackward(f, 0f, g.numel(), x.memory(), x.offset(), y.memory(), y.offset(),
                g.memory(), g.offset(), dx.memory(), dx.offset());
        return dx;
    }

    static Tensor scalar(String op, BinaryOp kind, Tensor x, float s, boolean scalarFirst) {
        x.checkOpen(op);
        Tensor y = x.device().empty(x.shape());
        x.device().backend().scalar(kind, x.numel(), x.memory(), x.offset(), s, scalarFirst, y.memory(), y.offset());
        if (Autograd.recording(x)) {
            y.setGradFn(new Node(op, x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[] {scalarGrad(kind, scalarFirst, x, s, y, g)};
                }
            });
        }
        return Anomaly.checked(op, y, x);
    }

    private static Tensor scalarGrad(BinaryOp kind, boolean scalarFirst, Tensor x, float s, Tensor y, Tensor g) {
        return switch (kind) {
            case ADD -> g;                                                  // d(x + s) = 1
            case SUB -> scalarFirst ? g.neg() : g;                          // d(s - x) = -1
            case MUL -> g.mul(s);                                           // d(x s) = s
            case DIV -> scalarFirst ? g.mul(y).div(x).neg() : g.div(s);     // d(s / x) = -s/x^2 = -y/x
            case POW -> scalarFirst ? g.mul(y).mul((float) Math.log(s))     // d(s^x) = s^x ln s
                    : g.mul(x.pow(s - 1f)).mul(s);                          // d(x^s) = s x^(s-1)
            case MAX -> positivePart(x.sub(s), g);                          // clampMin: 1 where x > s
            case MIN -> positivePart(x.rsub(s), g);                         // clampMax: 1 where x < s
        };
    }

    /** {@code g} where {@code z > 0}, else 0 (the ReLU derivative applied to {@code g}); ties get 0. */
    private static Tensor positivePart(Tensor z, Tensor g) {
        return activationGrad(Activation.RELU, z, z, g);
    }

    static Tensor binary(String op, BinaryOp kind, Tensor a, Tensor b) {
        a.checkOpen(op);
        b.checkOpen(op);
        Checks.sameDevice(op, a, b);
        Shape out = Broadcast.shape(op, a.shape(), b.shape());
        StridedLayout[] layouts = Broadcast.coalesce(op, out.toArray(),
                Broadcast.stridesFor(a.shape(), out), Broadcast.stridesFor(b.shape(), out));
        Tensor y = a.device().empty(out);
        a.device().backend().binary(kind, layouts[0], a.memory(), a.offset(), layouts[1], b.memory(), b.offset(),
                y.memory(), y.offset());
        if (Autograd.recording(a, b)) {
            y.setGradFn(new Node(op, a, b) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    Tensor ga = needsInputGrad(0) ? Grads.sumToShape(binaryGradA(kind, a, b, y, g), a.shape()) : null;
                    Tensor gb = needsInputGrad(1) ? Grads.sumToShape(binaryGradB(kind, a, b, y, g), b.shape()) : null;
                    return new Tensor[] {ga, gb};
                }
            });
        }
        return Anomaly.checked(op, y, a, b);
    }

    private static Tensor binaryGradA(BinaryOp kind, Tensor a, Tensor b, Tensor y, Tensor g) {
        return switch (kind) {
            case ADD, SUB -> g;
            case MUL -> g.mul(b);
            case DIV -> g.div(b);
            case POW -> g.mul(b).mul(a.pow(b.sub(1f)));                        // b a^(b-1)
            case MAX -> positivePart(a.sub(b), g);                             // to a where a > b
            case MIN -> positivePart(b.sub(a), g);                             // to a where a < b
        };
    }

    private static Tensor binaryGradB(BinaryOp kind, Tensor a, Tensor b, Tensor y, Tensor g) {
        return switch (kind) {
            case ADD -> g;
            case SUB -> g.neg();
            case MUL -> g.mul(a);
            case DIV -> g.mul(y).div(b).neg();                                 // -a / b^2 = -y / b
            case POW -> g.mul(y).mul(a.log());                                 // a^b ln a
            case MAX, MIN -> g.sub(binaryGradA(kind, a, b, y, g));            // the rest goes to b (ties included)
        };
    }
}
