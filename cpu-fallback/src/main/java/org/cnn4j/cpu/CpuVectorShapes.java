package org.cnn4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes the Vector API kernels of the memory-bound ops share. Referenced only from those kernels,
 * which {@link CpuVectorSupport} loads by name, so this class is never loaded on a JVM without the module.
 *
 * <p>Streaming loops (one load and one store per element, little arithmetic) use at most 256-bit vectors: Java
 * arrays are only 16-byte aligned, so every 512-bit access of a long stream splits a cache line, and a ReLU over
 * 1.6M floats measured 240-290 us with 512-bit vectors against 133-144 us with 256-bit ones (AVX-512, two
 * threads). Where the preferred shape is narrower (AVX2 without AVX-512, or NEON), it is used.
 */
final class CpuVectorShapes {
    /** Floats of the streaming loops: the preferred species, capped at 256 bits. */
    static final VectorSpecies<Float> STREAM = FloatVector.SPECIES_PREFERRED.vectorBitSize() > 256
            ? FloatVector.SPECIES_256 : FloatVector.SPECIES_PREFERRED;

    private CpuVectorShapes() {
    }
}
