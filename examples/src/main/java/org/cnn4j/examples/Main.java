package org.cnn4j.examples;

import java.util.ArrayList;
import java.util.Arrays;
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
 *   <li>{@code train [options]} (the default): trains a model preset on a data set with a progress bar and writes
 *       metrics, curves, checkpoints and the final model to an output folder (see {@link TrainCommand}).</li>
 *   <li>{@code evaluate --model-file FILE}: loss and accuracy of a saved model on its test set.</li>
 *   <li>{@code devices}: lists every device, then on each one multiplies two random matrices, times it,
 *       and checks the product against the CPU fallback.</li>
 *   <li>{@code step [batch] [steps]}: times training steps (forward, backward, plain SGD update) of the
 *       reference CNN on random images on the default device and prints images per second.</li>
 *   <li>{@code filters [--image in.png] [--out DIR] [--device spec]}: applies classic convolution weights
 *       (Sobel, Laplacian, box and Gaussian blur, sharpen) to a picture with the library's own convolution,
 *       smooths a noisy volume with a 3-D Gaussian, and writes the results as PNGs (see {@link FiltersDemo}).</li>
 * </ul>
 * A bad argument prints a message and the usage and exits with status 2.
 */
public final class Main {
    private Main() {
    }

    /** Entry point; see the class javadoc for the commands. */
    public static void main(String[] args) {
        String command = args.length == 0 ? "train" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "train" -> guarded(() -> TrainCommand.run(rest, System.out));
            case "evaluate" -> guarded(() -> EvaluateCommand.run(rest, System.out));
            case "devices" -> devices(args.length > 1 ? Integer.parseInt(args[1]) : 512);
            case "step" -> TrainingStepTiming.run(Device.defaultDevice(), args.length > 1 ? Integer.parseInt(args[1]) : 64,
                    args.length > 2 ? Integer.parseInt(args[2]) : 20);
            case "filters" -> guarded(() -> FiltersDemo.run(rest));
            case "-h", "--help", "help" -> usage();
            default -> {
                System.err.println("unknown command '" + command + "'");
                usage();
                System.exit(2);
            }
        }
    }

    /** A command body that may throw. */
    private interface Command {
        void run() throws Exception;
    }

    /** Runs {@code c}; a bad argument prints its message and the usage and exits with status 2. */
    private static void guarded(Command c) {
        try {
            c.run();
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            usage();
            System.exit(2);
        } catch (Exception e) {
            System.err.println(e);
            System.exit(1);
        }
    }

    private static void usage() {
        System.out.println("usage: java -jar examples/target/cnn4j.jar " + TrainCommand.USAGE);
        System.out.println("       java -jar examples/target/cnn4j.jar " + EvaluateCommand.USAGE);
        System.out.println("       java -jar examples/target/cnn4j.jar devices [matrix size]");
        System.out.println("       java -jar examples/target/cnn4j.jar step [batch] [steps]   (-Dcnn4j.device=... picks the device)");
        System.out.println("       java -jar examples/target/cnn4j.jar " + FiltersDemo.USAGE);
        System.out.println("           (default: the built-in test picture, written to " + FiltersDemo.DEFAULT_OUT + "/)");
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
