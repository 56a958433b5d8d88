package org.cnn4j.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.DeviceUnavailableException;

/**
 * Times named {@link Workloads workloads} outside JMH, so that {@code benchmarks/compare.sh} can alternate it
 * with its PyTorch twin {@code benchmarks/python/bench_torch.py}, which takes the same arguments and prints
 * the same JSON.
 *
 * <p>For each workload: the first invocation measures how many invocations make one repetition last at
 * least {@code --min-time} seconds; {@code --warmup} repetitions follow (re-measuring that count), and more until
 * {@code --warmup-time} seconds have passed (default 5; 0 turns the extra warm-up off) and the throughput has stopped rising (no repetition of the
 * last {@value #STEADY_REPS} beat the best before them by {@value #STEADY_GAIN_PERCENT}%), for at most
 * {@value #MAX_WARMUP_SECONDS} s: the JIT compiles the Vector API kernels one by one in the background during the
 * first seconds (on two cores, the last ones after 10 to 15 s of a training run), and until then they run the
 * API's slow Java fallback. Then {@code --reps} timed repetitions. Each repetition gives one throughput sample: images/s for training and
 * inference, GFLOP/s for convolution ({@code 2 N K Ho Wo C k k} per forward, 3 forwards for
 * forward+backward) and SGEMM ({@code 2 n^3}), Melem/s of input elements for the op-level workloads (max pooling,
 * batch norm, dropout and ReLU on {@code [64, 32, 28, 28]}, see {@link Workloads#LAYER_OPS}). Prints one JSON line
 * per workload on standard output: {@code impl, workload, device, device_name, unit, median, min, max, samples,
 * reps, warmup, warmup_s, runs_per_rep,
 * work_per_run, shape, threads, tiny, last_value, settings}. Logs go to standard error.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar org.cnn4j.benchmarks.SideBySide WORKLOAD[,WORKLOAD...]
 *      [--device cpu|opencl|opencl:I] [--reps R] [--warmup W] [--warmup-time S] [--min-time S] [--tiny] [--list]
 * </pre>
 * Exit status: 0, 2 for a usage error, 3 when the device is not available here.
 */
public final class SideBySide {
    static final int OK = 0;
    static final int USAGE = 2;
    static final int NO_DEVICE = 3;

    private SideBySide() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != OK) {
            System.exit(status);
        }
    }

    /** Options of one run. */
    record Options(List<String> workloads, String device, int reps, int warmup, double warmupTime, double minTime,
                   boolean tiny) {
    }

    /** Runs the command line {@code args}; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        try {
            if (Arrays.asList(args).contains("--list")) {
                out.println(String.join(" ", Workloads.NAMES));
                return OK;
            }
            o = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("SideBySide: " + e.getMessage());
            err.println("usage: SideBySide WORKLOAD[,WORKLOAD...] [--device cpu|opencl|opencl:I] [--reps R] [--warmup W] "
                    + "[--warmup-time SECONDS] [--min-time SECONDS] [--tiny] [--list]");
            err.println("workloads: " + String.join(" ", Workloads.NAMES));
            return USAGE;
        }
        Device device;
        try {
            device = Device.of(o.device());
        } catch (DeviceUnavailableException e) {
            err.println("SideBySide: device '" + o.device() + "' is not available here: " + e.getMessage());
            return NO_DEVICE;
        }
        for (String name : o.workloads()) {
            try (Workload w = Workloads.named(name, device, o.tiny())) {
                out.println(json(w, device, o, measure(w, o)));
                out.flush();
            }
        }
        return OK;
    }

    static Options parse(String[] args) {
        List<String> workloads = null;
        String device = "cpu";
        Integer reps = null;
        Integer warmup = null;
        Double minTime = null;
        Double warmupTime = null;
        boolean tiny = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--tiny" -> tiny = true;
                case "--device" -> device = value(args, ++i, a);
                case "--reps" -> reps = positive(a, value(args, ++i, a), 1);
                case "--warmup" -> warmup = positive(a, value(args, ++i, a), 0);
                case "--min-time" -> minTime = seconds(a, value(args, ++i, a));
                case "--warmup-time" -> warmupTime = seconds(a, value(args, ++i, a));
                default -> {
                    if (a.startsWith("--") || workloads != null) {
                        throw new IllegalArgumentException("unknown or repeated argument '" + a + "'");
                    }
                    workloads = new ArrayList<>(Arrays.asList(a.split(",")));
                    for (String w : workloads) {
                        if (!Workloads.NAMES.contains(w)) {
                            throw new IllegalArgumentException("workload must be one of " + Workloads.NAMES + ", but got '"
                                    + w + "'");
                        }
                    }
                }
            }
        }
        if (workloads == null) {
            throw new IllegalArgumentException("a workload name is required");
        }
        return new Options(workloads, device, reps != null ? reps : tiny ? 2 : 5, warmup != null ? warmup : tiny ? 1 : 2,
                warmupTime != null ? warmupTime : tiny ? 0 : 5, minTime != null ? minTime : tiny ? 0.01 : 0.5, tiny);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String option, String v, int min) {
        try {
            int n = Integer.parseInt(v);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " must be an integer >= " + min + ", but got '" + v + "'");
    }

    private static double seconds(String option, String v) {
        double value;
        try {
            value = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            value = -1.0;
        }
        if (!(value >= 0)) {
            throw new IllegalArgumentException(option + " must be a number >= 0, but got '" + v + "'");
        }
        return value;
    }

    /** The throughput samples of one workload, and what produced them. */
    record Measurement(double[] samples, long runsPerRep, float lastValue, int warmupReps, double warmupSeconds) {
    }

    /** Warm-up repetitions whose best must beat the best before them for the warm-up to go on. */
    static final int STEADY_REPS = 4;
    static final int STEADY_GAIN_PERCENT = 2;
    static final int MAX_WARMUP_SECONDS = 60;

    static Measurement measure(Workload w, Options o) {
        long begin = System.nanoTime();
        long start = begin;
        float last = w.run();
        long runs = runsFor(o.minTime(), 1, System.nanoTime() - start);
        int warmups = 0;
        List<Double> rates = new ArrayList<>();
        while (warmups < o.warmup() || (o.warmupTime() > 0 && System.nanoTime() - begin < MAX_WARMUP_SECONDS * 1e9
                && (System.nanoTime() - begin < o.warmupTime() * 1e9 || rising(rates)))) {
            start = System.nanoTime();
            for (long r = 0; r < runs; r++) {
                last = w.run();
            }
            long nanos = System.nanoTime() - start;
            rates.add(runs / (double) nanos);
            runs = runsFor(o.minTime(), runs, nanos);
            warmups++;
        }
        double warmupSeconds = (System.nanoTime() - begin) / 1e9;
        double[] samples = new double[o.reps()];
        for (int i = 0; i < o.reps(); i++) {
            start = System.nanoTime();
            for (long r = 0; r < runs; r++) {
                last = w.run();
            }
            samples[i] = w.rate(runs, (System.nanoTime() - start) / 1e9);
        }
        return new Measurement(samples, runs, last, warmups, warmupSeconds);
    }

    /**
     * Whether the throughput is still rising: the best of the last {@link #STEADY_REPS} rates beats the best before
     * them by more than {@link #STEADY_GAIN_PERCENT} percent (or there are not yet more than that many rates).
     */
    static boolean rising(List<Double> rates) {
        int n = rates.size();
        if (n <= STEADY_REPS) {
            return true;
        }
        double before = rates.subList(0, n - STEADY_REPS).stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double recent = rates.subList(n - STEADY_REPS, n).stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return recent > before * (1 + STEADY_GAIN_PERCENT / 100.0);
    }

    /** Invocations that make a repetition last at least {@code minTime}, given that {@code runs} took {@code nanos}. */
    private static long runsFor(double minTime, long runs, long nanos) {
        double perRun = Math.max(nanos, 1) / 1e9 / runs;
        return Math.max(1, Math.min(1_000_000, (long) Math.ceil(minTime / perRun)));
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static String json(Workload w, Device device, Options o, Measurement m) {
        double[] s = m.samples();
        StringBuilder samples = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) {
            samples.append(i > 0 ? "," : "").append(number(s[i]));
        }
        samples.append(']');
        String threads = System.getProperty("cnn4j.cpu.threads", "");
        return "{\"impl\":\"cnn4j\",\"workload\":" + quote(w.name()) + ",\"device\":" + quote(device.spec())
                + ",\"device_name\":" + quote(device.info().name()) + ",\"unit\":" + quote(w.unit().label)
                + ",\"median\":" + number(median(s)) + ",\"min\":" + number(Arrays.stream(s).min().orElse(0))
                + ",\"max\":" + number(Arrays.stream(s).max().orElse(0)) + ",\"samples\":" + samples
                + ",\"reps\":" + o.reps() + ",\"warmup\":" + m.warmupReps() + ",\"warmup_s\":" + number(m.warmupSeconds())
                + ",\"runs_per_rep\":" + m.runsPerRep()
                + ",\"work_per_run\":" + number(w.workPerRun()) + ",\"shape\":" + quote(w.shape())
                + ",\"threads\":" + device.info().computeUnits() + ",\"tiny\":" + o.tiny()
                + ",\"last_value\":" + number(m.lastValue()) + ",\"settings\":{\"java\":"
                + quote(System.getProperty("java.vm.name") + " " + Runtime.version()) + ",\"cnn4j.cpu.threads\":"
                + quote(threads) + ",\"jvm_args\":" + quote(String.join(" ", ManagementFactory.getRuntimeMXBean()
                .getInputArguments())) + ",\"min_time_s\":" + number(o.minTime()) + "}}";
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
