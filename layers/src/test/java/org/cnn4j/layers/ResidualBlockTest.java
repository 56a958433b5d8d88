package org.cnn4j.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.api.Test;

class ResidualBlockTest {
    private final Device cpu = Device.cpu();

    @Test
    void identityBlockAddsItsInputAndProjectionBlockDownsamples() {
        try (Scope s = Scope.open()) {
            Tensor x = cpu.normal(new Generator(3), 0f, 1f, 2, 4, 6, 6);
            try (ResidualBlock same = new ResidualBlock(4, 4, 1, cpu, new Generator(1));
                 ResidualBlock down = new ResidualBlock(4, 8, 2, cpu, new Generator(2))) {
                Map<String, Module> children = same.children();
                // y = relu(bn2(conv2(relu(bn1(conv1 x)))) + x), composed by hand from the block's own layers
                Tensor h = children.get("bn2").forward(children.get("conv2").forward(
                        children.get("bn1").forward(children.get("conv1").forward(x)).relu()));
                Tensor expected = h.add(x).relu();
                assertArrayEquals(expected.toArray(), same.forward(x).toArray(), 1e-6f);
                assertEquals(4, children.size(), "identity shortcut: no projection layers");

                Tensor y = down.forward(x);
                assertArrayEquals(new int[] {2, 8, 3, 3}, y.shape().toArray());
                assertTrue(down.children().containsKey("shortcut_conv") && down.children().containsKey("shortcut_bn"),
                        "projection shortcut: " + down.children().keySet());
            }
        }
    }

    @Test
    void gradientsReachEveryParameterThroughBothPaths() {
        try (Scope s = Scope.open(); ResidualBlock block = new ResidualBlock(3, 6, 2, cpu, new Generator(5))) {
            Tensor x = cpu.normal(new Generator(6), 0f, 1f, 2, 3, 8, 8).requiresGrad(true);
            block.forward(x).square().mean().backward();
            for (Parameter p : block.parameters()) {
                assertNotNull(p.grad(), p.name() + " must get a gradient");
            }
            assertNotNull(x.grad());
        }
    }

    @Test
    void rejectsBadSizesByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ResidualBlock(0, 4, 1, cpu,
                new Generator(1)));
        assertTrue(e.getMessage().startsWith("ResidualBlock: inChannels, outChannels and stride must be >= 1, but got 0, 4, 1"),
                e.getMessage());
    }
}
