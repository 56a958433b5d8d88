package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.cnn4j.optim.GradClip;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Parameter;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.TestDevices;
import org.cnn4j.runtime.testing.Tolerance;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link GradClip} against {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_} (cases of
 * {@code reference/optim.txt}), on every device: the total norm returned (2-norm and infinity-norm over two
 * gradients, or one when the other parameter has none) and the clipped gradients, for a maximum below the norm (the
 * gradients scale by {@code maxNorm / (total + 1e-6)}) and above it (unchanged).
 *
 * <p>Tolerance {@code atol 1e-7 + rtol 3e-6} for the norm and the clipped gradients: the 2-norm sums 17 squares,
 * whose float32 rounding in another order is at most about 17 * 6e-8 = 1e-6 relative (halved by the square root),
 * then the coefficient adds a division and the clipping a product (an ulp each). The infinity-norm is exact (a max),
 * and {@code clipGradValue} is a clamp, so it is compared exactly.
 */
class GradClipTest {
    static final Tolerance NORM = new Tolerance(1e-7, 3e-6);

    static Stream<Arguments> devicesAndCases(String kind) {
        List<ReferenceVectors.Case> cases = OptimCases.ofKind(kind);
        return TestDevices.all().flatMap(d -> cases.stream().map(c -> Arguments.of(d, Named.of(c.id(), c))));
    }

    static Stream<Arguments> normCases() {
        return devicesAndCases("clip_norm");
    }

    static Stream<Arguments> valueCases() {
        return devicesAndCases("clip_value");
    }

    private static Parameter[] withGrads(Device device, ReferenceVectors.Case c) {
        Parameter[] params = {new Parameter("w", device.zeros(3, 4)), new Parameter("b", device.zeros(5))};
        for (int i = 0; i < 2; i++) {
            ReferenceVectors.Vector g = c.tensors().get("g" + i);
            OptimCases.setGrad(params[i], g == null ? null : g.values());
        }
        return params;
    }

    @Test
    void theVectorsCoverBothNormsActiveAndInactive() {
        List<ReferenceVectors.Case> cases = OptimCases.ofKind("clip_norm");
        for (String id : new String[] {"clip_norm2_active", "clip_norm2_inactive", "clip_norminf_active",
            "clip_norminf_inactive", "clip_norm2_nograd"}) {
            assertTrue(cases.stream().anyMatch(c -> c.id().equals(id)), "no case " + id);
        }
        assertEquals(1, OptimCases.ofKind("clip_value").size(), "clip_value cases");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("normCases")
    void clipGradNormMatchesPyTorch(Device device, ReferenceVectors.Case c) {
        Parameter[] params = withGrads(device, c);
        String what = c.id() + " " + c.keys() + " on " + device.spec();
        double normType = c.key("norm_type").equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(c.key("norm_type"));
        try (Scope scope = Scope.open()) {
            Tensor total = GradClip.clipGradNorm(List.of(params), OptimCases.num(c, "max_norm"), normType);
            assertNotNull(total, what + ": total norm");
            assertEquals(1, total.numel(), what + ": the total norm must be a one-element tensor, but got " + total.shape());
            assertEquals(device, total.device(), what + ": the total norm stays on the parameters' device");
            NORM.assertClose(what + ": total norm", c.tensor("total").values(), total.toArray());
            for (int i = 0; i < 2; i++) {
                ReferenceVectors.Vector out = c.tensors().get("g" + i + "_out");
                if (out == null) {
                    assertNull(params[i].grad(), what + ": a parameter without gradient keeps none");
                } else {
                    NORM.assertClose(what + ": clipped gradient of " + params[i].name(), out.values(), params[i].grad().toArray());
                }
            }
        } finally {
            OptimCases.closeAll(params);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("valueCases")
    void clipGradValueMatchesPyTorch(Device device, ReferenceVectors.Case c) {
        Parameter[] params = withGrads(device, c);
        String what = c.id() + " " + c.keys() + " on " + device.spec();
        try {
            GradClip.clipGradValue(List.of(params), OptimCases.num(c, "clip_value"));
            for (int i = 0; i < 2; i++) {
                ReferenceVectors.Vector out = c.tensor("g" + i + "_out");
                Contract.assertExact(what + ": clamped gradient of " + params[i].name(), out.shape(), out.values(),
                        params[i].grad());
            }
        } finally {
            OptimCases.closeAll(params);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Contract.DEVICES)
    void noGradientGivesATotalNormOfZero(Device device) {
        Parameter p = new Parameter("w", device.ones(3));
        try (Scope scope = Scope.open()) {
            Tensor total = GradClip.clipGradNorm(List.of(p), 1.0, 2);
            assertNotNull(total, "clipGradNorm over parameters without gradients returns a zero norm (PyTorch: tensor(0.))");
            assertEquals(0f, total.item(), "total norm without gradients on " + device.spec());
            assertNull(p.grad(), "no gradient is created");
        } finally {
            p.close();
        }
    }

    @Test
    void invalidArgumentsAreRejected() {
        Parameter p = new Parameter("w", Device.cpu().ones(3));
        try {
            OptimCases.setGrad(p, new float[] {1, 2, 3});
            for (double normType : new double[] {1, 0, 3, Double.NEGATIVE_INFINITY, Double.NaN}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> GradClip.clipGradNorm(List.of(p), 1.0, normType), "normType " + normType);
                assertTrue(e.getMessage().contains("GradClip.clipGradNorm") && e.getMessage().contains("normType"), e.getMessage());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> GradClip.clipGradNorm(List.of(p), -1.0, 2), "maxNorm -1");
            assertTrue(e.getMessage().contains("maxNorm"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(List.of(p), -0.5), "clipValue -0.5");
            assertTrue(e.getMessage().contains("GradClip.clipGradValue") && e.getMessage().contains("clipValue"), e.getMessage());
            assertEquals(List.of(1f, 2f, 3f), List.of(p.grad().toArray()[0], p.grad().toArray()[1], p.grad().toArray()[2]),
                    "a rejected call leaves the gradient unchanged");
        } finally {
            p.close();
        }
    }
}
