package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * Every kernel family the backend builds by default runs its Vector API kernel when the module is present (the build
 * runs the tests with {@code --add-modules jdk.incubator.vector}), so the fast paths are what the other tests of the
 * backend exercise; and every Vector API kernel uses the one float shape of {@link CpuVectorShapes} (a second shape
 * in the JVM made the GEMM 15 times slower, see there).
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

    /** The Vector API kernel classes, GEMM included. */
    private static final String[] VECTOR_CLASSES = {"CpuGemmVector", "CpuElementwiseVector", "CpuActivationVector",
        "CpuPoolVector", "CpuNormVector", "CpuPhiloxVector", "CpuOptimizerVector", "CpuReductionVector", "CpuVectorShapes"};

    @Test
    void everyFloatSpeciesIsThePreferredOne() throws ReflectiveOperationException {
        for (String name : VECTOR_CLASSES) {
            Class<?> c = Class.forName("org.cnn4j.cpu." + name);
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && VectorSpecies.class.isAssignableFrom(f.getType())) {
                    f.setAccessible(true);
                    VectorSpecies<?> s = (VectorSpecies<?>) f.get(null);
                    if (s.elementType() == float.class) {
                        assertEquals(FloatVector.SPECIES_PREFERRED, s, name + "." + f.getName()
                                + ": every float vector of the CPU backend must have the preferred shape (CpuVectorShapes)");
                    }
                }
            }
        }
    }
}
