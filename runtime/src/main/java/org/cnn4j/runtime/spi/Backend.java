package org.cnn4j.runtime.spi;

/**
 * The primitive operations one backend implements on one device, grouped by family. Every method
 * runs asynchronously where the backend can (an OpenCL queue is in order), except
 * {@link MemoryOps#read}, which returns when the data is on the host.
 *
 * <p>Arguments reach a backend already validated by the runtime (shapes, ranges, ranks); a backend
 * may still check what it alone knows (device limits) and throw {@link BackendException}.
 */
public interface Backend extends MemoryOps, ElementwiseOps, ReductionOps, LayoutOps, GemmOps, RandomOps,
        ActivationOps, ConvOps, PoolOps, NormOps, DropoutOps, LossOps, OptimizerOps, AutoCloseable {
    /** The device this backend computes on. */
    DeviceInfo info();

    /** Blocks until every operation enqueued so far has finished. */
    void synchronize();

    /** Releases the device (context, queue, programs). Idempotent; never throws. */
    @Override
    void close();
}
