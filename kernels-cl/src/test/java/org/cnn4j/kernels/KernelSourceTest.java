package org.cnn4j.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link KernelSource}: {@code #include "name"} lines are replaced by the named resource, once per file. */
class KernelSourceTest {
    @Test
    void includesArePastedInPlace() {
        String header = KernelSource.load("vector_width.clh");
        for (String file : new String[] {"activation.cl", "batchnorm.cl", "conv.cl", "elementwise.cl", "gemm.cl",
                "optimizer.cl", "reduction.cl"}) {
            String source = KernelSource.load(file);
            assertFalse(source.contains("\n#include"), file + " must have its includes expanded");
            assertTrue(source.contains(header.strip()), file + " must contain vector_width.clh");
            assertEquals(source.indexOf("inline float vw_lane_sum"), source.lastIndexOf("inline float vw_lane_sum"),
                    file + " must define vw_lane_sum once");
        }
    }
}
