package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Errors are part of the contract: the same bad call raises the same exception type with the same
 * message on every backend, in the house format {@code <op>: <what> must <constraint>, but got <actual>},
 * naming the op and the shapes involved; and a rejected call leaves no memory allocated.
 */
class ErrorContractTest {

    /**
     * Prepares the inputs on {@code device} (untimed, unmeasured) and returns the call that must fail.
     */
    @FunctionalInterface
    interface BadCall {
        Executable prepare(Device device);
    }

    /**
     * Runs {@code call} on the CPU and on {@code device}: both must throw {@code type} with the same
     * message, and neither may leave pool memory in use.
     *
     * @return the message (from {@code device}), for checks of its content
     */
    static String sameFailure(Device device, Class<? extends Throwable> type, String what, BadCall call) {
        String message = failOn(device, type, what, call);
        String cpuMessage = failOn(TestDevices.cpu(), type, what, call);
        assertEquals(cpuMessage, message, what + ": " + device.spec() + " must fail with the same message as cpu");
        return message;
    }

    private static String failOn(Device device, Class<? extends Throwable> type, String what, BadCall call) {
        try (Scope scope = Scope.open()) {
            Executable bad = call.prepare(device);
            long before = device.pool().bytesInUse();
            Throwable e = assertThrows(Throwable.class, bad, what + " on " + device.spec() + " must throw");
            assertSame(type, e.getClass(), () -> what + " on " + device.spec() + ": exception type must be "
                    + type.getSimpleName() + ", but got " + e);
            assertEquals(before, device.pool().bytesInUse(),
                    what + " on " + device.spec() + ": a rejected call must not leave memory allocated");
            return e.getMessage().replaceAll("tensor#\\d+", "tensor#N");
        }
    }

    /** Asserts that {@code message} contains every one of {@code parts}. */
    static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "message must mention '" + p + "', but was: " + message);
        }
    }

    private static Tensor named(Device d, String name, int... dims) {
        return d.zeros(dims).setName(name);
    }

    // ---- broadcasting ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void broadcastMismatchNamesTheOpAndBothShapes(Device device) {
        String[] ops = {"add", "sub", "mul", "div", "maximum", "minimum", "pow"};
        for (String op : ops) {
            String m = sameFailure(device, IllegalArgumentException.class, op + " [2, 3] with [4]", d -> {
                Tensor a = named(d, "a", 2, 3);
                Tensor b = named(d, "b", 4);
                return () -> binary(op, a, b);
            });
            assertMentions(m, "Tensor." + op + ":", "broadcastable", "[2, 3]", "[4]");
        }
        String m = sameFailure(device, IllegalArgumentException.class, "add [4, 1, 3] with [2, 2]", d -> {
            Tensor a = named(d, "a", 4, 1, 3);
            Tensor b = named(d, "b", 2, 2);
            return () -> a.add(b);
        });
        assertMentions(m, "Tensor.add:", "[4, 1, 3]", "[2, 2]");
    }

    static Tensor binary(String op, Tensor a, Tensor b) {
        return switch (op) {
            case "add" -> a.add(b);
            case "sub" -> a.sub(b);
            case "mul" -> a.mul(b);
            case "div" -> a.div(b);
            case "maximum" -> a.maximum(b);
            case "minimum" -> a.minimum(b);
            case "pow" -> a.pow(b);
            default -> throw new IllegalArgumentException(op);
        };
    }

    // ---- matmul ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void matmulInnerDimensionMismatch(Device device) {
        String m = sameFailure(device, IllegalArgumentException.class, "matmul [2, 3] x [4, 5]", d -> {
            Tensor a = named(d, "a", 2, 3);
            Tensor b = named(d, "b", 4, 5);
            return () -> a.matmul(b);
        });
        assertMentions(m, "Tensor.matmul:", "inner dimensions", "[2, 3]", "[4, 5]", "3", "4");

        m = sameFailure(device, IllegalArgumentException.class, "matmul [2, 3]^T x [3, 4]", d -> {
            Tensor a = named(d, "a", 2, 3);
            Tensor b = named(d, "b", 3, 4);
            return () -> a.matmul(b, true, false);
        });
        assertMentions(m, "Tensor.matmul:", "[2, 3]^T", "[3, 4]");

        m = sameFailure(device, IllegalArgumentException.class, "matmul [5, 2, 3] x [5, 4, 3]", d -> {
            Tensor a = named(d, "a", 5, 2, 3);
            Tensor b = named(d, "b", 5, 4, 3);
            return () -> a.matmul(b);
        });
        assertMentions(m, "Tensor.matmul:", "[5, 2, 3]", "[5, 4, 3]");

        m = sameFailure(device, IllegalArgumentException.class, "matmul batch 2 x batch 3", d -> {
            Tensor a = named(d, "a", 2, 4, 5);
            Tensor b = named(d, "b", 3, 5, 6);
            return () -> a.matmul(b);
        });
        assertMentions(m, "Tensor.matmul:", "batch", "[2, 4, 5]", "[3, 5, 6]");
    }

    // ---- rank ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void rankErrors(Device device) {
        String m = sameFailure(device, IllegalArgumentException.class, "matmul of a vector", d -> {
            Tensor a = named(d, "a", 3);
            Tensor b = named(d, "b", 3, 4);
            return () -> a.matmul(b);
        });
        assertMentions(m, "Tensor.matmul:", "rank", "[3]", "[3, 4]");

        m = sameFailure(device, IllegalArgumentException.class, "matmul of rank 4", d -> {
            Tensor a = named(d, "a", 2, 2, 3, 4);
            Tensor b = named(d, "b", 4, 5);
            return () -> a.matmul(b);
        });
        assertMentions(m, "Tensor.matmul:", "rank", "[2, 2, 3, 4]");

        m = sameFailure(device, IllegalArgumentException.class, "t() of rank 3", d -> {
            Tensor a = named(d, "a", 2, 3, 4);
            return a::t;
        });
        assertMentions(m, "Tensor.t:", "rank 2", "[2, 3, 4]");

        m = sameFailure(device, IllegalArgumentException.class, "narrow of a scalar", d -> {
            Tensor a = d.scalar(1f);
            return () -> a.narrow(0, 1);
        });
        assertMentions(m, "Tensor.narrow:", "rank");

        m = sameFailure(device, IllegalArgumentException.class, "item of [2, 3]", d -> {
            Tensor a = named(d, "a", 2, 3);
            return a::item;
        });
        assertMentions(m, "Tensor.item:", "1 element", "[2, 3]");

        m = sameFailure(device, IllegalArgumentException.class, "permute with 2 entries for rank 3", d -> {
            Tensor a = named(d, "a", 2, 3, 4);
            return () -> a.permute(1, 0);
        });
        assertMentions(m, "Tensor.permute:", "3 entries", "[2, 3, 4]", "[1, 0]");

        m = sameFailure(device, IllegalArgumentException.class, "permute with a repeated entry", d -> {
            Tensor a = named(d, "a", 2, 3, 4);
            return () -> a.permute(0, 1, 1);
        });
        assertMentions(m, "Tensor.permute:", "permutation", "[0, 1, 1]");

        m = sameFailure(device, IllegalArgumentException.class, "squeeze of an extent-3 dimension", d -> {
            Tensor a = named(d, "a", 2, 3);
            return () -> a.squeeze(1);
        });
        assertMentions(m, "Tensor.squeeze:", "extent 1", "3", "[2, 3]");
    }

    // ---- reshape ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void reshapeCountMismatch(Device device) {
        String m = sameFailure(device, IllegalArgumentException.class, "reshape [2, 3] to [4, 2]", d -> {
            Tensor a = named(d, "a", 2, 3);
            return () -> a.reshape(4, 2);
        });
        assertMentions(m, "Tensor.reshape:", "6", "[2, 3]", "8", "[4, 2]");

        m = sameFailure(device, IllegalArgumentException.class, "reshape [2, 3] to [-1, 4]", d -> {
            Tensor a = named(d, "a", 2, 3);
            return () -> a.reshape(-1, 4);
        });
        assertMentions(m, "Tensor.reshape:", "divisible by 4", "[2, 3]", "[-1, 4]");

        m = sameFailure(device, IllegalArgumentException.class, "reshape with two -1", d -> {
            Tensor a = named(d, "a", 2, 3);
            return () -> a.reshape(-1, -1);
        });
        assertMentions(m, "Tensor.reshape:", "[-1, -1]", "[2, 3]");

        m = sameFailure(device, IllegalArgumentException.class, "reshape with a 0", d -> {
            Tensor a = named(d, "a", 2, 3);
            return () -> a.reshape(0, 6);
        });
        assertMentions(m, "Tensor.reshape:", "[0, 6]");
    }

    // ---- axes ------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void invalidAxis(Device device) {
        String[] ops = {"sum", "mean", "max", "min", "argmax"};
        for (String op : ops) {
            for (int axis : new int[] {2, -3, 17}) {
                String m = sameFailure(device, IllegalArgumentException.class, op + "(axis=" + axis + ") of [2, 3]", d -> {
                    Tensor a = named(d, "a", 2, 3);
                    return () -> along(op, a, axis);
                });
                assertMentions(m, "Tensor." + op + ":", "axis", "[-2, 2)", String.valueOf(axis), "[2, 3]");
            }
        }
        String m = sameFailure(device, IllegalArgumentException.class, "transpose(0, 2) of [2, 3]", d -> {
            Tensor a = named(d, "a", 2, 3);
            return () -> a.transpose(0, 2);
        });
        assertMentions(m, "Tensor.transpose:", "axis", "2", "[2, 3]");

        m = sameFailure(device, IllegalArgumentException.class, "unsqueeze(3) of [2, 3]", d -> {
            Tensor a = named(d, "a", 2, 3);
            return () -> a.unsqueeze(3);
        });
        assertMentions(m, "Tensor.unsqueeze:", "axis", "[-3, 2]", "3", "[2, 3]");

        m = sameFailure(device, IllegalArgumentException.class, "squeeze(2) of [2, 1]", d -> {
            Tensor a = named(d, "a", 2, 1);
            return () -> a.squeeze(2);
        });
        assertMentions(m, "Tensor.squeeze:", "axis", "[2, 1]");

        m = sameFailure(device, IllegalArgumentException.class, "sum(axis=0) of a scalar", d -> {
            Tensor a = d.scalar(1f);
            return () -> a.sum(0, false);
        });
        assertMentions(m, "Tensor.sum:", "axis", "[]");

        m = sameFailure(device, IllegalArgumentException.class, "narrow(3, 2) of [4, 2]", d -> {
            Tensor a = named(d, "a", 4, 2);
            return () -> a.narrow(3, 2);
        });
        assertMentions(m, "Tensor.narrow:", "start=3", "length=2", "[4, 2]");
    }

    static Tensor along(String op, Tensor a, int axis) {
        return switch (op) {
            case "sum" -> a.sum(axis, false);
            case "mean" -> a.mean(axis, true);
            case "max" -> a.max(axis, false);
            case "min" -> a.min(axis, true);
            case "argmax" -> a.argmax(axis, false);
            default -> throw new IllegalArgumentException(op);
        };
    }

    // ---- closed tensors --------------------------------------------------------------------------

    /**
     * A use of a closed tensor {@code x [2, 3]}: {@code prepare} makes any other operand (on x's device)
     * and returns the call; {@code op} is the op name the message must carry (null: any).
     */
    record ClosedUse(String call, String op, Function<Tensor, Executable> prepare) {
        static ClosedUse of(String call, String op, Function<Tensor, Object> fn) {
            return new ClosedUse(call, op, x -> () -> fn.apply(x));
        }

        /** A use as the operand of another, open tensor {@code o} of {@code dims}, made beforehand. */
        static ClosedUse withOther(String call, String op, int[] dims, BiFunction<Tensor, Tensor, Object> fn) {
            return new ClosedUse(call, op, x -> {
                Tensor o = x.device().ones(dims);
                return () -> fn.apply(x, o);
            });
        }
    }

    static final ClosedUse[] CLOSED_USES = {
        ClosedUse.withOther("x.add(o)", "Tensor.add", new int[] {2, 3}, Tensor::add),
        ClosedUse.withOther("o.add(x)", "Tensor.add", new int[] {2, 3}, (x, o) -> o.add(x)),
        ClosedUse.of("x.mul(2)", "Tensor.mul", x -> x.mul(2f)),
        ClosedUse.of("x.sigmoid()", "Tensor.sigmoid", Tensor::sigmoid),
        ClosedUse.of("x.sum()", "Tensor.sum", Tensor::sum),
        ClosedUse.of("x.sum(1, false)", "Tensor.sum", x -> x.sum(1, false)),
        ClosedUse.of("x.argmax(0, true)", "Tensor.argmax", x -> x.argmax(0, true)),
        ClosedUse.withOther("x.matmul(o)", "Tensor.matmul", new int[] {3, 2}, Tensor::matmul),
        ClosedUse.withOther("o.matmul(x)", "Tensor.matmul", new int[] {4, 2}, (x, o) -> o.matmul(x)),
        ClosedUse.of("x.transpose(0, 1)", "Tensor.transpose", x -> x.transpose(0, 1)),
        ClosedUse.of("x.permute(1, 0)", "Tensor.permute", x -> x.permute(1, 0)),
        ClosedUse.of("x.reshape(3, 2)", "Tensor.reshape", x -> x.reshape(3, 2)),
        ClosedUse.of("x.toArray()", "Tensor.toArray", Tensor::toArray),
        ClosedUse.of("x.item()", "Tensor.item", Tensor::item),
        ClosedUse.of("x.fill(1)", "Tensor.fill", x -> x.fill(1f)),
        ClosedUse.of("x.copyFrom(float[6])", "Tensor.copyFrom", x -> x.copyFrom(new float[6])),
        ClosedUse.withOther("x.copyFrom(o)", "Tensor.copyFrom", new int[] {2, 3}, Tensor::copyFrom),
        ClosedUse.withOther("o.copyFrom(x)", "Tensor.copyFrom", new int[] {2, 3}, (x, o) -> o.copyFrom(x)),
        ClosedUse.of("x.memory()", "Tensor.memory", Tensor::memory),
        ClosedUse.of("x.copy()", null, Tensor::copy),
        ClosedUse.of("x.narrow(0, 1)", null, x -> x.narrow(0, 1)),
        ClosedUse.of("x.unsqueeze(0)", null, x -> x.unsqueeze(0)),
        ClosedUse.of("x.flatten()", null, Tensor::flatten),
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void usingAClosedTensorNamesTheTensorAndItsShape(Device device) {
        // every use is checked and reported, not only up to the first failure
        assertAll(Arrays.stream(CLOSED_USES).map(use -> () -> {
            String m = sameFailure(device, IllegalStateException.class, "closed tensor: " + use.call(), d -> {
                Tensor x = named(d, "x", 2, 3);
                x.close();
                return use.prepare().apply(x);
            });
            assertMentions(m, "x [2, 3]", "closed");
            if (use.op() != null) {
                assertMentions(m, use.op() + ":");
            }
        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void closingTwiceAndClosedStateAreHarmless(Device device) {
        Tensor x = named(device, "x", 2, 3);
        assertFalse(x.isClosed(), "a new tensor is open");
        x.close();
        x.close();
        assertTrue(x.isClosed(), "closed after close()");
        assertMentions(x.toString(), "x [2, 3]", "closed");
    }

    // ---- devices ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void tensorsOnTwoDevices(Device device) {
        assumeTrue(TestDevices.devices().size() > 1, "needs an OpenCL device besides the CPU");
        Device other = device == TestDevices.cpu() ? TestDevices.devices().get(1) : TestDevices.cpu();
        try (Scope scope = Scope.open()) {
            Tensor a = named(device, "a", 2, 3);
            Tensor b = named(other, "b", 2, 3);
            Tensor w = named(other, "w", 3, 2);
            String expected = "tensors must be on the same device, but got " + device.spec() + " and " + other.spec();
            assertMentions(assertThrows(IllegalArgumentException.class, () -> a.add(b)).getMessage(), "Tensor.add:", expected);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> a.maximum(b)).getMessage(), "Tensor.maximum:", expected);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> a.matmul(w)).getMessage(), "Tensor.matmul:", expected);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> a.copyFrom(b)).getMessage(), "Tensor.copyFrom:", expected);
            assertMentions(assertThrows(IllegalArgumentException.class, () -> b.sub(a)).getMessage(), "Tensor.sub:",
                    "but got " + other.spec() + " and " + device.spec());
        }
    }

    // ---- shapes and data -------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void zeroOrNegativeDimensions(Device device) {
        String m = sameFailure(device, IllegalArgumentException.class, "zeros(2, 0)", d -> () -> d.zeros(2, 0));
        assertMentions(m, "Shape.of:", ">= 1", "[2, 0]", "dimension 1");
        m = sameFailure(device, IllegalArgumentException.class, "ones(-3)", d -> () -> d.ones(-3));
        assertMentions(m, "Shape.of:", ">= 1", "[-3]");
        m = sameFailure(device, IllegalArgumentException.class, "fromArray(float[0], 0)", d -> () -> d.fromArray(new float[0], 0));
        assertMentions(m, "Shape.of:", "[0]");
        m = sameFailure(device, IllegalArgumentException.class, "full(1, 4, -1, 2)", d -> () -> d.full(1f, 4, -1, 2));
        assertMentions(m, "Shape.of:", "[4, -1, 2]", "dimension 1");

        Generator g = new Generator(3);
        m = sameFailure(device, IllegalArgumentException.class, "uniform(3, 0)", d -> () -> d.uniform(g, 0f, 1f, 3, 0));
        assertMentions(m, "Shape.of:", "[3, 0]");
        assertEquals(0, g.offset(), "a rejected draw must not advance the generator");
    }

    @Test
    void shapeOfRejectsZeroAndNegativeDimensions() {
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Shape.of(3, 0)).getMessage(),
                "Shape.of:", "[3, 0]", "dimension 1");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Shape.of(-2)).getMessage(), "Shape.of:", "[-2]");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> Shape.of(65536, 65536)).getMessage(),
                "Shape.of:", "element count");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void dataLengthMismatch(Device device) {
        String m = sameFailure(device, IllegalArgumentException.class, "fromArray(float[5], 2, 3)",
                d -> () -> d.fromArray(new float[5], 2, 3));
        assertMentions(m, "Device.fromArray:", "[2, 3]", "6", "5");
        m = sameFailure(device, IllegalArgumentException.class, "fromArray(float[7], 2, 3)",
                d -> () -> d.fromArray(new float[7], 2, 3));
        assertMentions(m, "Device.fromArray:", "[2, 3]", "6", "7");
        m = sameFailure(device, IllegalArgumentException.class, "copyFrom(float[5]) into [2, 3]", d -> {
            Tensor a = named(d, "a", 2, 3);
            return () -> a.copyFrom(new float[5]);
        });
        assertMentions(m, "Tensor.copyFrom:", "6", "[2, 3]", "5");
        m = sameFailure(device, IllegalArgumentException.class, "copyFrom([3, 2]) into [2, 3]", d -> {
            Tensor a = named(d, "a", 2, 3);
            Tensor b = named(d, "b", 3, 2);
            return () -> a.copyFrom(b);
        });
        assertMentions(m, "Tensor.copyFrom:", "[2, 3]", "[3, 2]");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void randomArgumentErrors(Device device) {
        Generator g = new Generator(11);
        String m = sameFailure(device, IllegalArgumentException.class, "uniform(low > high)", d -> () -> d.uniform(g, 2f, 1f, 4));
        assertMentions(m, "Device.uniform:", "low", "high", "2.0", "1.0");
        m = sameFailure(device, IllegalArgumentException.class, "uniform(NaN)", d -> () -> d.uniform(g, Float.NaN, 1f, 4));
        assertMentions(m, "Device.uniform:", "low", "finite", "NaN");
        m = sameFailure(device, IllegalArgumentException.class, "normal(std < 0)", d -> () -> d.normal(g, 0f, -1f, 4));
        assertMentions(m, "Device.normal:", "std", "-1.0");
        m = sameFailure(device, IllegalArgumentException.class, "bernoulli(p > 1)", d -> () -> d.bernoulli(g, 1.5f, 4));
        assertMentions(m, "Device.bernoulli:", "p", "1.5");
        assertEquals(0, g.offset(), "rejected draws must not advance the generator");
    }
}
