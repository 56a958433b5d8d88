package org.cnn4j.runtime;

import java.util.List;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.cnn4j.runtime.spi.DeviceMemory;

/**
 * A compute device with its backend, memory pool and transfer counters. Tensors live on one device.
 *
 * <p>Devices are chosen by spec:
 * <ul>
 *   <li>{@code auto} (the default): an OpenCL GPU or accelerator when one exists, else the CPU fallback.
 *       An OpenCL CPU device (such as PoCL) is used only when asked for.</li>
 *   <li>{@code cpu}: the pure-Java fallback.</li>
 *   <li>{@code opencl}: the first OpenCL GPU/accelerator, else the first OpenCL device of any type.</li>
 *   <li>{@code opencl:<index>}: OpenCL device number {@code index}, counted across platforms.</li>
 * </ul>
 * The default spec comes from {@code -Dcnn4j.device=...}, else the environment variable
 * {@code CNN4J_DEVICE}, else {@code auto}. Each physical device is opened once per process (kernels are
 * compiled once per device) and released at exit.
 */
public final class Device {
    private final Backend backend;
    private final MemoryPool pool;
    private final TransferStats stats = new TransferStats();

    Device(Backend backend) {
        this.backend = backend;
        this.pool = new MemoryPool(backend, backend.info().spec());
    }

    /** The device the default spec names (see the class javadoc); opened on first use. */
    public static Device defaultDevice() {
        return DeviceSelector.instance().defaultDevice();
    }

    /** Makes {@code device} the default for tensors created without one. */
    public static void setDefault(Device device) {
        DeviceSelector.instance().setDefault(device);
    }

    /** The device a spec names ({@code auto}, {@code cpu}, {@code opencl}, {@code opencl:<index>}). */
    public static Device of(String spec) {
        return DeviceSelector.instance().select(spec);
    }

    /** The pure-Java CPU fallback. */
    public static Device cpu() {
        return of("cpu");
    }

    /** An OpenCL GPU when one exists, else the CPU fallback; see the class javadoc. */
    public static Device auto() {
        return of("auto");
    }

    /**
     * The first OpenCL GPU or accelerator, else the first OpenCL device of any type.
     *
     * @throws DeviceUnavailableException if OpenCL has no device here, with the reason
     */
    public static Device opencl() {
        return of("opencl");
    }

    /**
     * OpenCL device number {@code index}, counted across platforms.
     *
     * @throws DeviceUnavailableException if there is no such device, listing those that exist
     */
    public static Device opencl(int index) {
        return of("opencl:" + index);
    }

    /** Every device this process can use, as the backends list them (OpenCL failures give an empty list). */
    public static List<DeviceInfo> available() {
        return DeviceSelector.instance().available();
    }

    /** What the backend reports about the device. */
    public DeviceInfo info() {
        return backend.info();
    }

    /** The spec that selects this device: {@code cpu} or {@code opencl:<index>}. */
    public String spec() {
        return backend.info().spec();
    }

    /** The backend's primitive operations, for code that adds ops (layers, optimizers, custom ops). */
    public Backend backend() {
        return backend;
    }

    /** The caching allocator of this device. */
    public MemoryPool pool() {
        return pool;
    }

    /** Host/device transfer counters of this device. */
    public TransferStats transfers() {
        return stats;
    }

    /** Blocks until all work enqueued on this device has finished. */
    public void synchronize() {
        backend.synchronize();
    }

    // ---- factories -------------------------------------------------------------------------------

    /** A tensor of zeros. */
    public Tensor zeros(int... dims) {
        return full(0f, dims);
    }

    /** A tensor of ones. */
    public Tensor ones(int... dims) {
        return full(1f, dims);
    }

    /** A tensor with every element {@code value}. */
    public Tensor full(float value, int... dims) {
        Tensor t = empty(Shape.of(dims));
        backend.fill(t.memory(), t.offset(), t.numel(), value);
        return t;
    }

    /** A rank-0 tensor holding {@code value}. */
    public Tensor scalar(float value) {
        return full(value);
    }

    /**
     * A tensor holding a copy of {@code data} (row-major) with the given shape; one host-to-device transfer.
     *
     * @throws IllegalArgumentException if {@code data.length} is not the shape's element count
     */
    public Tensor fromArray(float[] data, int... dims) {
        Shape shape = Shape.of(dims);
        if (data.length != shape.numel()) {
            throw new IllegalArgumentException("Device.fromArray: data length must equal the element count of "
                    + shape + " (" + shape.numel() + "), but got " + data.length);
        }
        Tensor t = empty(shape);
        upload(data, 0, t);
        return t;
    }

    /** Uniform random values in {@code [low, high)}, drawn from {@code generator}. */
    public Tensor uniform(Generator generator, float low, float high, int... dims) {
        Checks.finite("Device.uniform", "low", low);
        Checks.finite("Device.uniform", "high", high);
        if (!(low <= high)) {
            throw new IllegalArgumentException("Device.uniform: low must be <= high, but got low=" + low + ", high=" + high);
        }
        Tensor t = empty(Shape.of(dims));
        backend.uniform(t.numel(), generator.seed(), generator.reserve(t.numel()), low, high, t.memory(), t.offset());
        return t;
    }

    /** Normal random values with the given mean and standard deviation, drawn from {@code generator}. */
    public Tensor normal(Generator generator, float mean, float std, int... dims) {
        Checks.finite("Device.normal", "mean", mean);
        if (!(std >= 0) || Float.isInfinite(std)) {
            throw new IllegalArgumentException("Device.normal: std must be finite and >= 0, but got " + std);
        }
        Tensor t = empty(Shape.of(dims));
        backend.normal(t.numel(), generator.seed(), generator.reserve(t.numel()), mean, std, t.memory(), t.offset());
        return t;
    }

    /** Ones with probability {@code p}, zeros otherwise, drawn from {@code generator}. */
    public Tensor bernoulli(Generator generator, float p, int... dims) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Device.bernoulli: p must be in [0, 1], but got " + p);
        }
        Tensor t = empty(Shape.of(dims));
        backend.bernoulli(t.numel(), generator.seed(), generator.reserve(t.numel()), p, t.memory(), t.offset());
        return t;
    }

    /** A tensor with undefined contents, for ops that overwrite every element. */
    public Tensor empty(Shape shape) {
        DeviceMemory block = pool.acquire(shape.numel());
        return new Tensor(this, new Storage(this, block), 0, shape);
    }

    // ---- transfers (counted) ---------------------------------------------------------------------

    void upload(float[] src, int srcOffset, Tensor dst) {
        stats.recordUpload(dst.numel());
        backend.write(src, srcOffset, dst.memory(), dst.offset(), (int) dst.numel());
    }

    void download(Tensor src, float[] dst, int dstOffset) {
        stats.recordDownload(src.numel());
        backend.read(src.memory(), src.offset(), dst, dstOffset, (int) src.numel());
    }

    @Override
    public String toString() {
        return "Device[" + info().describe() + "]";
    }
}
