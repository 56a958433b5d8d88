package org.cnn4j.cpu;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the block kernel of {@link CpuGemm}, once per JVM: {@link CpuGemmVector} when the module
 * {@code jdk.incubator.vector} is present (start the JVM with {@code --add-modules jdk.incubator.vector})
 * and the system property {@code cnn4j.cpu.vector} is not {@code false}; otherwise {@link CpuGemmPlain}.
 * Logs the choice once, and how to get the faster kernel when it is not used.
 */
final class CpuGemmKernels {
    /** System property that turns the Vector API kernel off ({@code false}). */
    static final String VECTOR_PROPERTY = "cnn4j.cpu.vector";
    /** Name of the incubator module the vector kernel needs. */
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    private static final Logger LOG = LoggerFactory.getLogger(CpuGemmKernels.class);
    private static final CpuGemm.BlockKernel BEST = choose();

    private CpuGemmKernels() {
    }

    /** The kernel {@link CpuGemm#CpuGemm()} uses. */
    static CpuGemm.BlockKernel best() {
        return BEST;
    }

    /** Whether this JVM can run {@link CpuGemmVector}. */
    static boolean vectorAvailable() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** A new {@link CpuGemmVector}, loaded by name so that this class links without the incubator module. */
    static CpuGemm.BlockKernel vector() {
        if (!vectorAvailable()) {
            throw new IllegalStateException("CpuGemm: the Vector API kernel needs the JVM option --add-modules "
                    + VECTOR_MODULE);
        }
        try {
            return (CpuGemm.BlockKernel) Class.forName("org.cnn4j.cpu.CpuGemmVector").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("CpuGemm: cannot load the Vector API kernel: " + e, e);
        }
    }

    private static CpuGemm.BlockKernel choose() {
        if ("false".equalsIgnoreCase(System.getProperty(VECTOR_PROPERTY, "true").trim())) {
            LOG.info("CPU GEMM: plain Java kernel (-D{}=false)", VECTOR_PROPERTY);
            return new CpuGemmPlain();
        }
        if (!vectorAvailable()) {
            LOG.info("CPU GEMM: plain Java kernel; start the JVM with --add-modules {} for the Vector API kernel "
                    + "(faster matrix products and convolutions)", VECTOR_MODULE);
            return new CpuGemmPlain();
        }
        try {
            CpuGemm.BlockKernel k = vector();
            LOG.info("CPU GEMM: Vector API kernel ({})", k.name());
            return k;
        } catch (IllegalStateException | LinkageError e) {
            LOG.warn("CPU GEMM: {}; using the plain Java kernel", e.getMessage());
            return new CpuGemmPlain();
        }
    }
}
