package org.cnn4j.runtime;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import org.cnn4j.runtime.spi.BinaryOp;
import org.cnn4j.runtime.spi.DeviceMemory;
import org.cnn4j.runtime.spi.ReduceOp;
import org.cnn4j.runtime.spi.StridedLayout;
import org.cnn4j.runtime.spi.UnaryOp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A float32 tensor that lives in the memory of one {@link Device}. Its data stays there until
 * {@link #toArray()} or {@link #item()} copies it to the host.
 *
 * <p>Tensors are contiguous and row-major. {@link #reshape}, {@link #flatten}, {@link #unsqueeze},
 * {@link #squeeze} and {@link #narrow} along dimension 0 are views that share memory; the others
 * return new tensors.
 *
 * <p><b>Lifetime.</b> A tensor holds pooled device memory until {@link #close()} (idempotent) or until
 * the {@link Scope} that created it closes. Memory shared by views goes back to the pool when the last
 * one closes. Using a closed tensor raises {@link IllegalStateException}. A tensor that is garbage
 * collected without being closed is reported at WARN (with its allocation site when
 * {@code -Dcnn4j.leakTracking=true}).
 *
 * <p>Ops between two tensors broadcast as NumPy does and need both on the same device.
 */
public final class Tensor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tensor.class);
    private static final AtomicLong IDS = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final boolean TRACK_SITES = Boolean.getBoolean("cnn4j.leakTracking");

    private final long id = IDS.incrementAndGet();
    private final Device device;
    private final Storage storage;
    private final long offset;
    private final Shape shape;
    private final LeakState leakState;
    private final Cleaner.Cleanable cleanable;
    private volatile Scope owner;
    private volatile String name;
    private volatile boolean requiresGrad;
    private volatile Node gradFn;
    private volatile Tensor grad;

    Tensor(Device device, Storage storage, long offset, Shape shape) {
        this.device = device;
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        // the leak report's description is built only if it is ever printed (a string per tensor costs every op)
        this.leakState = new LeakState(id, shape, device, TRACK_SITES ? new Throwable("allocation site") : null);
        this.cleanable = CLEANER.register(this, leakState);
        Scope scope = Scope.current();
        if (scope != null) {
            scope.adopt(this);
        }
    }

    // ---- creation on the default device ----------------------------------------------------------

    /** A tensor holding a copy of {@code data} on the default device; see {@link Device#fromArray}. */
    public static Tensor of(float[] data, int... dims) {
        return Device.defaultDevice().fromArray(data, dims);
    }

    /** Zeros on the default device. */
    public static Tensor zeros(int... dims) {
        return Device.defaultDevice().zeros(dims);
    }

    /** Ones on the default device. */
    public static Tensor ones(int... dims) {
        return Device.defaultDevice().ones(dims);
    }

    /** A rank-0 tensor on the default device. */
    public static Tensor scalar(float value) {
        return Device.defaultDevice().scalar(value);
    }

    // ---- identity --------------------------------------------------------------------------------

    /** The shape. */
    public Shape shape() {
        return shape;
    }

    /** Extent of dimension {@code i} (negative counts from the end). */
    public int dim(int i) {
        return shape.dim(i);
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.rank();
    }

    /** Number of elements. */
    public long numel() {
        return shape.numel();
    }

    /** The device that holds the data. */
    public Device device() {
        return device;
    }

    /** A name for messages (default {@code tensor#<id>}). */
    public String name() {
        String n = name;
        return n != null ? n : "tensor#" + id;
    }

    /** Sets the name used in messages (layers name their parameters). */
    public Tensor setName(String name) {
        this.name = name;
        leakState.name = name;
        return this;
    }

    /** Name and shape, as messages print a tensor: {@code conv1.weight [32, 1, 3, 3]}. */
    public String describe() {
        return name() + " " + shape;
    }

    /** True once {@link #close()} ran. */
    public boolean isClosed() {
        return leakState.closed;
    }

    // ---- backend access (for ops in other modules) -----------------------------------------------

    /**
     * The device memory holding this tensor (for code that launches backend ops directly).
     *
     * @throws IllegalStateException if the tensor is closed
     */
    public DeviceMemory memory() {
        checkOpen("Tensor.memory");
        return storage.memory();
    }

    /** Offset of element 0 in {@link #memory()}, in elements. */
    public long offset() {
        return offset;
    }

    /**
     * Fails if this tensor is closed, naming the op, the tensor and its shape.
     *
     * @throws IllegalStateException if closed
     */
    public void checkOpen(String op) {
        if (leakState.closed) {
            throw new IllegalStateException(op + ": tensor must be open, but " + describe() + " is closed");
        }
    }

    /**
     * Fails if this tensor is closed, or if it requires grad while recording is on: an in-place change
     * would silently corrupt a recorded graph (optimizers update parameters under {@link NoGrad}).
     */
    private void checkInPlace(String op) {
        checkOpen(op);
        if (requiresGrad && NoGrad.isGradEnabled()) {
            throw new IllegalStateException(op + ": an in-place change must not touch a tensor that requires grad while "
                    + "gradients are recorded, but " + describe() + " requires grad; wrap the update in NoGrad.enter()");
        }
    }

    // ---- host transfers --------------------------------------------------------------------------

    /** Copies the data to a new host array (one device-to-host transfer; waits for pending work). */
    public float[] toArray() {
        checkOpen("Tensor.toArray");
        float[] out = new float[(int) numel()];
        device.download(this, out, 0);
        return out;
    }

    /**
     * The value of a one-element tensor (one device-to-host transfer).
     *
     * @throws IllegalArgumentException if the tensor has more than one element
     */
    public float item() {
        checkOpen("Tensor.item");
        if (numel() != 1) {
            throw new IllegalArgumentException("Tensor.item: tensor must have exactly 1 element, but got shape " + shape);
        }
        return toArray()[0];
    }

    /**
     * Overwrites the data with {@code data} (row-major; one host-to-device transfer).
     *
     * @throws IllegalArgumentException if the length does not match
     */
    public Tensor copyFrom(float[] data) {
        checkInPlace("Tensor.copyFrom");
        if (data.length != numel()) {
            throw new IllegalArgumentException("Tensor.copyFrom: data length must be " + numel() + " (shape " + shape
                    + "), but got " + data.length);
        }
        device.upload(data, 0, this);
        return this;
    }

    /**
     * Overwrites the data with that of {@code src} (same shape, same device; no host transfer).
     *
     * @throws IllegalArgumentException if shapes or devices differ
     */
    public Tensor copyFrom(Tensor src) {
        checkInPlace("Tensor.copyFrom");
        src.checkOpen("Tensor.copyFrom");
        Checks.sameDevice("Tensor.copyFrom", this, src);
        Checks.shape("Tensor.copyFrom", "source", src, shape);
        if (src.storage.memory() != storage.memory() || src.offset != offset) {
            device.backend().copy(src.memory(), src.offset, memory(), offset, numel());
        }
        return this;
    }

    /** Sets every element to {@code value}, in place. */
    public Tensor fill(float value) {
        checkInPlace("Tensor.fill");
        device.backend().fill(memory(), offset, numel(), value);
        return this;
    }

    // ---- element-wise ----------------------------------------------------------------------------

    /** {@code this + other}, broadcast. */
    public Tensor add(Tensor other) {
        return ElementwiseFunctions.binary("Tensor.add", BinaryOp.ADD, this, other);
    }

    /** {@code this - other}, broadcast. */
    public Tensor sub(Tensor other) {
        return ElementwiseFunctions.binary("Tensor.sub", BinaryOp.SUB, this, other);
    }

    /** {@code this * other}, element-wise, broadcast. */
    public Tensor mul(Tensor other) {
        return ElementwiseFunctions.binary("Tensor.mul", BinaryOp.MUL, this, other);
    }

    /** {@code this / other}, element-wise, broadcast. */
    public Tensor div(Tensor other) {
        return ElementwiseFunctions.binary("Tensor.div", BinaryOp.DIV, this, other);
    }

    /** Element-wise {@code max(this, other)}, broadcast. */
    public Tensor maximum(Tensor other) {
        return ElementwiseFunctions.binary("Tensor.maximum", BinaryOp.MAX, this, other);
    }

    /** Element-wise {@code min(this, other)}, broadcast. */
    public Tensor minimum(Tensor other) {
        return ElementwiseFunctions.binary("Tensor.minimum", BinaryOp.MIN, this, other);
    }

    /** Element-wise {@code this ^ other}, broadcast. */
    public Tensor pow(Tensor other) {
        return ElementwiseFunctions.binary("Tensor.pow", BinaryOp.POW, this, other);
    }

    /** {@code this + s}. */
    public Tensor add(float s) {
        return ElementwiseFunctions.scalar("Tensor.add", BinaryOp.ADD, this, s, false);
    }

    /** {@code this - s}. */
    public Tensor sub(float s) {
        return ElementwiseFunctions.scalar("Tensor.sub", BinaryOp.SUB, this, s, false);
    }

    /** {@code s - this}. */
    public Tensor rsub(float s) {
        return ElementwiseFunctions.scalar("Tensor.rsub", BinaryOp.SUB, this, s, true);
    }

    /** {@code this * s}. */
    public Tensor mul(float s) {
        return ElementwiseFunctions.scalar("Tensor.mul", BinaryOp.MUL, this, s, false);
    }

    /** {@code this / s}. */
    public Tensor div(float s) {
        return ElementwiseFunctions.scalar("Tensor.div", BinaryOp.DIV, this, s, false);
    }

    /** {@code s / this}. */
    public Tensor rdiv(float s) {
        return ElementwiseFunctions.scalar("Tensor.rdiv", BinaryOp.DIV, this, s, true);
    }

    /** {@code this ^ s}. */
    public Tensor pow(float s) {
        return ElementwiseFunctions.scalar("Tensor.pow", BinaryOp.POW, this, s, false);
    }

    /** {@code max(this, s)}; {@code clampMin(0)} is ReLU. */
    public Tensor clampMin(float s) {
        return ElementwiseFunctions.scalar("Tensor.clampMin", BinaryOp.MAX, this, s, false);
    }

    /** {@code min(this, s)}. */
    public Tensor clampMax(float s) {
        return ElementwiseFunctions.scalar("Tensor.clampMax", BinaryOp.MIN, this, s, false);
    }

    /** {@code -this}. */
    public Tensor neg() {
        return ElementwiseFunctions.unary("Tensor.neg", UnaryOp.NEG, this);
    }

    /** {@code |this|}. */
    public Tensor abs() {
        return ElementwiseFunctions.unary("Tensor.abs", UnaryOp.ABS, this);
    }

    /** {@code max(this, 0)}. */
    public Tensor relu() {
        return ElementwiseFunctions.unary("Tensor.relu", UnaryOp.RELU, this);
    }

    /** {@code 1 / (1 + exp(-this))}. */
    public Tensor sigmoid() {
        return ElementwiseFunctions.unary("Tensor.sigmoid", UnaryOp.SIGMOID, this);
    }

    /** {@code tanh(this)}. */
    public Tensor tanh() {
        return ElementwiseFunctions.unary("Tensor.tanh", UnaryOp.TANH, this);
    }

    /** {@code exp(this)}. */
    public Tensor exp() {
        return ElementwiseFunctions.unary("Tensor.exp", UnaryOp.EXP, this);
    }

    /** Natural logarithm. */
    public Tensor log() {
        return ElementwiseFunctions.unary("Tensor.log", UnaryOp.LOG, this);
    }

    /** Square root. */
    public Tensor sqrt() {
        return ElementwiseFunctions.unary("Tensor.sqrt", UnaryOp.SQRT, this);
    }

    /** {@code this * this}. */
    public Tensor square() {
        return ElementwiseFunctions.unary("Tensor.square", UnaryOp.SQUARE, this);
    }

    /** {@code 1 / this}. */
    public Tensor reciprocal() {
        return ElementwiseFunctions.unary("Tensor.reciprocal", UnaryOp.RECIPROCAL, this);
    }

    // ---- reductions ------------------------------------------------------------------------------

    /** Sum of all elements, as a rank-0 tensor. */
    public Tensor sum() {
        return ReductionFunctions.all("Tensor.sum", ReduceOp.SUM, this);
    }

    /** Mean of all elements, as a rank-0 tensor. */
    public Tensor mean() {
        return ReductionFunctions.all("Tensor.mean", ReduceOp.MEAN, this);
    }

    /** Largest element (NaN if any is NaN), as a rank-0 tensor. */
    public Tensor max() {
        return ReductionFunctions.all("Tensor.max", ReduceOp.MAX, this);
    }

    /** Smallest element (NaN if any is NaN), as a rank-0 tensor. */
    public Tensor min() {
        return ReductionFunctions.all("Tensor.min", ReduceOp.MIN, this);
    }

    /** Sum along {@code axis}; the axis is kept with extent 1 when {@code keepDim}. */
    public Tensor sum(int axis, boolean keepDim) {
        return ReductionFunctions.along("Tensor.sum", ReduceOp.SUM, this, axis, keepDim);
    }

    /** Mean along {@code axis}. */
    public Tensor mean(int axis, boolean keepDim) {
        return ReductionFunctions.along("Tensor.mean", ReduceOp.MEAN, this, axis, keepDim);
    }

    /** Maximum along {@code axis}. */
    public Tensor max(int axis, boolean keepDim) {
        return ReductionFunctions.along("Tensor.max", ReduceOp.MAX, this, axis, keepDim);
    }

    /** Minimum along {@code axis}. */
    public Tensor min(int axis, boolean keepDim) {
        return ReductionFunctions.along("Tensor.min", ReduceOp.MIN, this, axis, keepDim);
    }

    /** Index of the maximum along {@code axis} (first on ties), as float values. */
    public Tensor argmax(int axis, boolean keepDim) {
        return ReductionFunctions.argmax("Tensor.argmax", this, axis, keepDim);
    }

    // ---- layout ----------------------------------------------------------------------------------

    /**
     * The same data with another shape (a view; no copy). One dimension may be -1: it is inferred.
     *
     * @throws IllegalArgumentException if the element counts differ
     */
    public Tensor reshape(int... dims) {
        return LayoutFunctions.reshape("Tensor.reshape", this, dims);
    }

    /** A view as {@code [dim(0), rest]}; a rank-1 tensor stays as it is. */
    public Tensor flatten() {
        return rank() <= 1 ? reshape((int) numel()) : reshape(dim(0), (int) (numel() / dim(0)));
    }

    /** A view with a dimension of extent 1 inserted at {@code axis} (in {@code [-rank-1, rank]}). */
    public Tensor unsqueeze(int axis) {
        return LayoutFunctions.unsqueeze(this, axis);
    }

    /** A view without dimension {@code axis}, which must have extent 1. */
    public Tensor squeeze(int axis) {
        return LayoutFunctions.squeeze(this, axis);
    }

    /** Rows {@code [start, start + length)} of dimension 0, as a view. */
    public Tensor narrow(int start, int length) {
        return LayoutFunctions.narrow(this, start, length);
    }

    /** A copy with dimensions {@code d0} and {@code d1} swapped. */
    public Tensor transpose(int d0, int d1) {
        return LayoutFunctions.transpose(this, d0, d1);
    }

    /** The transpose of a matrix (rank 2). */
    public Tensor t() {
        if (rank() != 2) {
            throw new IllegalArgumentException("Tensor.t: tensor must have rank 2, but got shape " + shape);
        }
        return transpose(0, 1);
    }

    /** A copy with dimensions reordered: output dimension {@code i} is input dimension {@code order[i]}. */
    public Tensor permute(int... order) {
        return LayoutFunctions.permute(this, order);
    }

    /**
     * Concatenation along {@code axis} (PyTorch's {@code torch.cat}): the tensors must have the same rank
     * and the same extent in every other dimension, and live on one device.
     */
    public static Tensor cat(int axis, Tensor... tensors) {
        return LayoutFunctions.cat(axis, tensors);
    }

    /** A copy of this tensor in new memory. */
    public Tensor copy() {
        checkOpen("Tensor.copy");
        Tensor out = device.empty(shape);
        device.backend().copy(memory(), offset, out.memory(), out.offset(), numel());
        if (Autograd.recording(this)) {
            Tensor x = this;
            out.setGradFn(new Node("Tensor.copy", x) {
                @Override
                protected Tensor[] backward(Tensor g) {
                    return new Tensor[] {g};
                }
            });
        }
        return out;
    }

    // ---- linear algebra --------------------------------------------------------------------------

    /**
     * Matrix product. {@code [m, k] x [k, n] -> [m, n]}; with batches {@code [b, m, k] x [b, k, n] -> [b, m, n]}
     * and {@code [b, m, k] x [k, n] -> [b, m, n]}.
     */
    public Tensor matmul(Tensor other) {
        return MatmulFunction.matmul(this, false, other, false);
    }

    /**
     * Matrix product with optional transposes of the last two dimensions:
     * {@code op(this) x op(other)}, {@code op(X) = X^T} when the flag is set.
     */
    public Tensor matmul(Tensor other, boolean transposeThis, boolean transposeOther) {
        return MatmulFunction.matmul(this, transposeThis, other, transposeOther);
    }

    // ---- autograd --------------------------------------------------------------------------------

    /** True when gradients flow to or through this tensor. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf tensor (one not made by a recorded op) as needing a gradient: ops on it then record
     * the graph that {@link #backward()} walks.
     *
     * @throws IllegalArgumentException if this tensor was made by a recorded op
     */
    public Tensor requiresGrad(boolean required) {
        if (gradFn != null) {
            throw new IllegalArgumentException("Tensor.requiresGrad: tensor must be a leaf, but " + describe()
                    + " was made by " + gradFn.name() + "; use detach() for a leaf copy");
        }
        this.requiresGrad = required;
        return this;
    }

    /** True when no recorded op made this tensor. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The node that made this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    void setGradFn(Node node) {
        if (Anomaly.enabled) {
            node.recordedIn = Anomaly.currentLayer();
        }
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /** The accumulated gradient {@code dL/dthis} of a leaf, or null before any backward pass. Owned by this tensor. */
    public Tensor grad() {
        return grad;
    }

    /** Closes and forgets the gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        Tensor g = grad;
        grad = null;
        if (g != null) {
            g.close();
        }
    }

    /** {@code grad += g} (a copy is kept; {@code g} stays the caller's). */
    void accumulateGrad(Tensor g) {
        accumulateGrad(g, false);
    }

    /**
     * {@code grad += g}. With {@code adopt}, the first gradient becomes {@code grad} itself, taken out of its scope,
     * instead of a copy (as PyTorch steals a gradient no one else holds); the caller guarantees that nothing else
     * references {@code g}, and it is adopted only when no view shares its memory and it starts at offset 0.
     */
    void accumulateGrad(Tensor g, boolean adopt) {
        if (!requiresGrad) {
            return;
        }
        Checks.shape("Tensor.backward", "gradient of " + name(), g, shape);
        if (grad == null && adopt && g.offset == 0 && !g.storage.shared() && g.device == device) {
            Scope.disown(g);
            g.setName(name() + ".grad");
            grad = g;
        } else if (grad == null) {
            Tensor copy = g.copy();
            Scope.disown(copy);
            copy.setName(name() + ".grad");
            grad = copy;
        } else {
            StridedLayout flat = new StridedLayout(new int[] {(int) numel()}, new long[] {1});
            device.backend().binary(BinaryOp.ADD, flat, grad.memory(), grad.offset(), flat, g.memory(), g.offset(),
                    grad.memory(), grad.offset());
        }
    }

    /**
     * Back-propagates from this one-element tensor (usually a loss): {@code dL/dL = 1}.
     *
     * @throws IllegalArgumentException if it has more than one element or requires no grad
     */
    public void backward() {
        checkOpen("Tensor.backward");
        if (numel() != 1) {
            throw new IllegalArgumentException("Tensor.backward: tensor must have 1 element (a loss) when no gradient is "
                    + "given, but got shape " + shape);
        }
        try (Scope scope = Scope.open()) {
            backward(device.ones(shape.toArray()), false);
        }
    }

    /**
     * Back-propagates {@code gradient = dL/dthis} through the recorded graph, accumulating into the
     * {@link #grad()} of every leaf that requires it. The graph is freed afterwards unless
     * {@code retainGraph}.
     *
     * @throws IllegalArgumentException if the gradient's shape or device differs, or nothing requires grad
     */
    public void backward(Tensor gradient, boolean retainGraph) {
        checkOpen("Tensor.backward");
        gradient.checkOpen("Tensor.backward");
        Checks.sameDevice("Tensor.backward", this, gradient);
        Checks.shape("Tensor.backward", "gradient", gradient, shape);
        if (!requiresGrad) {
            throw new IllegalArgumentException("Tensor.backward: tensor must require grad, but " + describe()
                    + " does not (no input required grad, or it was made under NoGrad)");
        }
        Autograd.backward(this, gradient, retainGraph);
    }

    /** A view of the same memory with no autograd history (a leaf that requires no grad). */
    public Tensor detach() {
        return view("Tensor.detach", offset, shape);
    }

    // ---- lifetime --------------------------------------------------------------------------------

    /** Creates a view over the same memory (used by the layout functions). */
    Tensor view(String op, long viewOffset, Shape viewShape) {
        checkOpen(op);
        storage.retain();
        return new Tensor(device, storage, viewOffset, viewShape);
    }

    void owner(Scope scope) {
        this.owner = scope;
    }

    /** The scope that owns this tensor, or null. */
    Scope owner() {
        return owner;
    }

    /** Returns the memory to the pool (when no view still uses it). Idempotent; never throws. */
    @Override
    public void close() {
        synchronized (leakState) {
            if (leakState.closed) {
                return;
            }
            leakState.closed = true;
        }
        Scope s = owner;
        if (s != null) {
            s.forget(this);
            owner = null;
        }
        gradFn = null;
        zeroGrad();
        try {
            storage.release();
        } catch (RuntimeException e) {
            LOG.warn("releasing {} failed: {}", describe(), e.toString(), e);
        }
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "Tensor[" + describe() + ", device=" + device.spec() + (isClosed() ? ", closed" : "") + "]";
    }

    /** What the cleaner needs to report a leak; holds no reference to the tensor. */
    private static final class LeakState implements Runnable {
        private volatile boolean closed;
        private volatile String name;
        private final long id;
        private final Shape shape;
        private final Device device;
        private final Throwable site;

        LeakState(long id, Shape shape, Device device, Throwable site) {
            this.id = id;
            this.shape = shape;
            this.device = device;
            this.site = site;
        }

        /** Name, shape and device, as {@code conv1.weight [32, 1, 3, 3] on opencl:0}. */
        String description() {
            String n = name;
            return (n != null ? n : "tensor#" + id) + " " + shape + " on " + device.spec();
        }

        @Override
        public void run() {
            if (!closed) {
                if (site != null) {
                    LOG.warn("leaked tensor {}: garbage collected without close()", description(), site);
                } else {
                    LOG.warn("leaked tensor {}: garbage collected without close() "
                            + "(run with -Dcnn4j.leakTracking=true to see where it was allocated)", description());
                }
            }
        }
    }
}
