package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every kernel family the backend builds by default runs its Vector API kernel when the module is present (the build
 * runs the tests with {@code --add-modules jdk.incubator.vector}), so the fast paths are what the other tests of the
 * backend exercise.
 */
class CpuKernelChoiceTest {
    @Test
    void defaultKernelsAreTheVectorKernelsWhenTheModuleIsPresent() {
        assertTrue(CpuVectorSupport.enabled(), "the build runs tests with --add-modules jdk.incubator.vector");
        String[][] chosen = {
            {"element-wise", new CpuElementwise().kernel().name()},
            {"activation", new CpuActivation().kernel().name()},
            {"pooling", new CpuPool().kernel().name()},
            {"batch norm", new CpuNorm().kernel().name()},
            {"dropout", new CpuDropout().kernel().name()},
            {"optimizer", new CpuOptimizer().kernel().name()},
            {"reduction", new CpuReduction().kernel().name()},
        };
        boolean wideLongs = jdk.incubator.vector.LongVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        for (String[] c : chosen) {
            boolean plainByDesign = c[0].equals("dropout") && !wideLongs; // CpuPhiloxVector needs 512-bit 64-bit lanes
            assertTrue(c[1].startsWith("vector") || plainByDesign && c[1].startsWith("plain"),
                    c[0] + ": default kernel must be the Vector API one, but got " + c[1]);
        }
    }
}
