package org.cnn4j.runtime.spi;

/** Activations and their backward passes, see {@link Activation} for the formulas. */
public interface ActivationOps {
    /** {@code y = f(x; a)}; {@code x} and {@code y} may be the same range. */
    void activation(Activation f, float a, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff);

    /**
     * {@code dx = dy * f'(x)}, using the forward input {@code x} and output {@code y} (each function reads
     * what it needs; both are always passed). {@code dx} may alias {@code dy}.
     */
    void activationBackward(Activation f, float a, long n, DeviceMemory x, long xOff, DeviceMemory y, long yOff,
                            DeviceMemory dy, long dyOff, DeviceMemory dx, long dxOff);
}
