package org.cnn4j.cpu;

/**
 * Chooses the block kernel of {@link CpuGemm}, once per JVM, through {@link CpuVectorSupport}:
 * {@link CpuGemmVector} when the Vector API is enabled, otherwise {@link CpuGemmPlain}.
 */
final class CpuGemmKernels {
    private static final CpuGemm.BlockKernel BEST = CpuVectorSupport.choose("GEMM", CpuGemm.BlockKernel.class,
            "org.cnn4j.cpu.CpuGemmVector", CpuGemmPlain::new);

    private CpuGemmKernels() {
    }

    /** The kernel {@link CpuGemm#CpuGemm()} uses. */
    static CpuGemm.BlockKernel best() {
        return BEST;
    }

    /** Whether this JVM can run {@link CpuGemmVector}. */
    static boolean vectorAvailable() {
        return CpuVectorSupport.available();
    }

    /** A new {@link CpuGemmVector}, loaded by name so that this class links without the incubator module. */
    static CpuGemm.BlockKernel vector() {
        return CpuVectorSupport.load("org.cnn4j.cpu.CpuGemmVector", CpuGemm.BlockKernel.class);
    }
}
