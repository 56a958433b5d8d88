package org.cnn4j.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.DeviceInfo;

/**
 * The cnn4j command line. Commands:
 * <ul>
 *   <li>{@code devices}: lists every device, then on each one multiplies two random matrices, times it,
 *       and checks the product against the CPU fallback.</li>
 *   <li>{@code step [batch] [steps]}: times training steps (forward, backward, plain SGD update) of the
 *       reference CNN on random images on the default device and prints images per second.</li>
 * </ul>
 * The trainer ({@code train}, {@code evaluate}) and the filters demo arrive with issue #5.
 */
public final class Main {
    private Main() {
    }

    /** Entry point; see the class javadoc for the commands. */
    public static void main(String[] args) {
        String command = args.length == 0 ? "devices" : args[0];
        switch (command) {
            case "devices" -> devices(args.length > 1 ? Integer.parseInt(args[1]) : 512);
            case "step" -> TrainingStepTiming.run(Device.defaultDevice(), args.length > 1 ? Integer.parseInt(args[1]) : 64,
                    args.length > 2 ? Integer.parseInt(args[2]) : 20);
            case "-h", "--help", "help" -> usage();
            default -> {
                System.err.println("unknown command '" + command + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.out.println("usage: java -jar examples/target/cnn4j.jar devices [matrix size]");
        System.out.println("       java -jar examples/target/cnn4j.jar step [batch] [steps]   (-Dcnn4j.device=... picks the device)");
    }

    private static void devices(int n) {
        List<DeviceInfo> infos = Device.available();
        System.out.println("devices:");
        for (DeviceInfo info : infos) {
            System.out.println("  " + info.describe());
        }
        System.out.println("default device (-Dcnn4j.device / CNN4J_DEVICE, else auto): " + Device.defaultDevice().spec());
        Device cpu = Device.cpu();
        float[] reference = product(cpu, n, 1);
        List<String> rows = new ArrayList<>();
        for (DeviceInfo info : infos) {
            Device device = Device.of(info.spec());
            long start = System.nanoTime();
            float[] c = product(device, n, 5);
            double seconds = (System.nanoTime() - start) / 1e9 / 5;
            double maxDiff = 0;
            for (int i = 0; i < c.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(c[i] - reference[i]));
            }
            rows.add(String.format(Locale.ROOT, "  %-10s %4dx%-4d matmul  %8.1f GFLOP/s (incl. first-call compile)  max |diff| vs cpu %.2e",
                    device.spec(), n, n, 2.0 * n * n * n / seconds / 1e9, maxDiff));
        }
        System.out.println("matrix multiply on each device:");
        rows.forEach(System.out::println);
    }

    /** {@code A x B} for seeded random {@code n x n} matrices, computed {@code repeats} times on {@code device}. */
    private static float[] product(Device device, int n, int repeats) {
        try (Scope scope = Scope.open()) {
            Generator gen = new Generator(7);
            Tensor a = device.uniform(gen, -1f, 1f, n, n);
            Tensor b = device.uniform(gen, -1f, 1f, n, n);
            Tensor c = a.matmul(b);
            for (int r = 1; r < repeats; r++) {
                c.close();
                c = a.matmul(b);
            }
            return c.toArray();
        }
    }
}
