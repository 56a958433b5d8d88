package org.cnn4j.it;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.cnn4j.it.PropertyCall.Env;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.testing.TestDevices;
import org.junit.jupiter.api.Test;

/**
 * Property-based test of argument validation (issue #7, "Bad input"): thousands of random argument combinations, drawn
 * by {@link PropertyDraws} from a fixed seed and biased toward the edges, are thrown at the layers and their {@code F}
 * functions on every device. Each call must either
 * <ul>
 *   <li>succeed when the oracle says PyTorch's rules allow it, with the output shape of PyTorch's formula and, on
 *       OpenCL, values within the parity tolerance of the CPU's; or</li>
 *   <li>be refused when the oracle says so, with the documented type ({@link IllegalArgumentException} for a bad
 *       argument or tensors on two devices, {@link IllegalStateException} for a closed tensor or layer) whose message
 *       starts with the layer or op ({@code Conv2d:}, {@code Conv2d.forward:}, {@code F.conv2d:}), the same type and
 *       message on every device, no pool memory left allocated by the call, and nothing half-applied (parameters,
 *       buffers, running statistics and generator offsets unchanged).</li>
 * </ul>
 * Anything else (an {@link ArrayIndexOutOfBoundsException}, a {@link NullPointerException}, an OpenCL error, a refusal
 * of a valid call, an accepted invalid call, a hang) fails the test with the seed, the case number and the arguments.
 * Reproduce one case with {@code -Dcnn4j.props.seed=S -Dcnn4j.props.from=I -Dcnn4j.props.cases=1}.
 *
 * <p>The summary line (printed on stdout) gives the cases, and per device how many succeeded and how many were
 * refused, by exception type.
 */
class LayerPropertyTest {
    private static final long SEED = Long.getLong("cnn4j.props.seed", 0x7C0FFEEL);
    private static final int CASES = Integer.getInteger("cnn4j.props.cases", 5000);
    private static final int FROM = Integer.getInteger("cnn4j.props.from", 0);
    /** Failures listed in full; the rest are counted. */
    private static final int SHOWN = Integer.getInteger("cnn4j.props.shown", 25);

    /** What one device did with one call. */
    private record Outcome(float[] values, int[] shape, RuntimeException error) {
    }

    private final List<String> failures = new ArrayList<>();
    private final Map<String, Map<String, Integer>> tally = new TreeMap<>();
    private volatile String current = "";
    /** The three slowest cases: {milliseconds, case}. */
    private final List<double[]> slowest = new ArrayList<>();

    @Test
    void everyCallWorksAndAgreesWithTheCpuOrIsRefusedWithTheDocumentedException() {
        List<Device> devices = TestDevices.devices();
        long start = System.nanoTime();
        int[] redraws = {0};
        assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
            for (int i = FROM; i < FROM + CASES; i++) {
                long caseSeed = new SplittableRandom(SEED ^ (i * 0x9E3779B97F4A7C15L)).nextLong();
                PropertyDraws draws = new PropertyDraws(new SplittableRandom(caseSeed), devices.size() > 1);
                PropertyCall call = draws.draw();
                while (call == null) {
                    redraws[0]++;
                    call = draws.draw();
                }
                long t0 = System.nanoTime();
                check(i, caseSeed, call, devices);
                slowest.add(new double[] {(System.nanoTime() - t0) / 1e6, i});
                slowest.sort((a, b) -> Double.compare(b[0], a[0]));
                if (slowest.size() > 3) {
                    slowest.remove(3);
                }
            }
        }, () -> "hung in " + current);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("LayerPropertyTest: seed %d, %d cases (%d oversized valid draws repeated) on %s in %.1f s "
                + "(slowest cases: %s): %s%n", SEED, CASES, redraws[0], devices.stream().map(Device::spec).toList(), seconds,
                slowest.stream().map(t -> String.format("#%d %.0f ms", (int) t[1], t[0])).toList(), tally);
        int n = failures.size();
        assertTrue(failures.isEmpty(), () -> n + " failures (seed " + SEED + "):\n" + String.join("\n",
                failures.subList(0, Math.min(SHOWN, n))) + (n > SHOWN ? "\n... and " + (n - SHOWN) + " more" : ""));
    }

    private void check(int index, long caseSeed, PropertyCall call, List<Device> devices) {
        Outcome reference = null;
        for (Device device : devices) {
            Device other = devices.get(device == devices.get(0) ? devices.size() - 1 : 0);
            String what = "case " + index + " " + call.args() + " on " + device.spec() + " (expected " + call.expect() + ")";
            current = what;
            Outcome o = run(call, device, other, caseSeed, what);
            count(device, o);
            if (o == null) {
                continue;
            }
            if (reference == null) {
                reference = o;
            } else {
                compare(call, what, reference, o);
            }
        }
    }

    /** Runs the call on {@code device}; returns its outcome, or null after recording a failure. */
    private Outcome run(PropertyCall call, Device device, Device other, long caseSeed, String what) {
        long before = device.pool().bytesInUse();
        Outcome outcome;
        try (Scope scope = Scope.open(); Env env = new Env(device, other, caseSeed, call.mod(), call.modInput())) {
            long beforeCall = before;
            RuntimeException error = null;
            Tensor y = null;
            try {
                Supplier<Tensor> op = call.call().on(env);
                beforeCall = device.pool().bytesInUse();
                y = op.get();
            } catch (RuntimeException e) {
                error = e;
            }
            if (error != null) {
                if (!refusedAsDocumented(call, what, error)) {
                    return null;
                }
                if (device.pool().bytesInUse() != beforeCall) {
                    return fail(what, "the refused call left " + (device.pool().bytesInUse() - beforeCall) + " bytes allocated");
                }
                List<String> touched = env.untouched();
                if (!touched.isEmpty()) {
                    return fail(what, "the refused call half-applied: " + touched);
                }
                outcome = new Outcome(null, null, error);
            } else {
                if (call.expect().shape() == null) {
                    return fail(what, "must be refused, but returned " + y.shape());
                }
                if (!Arrays.equals(call.expect().shape(), y.shape().toArray())) {
                    return fail(what, "output shape must be " + Arrays.toString(call.expect().shape()) + " (PyTorch), but got "
                            + y.shape());
                }
                outcome = new Outcome(y.toArray(), y.shape().toArray(), null);
            }
        } catch (RuntimeException | AssertionError e) {
            return fail(what, "failed outside the call: " + e);
        }
        if (device.pool().bytesInUse() != before) {
            return fail(what, "closing the scope and the layer left " + (device.pool().bytesInUse() - before) + " bytes allocated");
        }
        return outcome;
    }

    private boolean refusedAsDocumented(PropertyCall call, String what, RuntimeException e) {
        if (call.expect().shape() != null) {
            fail(what, "refused a valid call with " + describe(e));
            return false;
        }
        if (!call.expect().refusals().contains(e.getClass())) {
            fail(what, "must throw one of " + call.expect().refusals().stream().map(Class::getSimpleName).toList()
                    + ", but threw " + describe(e));
            return false;
        }
        String m = String.valueOf(e.getMessage());
        if (!m.startsWith(call.op() + ":") && !m.startsWith(call.op() + ".")) {
            fail(what, "the message must start with '" + call.op() + ":' or '" + call.op() + ".', but was: " + m);
            return false;
        }
        return true;
    }

    /** The second device must do what the first did: the same refusal, or values within the tolerance. */
    private void compare(PropertyCall call, String what, Outcome cpu, Outcome o) {
        if ((cpu.error() == null) != (o.error() == null)) {
            fail(what, "cpu " + (cpu.error() == null ? "succeeded" : "threw " + describe(cpu.error())) + ", but this device "
                    + (o.error() == null ? "succeeded" : "threw " + describe(o.error())));
        } else if (cpu.error() != null) {
            String a = clean(cpu.error().getMessage());
            String b = clean(o.error().getMessage());
            if (cpu.error().getClass() != o.error().getClass() || (call.mod() != PropertyCall.Mod.OTHER_DEVICE && !a.equals(b))) {
                fail(what, "must fail as on cpu (" + describe(cpu.error()) + "), but threw " + describe(o.error()));
            }
        } else {
            try {
                call.tolerance().assertClose(what + " vs cpu", cpu.values(), o.values());
            } catch (AssertionError e) {
                fail(what, e.getMessage());
            }
        }
    }

    private void count(Device device, Outcome o) {
        String key = o == null ? "FAILED" : o.error() == null ? "succeeded" : o.error().getClass().getSimpleName();
        tally.computeIfAbsent(device.spec(), d -> new TreeMap<>()).merge(key, 1, Integer::sum);
    }

    private Outcome fail(String what, String problem) {
        failures.add(what + ": " + problem);
        return null;
    }

    private static String describe(Throwable e) {
        return e.getClass().getName() + ": " + e.getMessage();
    }

    private static String clean(String message) {
        return String.valueOf(message).replaceAll("tensor#\\d+", "tensor#N");
    }
}
