package org.cnn4j.runtime;

import java.util.Arrays;
import org.cnn4j.runtime.spi.StridedLayout;

/** Views (reshape, squeeze, narrow) and layout-changing copies (transpose, permute). */
final class LayoutFunctions {
    private LayoutFunctions() {
    }

    static Tensor reshape(String op, Tensor x, int... dims) {
        x.checkOpen(op);
        int[] d = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1 && infer < 0) {
                infer = i;
            } else if (d[i] < 1) {
                throw new IllegalArgumentException(op + ": dimensions must be >= 1 (or one -1), but got "
                        + Arrays.toString(dims) + " (input " + x.shape() + ")");
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            if (x.numel() % known != 0) {
                throw new IllegalArgumentException(op + ": element count must be divisible by " + known + " to infer -1, but got "
                        + x.numel() + " (input " + x.shape() + ", target " + Arrays.toString(dims) + ")");
            }
            d[infer] = (int) (x.numel() / known);
            known *= d[infer];
        }
        if (known != x.numel()) {
            throw new IllegalArgumentException(op + ": element count must stay " + x.numel() + " (input " + x.shape()
                    + "), but got " + known + " for " + Arrays.toString(dims));
        }
        return recordView(op, x, x.view(op, x.offset(), Shape.of(d)));
    }

    /** Views that only change the shape: the gradient is {@code g} reshaped back. */
    private static Tensor recordView(String op, Tensor x, Tensor y) {
        if (Autograd.recording(x)) {
            y.setGradFn(new Node(op, x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[] {g.reshape(x.shape().toArray())};
                }
            });
        }
        return y;
    }

    static Tensor unsqueeze(Tensor x, int axis) {
        int r = x.rank();
        int a = axis < 0 ? axis + r + 1 : axis;
        if (a < 0 || a > r) {
            throw new IllegalArgumentException("Tensor.unsqueeze: axis must be in [" + (-r - 1) + ", " + r + "], but got "
                    + axis + " (shape " + x.shape() + ")");
        }
        int[] d = new int[r + 1];
        int[] src = x.shape().toArray();
        for (int i = 0, j = 0; i <= r; i++) {
            d[i] = i == a ? 1 : src[j++];
        }
        return recordView("Tensor.unsqueeze", x, x.view("Tensor.unsqueeze", x.offset(), Shape.of(d)));
    }

    static Tensor squeeze(Tensor x, int axis) {
        int a = x.shape().axis(axis, "Tensor.squeeze");
        if (x.dim(a) != 1) {
            throw new IllegalArgumentException("Tensor.squeeze: dimension " + axis + " must have extent 1, but got "
                    + x.dim(a) + " (shape " + x.shape() + ")");
        }
        return recordView("Tensor.squeeze", x, x.view("Tensor.squeeze", x.offset(), ReductionFunctions.reducedShape(x.shape(), a, false)));
    }

    static Tensor narrow(Tensor x, int start, int length) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException("Tensor.narrow: tensor must have rank >= 1, but got a scalar");
        }
        int rows = x.dim(0);
        if (start < 0 || length < 1 || (long) start + length > rows) {
            throw new IllegalArgumentException("Tensor.narrow: rows [start, start + length) must lie in [0, " + rows
                    + ") with length >= 1, but got start=" + start + ", length=" + length + " (shape " + x.shape() + ")");
        }
        int[] d = x.shape().toArray();
        d[0] = length;
        long rowSize = x.shape().numel(1, x.rank());
        Tensor y = x.view("Tensor.narrow", x.offset() + start * rowSize, Shape.of(d));
        if (Autograd.recording(x)) {
            y.setGradFn(new Node("Tensor.narrow", x) {
                @Override
                protected Tensor[] backward(Tensor g) {     // zeros, with g in rows [start, start + length)
                    Tensor dx = x.device().zeros(x.shape().toArray());
                    dx.narrow(start, length).copyFrom(g);
                    return new Tensor[] {dx};
                }
            });
        }
        return y;
    }

    static Tensor transpose(Tensor x, int d0, int d1) {
        int a = x.shape().axis(d0, "Tensor.transpose");
        int b = x.shape().axis(d1, "Tensor.transpose");
        int[] order = new int[x.rank()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        order[a] = b;
        order[b] = a;
        return permute("Tensor.transpose", x, order);
    }

    static Tensor permute(Tensor x, int... order) {
        return permute("Tensor.permute", x, order);
    }

    private static Tensor permute(String op, Tensor x, int[] order) {
        x.checkOpen(op);
        int r = x.rank();
        if (order.length != r) {
            throw new IllegalArgumentException(op + ": order must have " + r + " entries (shape " + x.shape()
                    + "), but got " + Arrays.toString(order));
        }
        boolean[] seen = new boolean[r];
        int[] src = x.shape().toArray();
        long[] srcStrides = x.shape().contiguousStrides();
        int[] dims = new int[r];
        long[] strides = new long[r];
        for (int i = 0; i < r; i++) {
            int o = order[i] < 0 ? order[i] + r : order[i];
            if (o < 0 || o >= r || seen[o]) {
                throw new IllegalArgumentException(op + ": order must be a permutation of 0.." + (r - 1) + ", but got "
                        + Arrays.toString(order));
            }
            seen[o] = true;
            dims[i] = src[o];
            strides[i] = srcStrides[o];
        }
        Tensor y = x.device().empty(Shape.of(dims));
        StridedLayout layout = Broadcast.coalesce(op, dims, strides)[0];
        x.device().backend().stridedCopy(layout, x.memory(), x.offset(), y.memory(), y.offset());
        if (Autograd.recording(x)) {
            int[] inverse = new int[r];
            for (int i = 0; i < r; i++) {
                inverse[order[i] < 0 ? order[i] + r : order[i]] = i;
            }
            y.setGradFn(new Node(op, x) {
                @Override
                protected Tensor[] backward(Tensor g) {     // the inverse permutation
                    return new Tensor[] {g.permute(inverse)};
                }
            });
        }
        return y;
    }

    /**
     * Concatenation along {@code axis}: parts must agree in every other dimension. Along dimension 0 each
     * part is one contiguous copy; along another dimension the parts are moved to the front with a
     * transpose, joined, and moved back. The gradient of part {@code i} is the matching slice of
     * {@code g}.
     */
    static Tensor cat(int axis, Tensor... parts) {
        String op = "Tensor.cat";
        if (parts.length == 0) {
            throw new IllegalArgumentException(op + ": at least one tensor must be given, but got none");
        }
        Tensor first = parts[0];
        first.checkOpen(op);
        int a = first.shape().axis(axis, op);
        int[] dims = first.shape().toArray();
        int total = 0;
        int[] offsets = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Tensor p = parts[i];
            p.checkOpen(op);
            Checks.sameDevice(op, first, p);
            int[] pd = p.shape().toArray();
            boolean ok = pd.length == dims.length;
            for (int d = 0; ok && d < dims.length; d++) {
                ok = d == a || pd[d] == dims[d];
            }
            if (!ok) {
                throw new IllegalArgumentException(op + ": tensors must match in every dimension but " + a + ", but got "
                        + first.shape() + " and " + p.shape() + " (tensor " + i + ")");
            }
            offsets[i] = total;
            total += pd[a];
        }
        dims[a] = total;
        Tensor out;
        try (NoGrad off = NoGrad.enter()) {
            if (a == 0) {
                out = first.device().empty(Shape.of(dims));
                long at = out.offset();
                for (Tensor p : parts) {
                    first.device().backend().copy(p.memory(), p.offset(), out.memory(), at, p.numel());
                    at += p.numel();
                }
            } else {
                Tensor[] moved = new Tensor[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    moved[i] = parts[i].transpose(0, a);
                }
                Tensor joined = cat(0, moved);
                out = joined.transpose(0, a);
                for (Tensor m : moved) {
                    m.close();
                }
                joined.close();
            }
        }
        if (Autograd.recording(parts)) {
            out.setGradFn(new Node(op, parts) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    Tensor front = a == 0 ? g : g.transpose(0, a);
                    Tensor[] grads = new Tensor[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        if (needsInputGrad(i)) {
                            Tensor slice = front.narrow(offsets[i], parts[i].dim(a));
                            grads[i] = a == 0 ? slice : slice.transpose(0, a);
                        }
                    }
                    return grads;
                }
            });
        }
        return out;
    }
}
