package org.cnn4j.runtime.spi;

/** Kind of compute device. Automatic selection prefers {@link #GPU} and {@link #ACCELERATOR} over {@link #CPU}. */
public enum DeviceType {
    /** A graphics processor. */
    GPU,
    /** A dedicated accelerator (OpenCL {@code CL_DEVICE_TYPE_ACCELERATOR}). */
    ACCELERATOR,
    /** A CPU, through OpenCL (e.g. PoCL) or the pure-Java fallback. */
    CPU,
    /** Anything else the driver reports. */
    OTHER
}
