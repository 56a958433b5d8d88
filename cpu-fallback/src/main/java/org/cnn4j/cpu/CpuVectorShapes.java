package org.cnn4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one float vector shape of the CPU backend's Vector API kernels, and the alignment helper of their streaming
 * loops. Referenced only from those kernels, which {@link CpuVectorSupport} loads by name, so this class is never
 * loaded on a JVM without the module.
 *
 * <h2>One shape: {@code FloatVector.SPECIES_PREFERRED}</h2>
 * Every {@code FloatVector} in the backend, {@link CpuGemmVector}'s included, has the preferred shape (512 bits with
 * AVX-512, 256 with AVX2). In JDK 17 the convenience methods of {@code FloatVector} ({@code add}, {@code intoArray},
 * {@code fma}, ...) are final methods that call an overridden method on {@code this} through a type profile shared
 * by every caller in the JVM; C2 compiles such a call to the vector instruction only while that profile has seen one
 * vector class. When kernels of two shapes ran in one JVM (element-wise loops in 256 bits beside the 512-bit GEMM),
 * the profiles inside {@code FloatVector.intoArray} saw both, and a training step's GEMM and convolutions ran 15 times
 * slower (boxed vectors and the API's scalar fallback). The other element types ({@code LongVector},
 * {@code DoubleVector}) are used only by one kernel each, also in the preferred shape.
 *
 * <h2>Aligned streaming</h2>
 * A streaming loop (one load and one store per element) whose 64-byte vectors straddle cache lines runs at about
 * half speed (ReLU over 1.6M floats, 2 threads: 330 us against 200 us aligned; 256-bit vectors, which split every
 * other access, 175 us). Java does not expose array addresses, but G1 places every large ("humongous") array at the
 * start of a heap region, and a {@code float[]}'s elements start 16 bytes (the array header) after the object, so
 * element {@code k} of a large array lies {@code 16 + 4 k} bytes past a region boundary. {@link #head} gives the
 * scalar steps that bring an index to a vector boundary on that assumption; where it does not hold (small arrays,
 * other collectors), the only cost is the misaligned speed.
 */
final class CpuVectorShapes {
    /** The float shape of every kernel. */
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = F.length();
    /** Bytes from an array object's start to its first {@code float} (compressed class pointers, the default). */
    private static final int ARRAY_HEADER_BYTES = 16;

    private CpuVectorShapes() {
    }

    /**
     * Elements to handle one by one, at most {@code len}, before index {@code from + head} of a large array starts a
     * vector-aligned block: the least {@code h >= 0} with {@code 16 + 4 (from + h)} a multiple of the vector's bytes.
     */
    static int head(int from, int len) {
        int vectorBytes = Float.BYTES * L;
        int misaligned = Math.floorMod(ARRAY_HEADER_BYTES + Float.BYTES * from, vectorBytes) / Float.BYTES;
        return Math.min(len, misaligned == 0 ? 0 : L - misaligned);
    }
}
