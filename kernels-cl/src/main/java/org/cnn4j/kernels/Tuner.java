package org.cnn4j.kernels;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.cnn4j.runtime.opencl.BinaryCache;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ProgramCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses, per shape, the fastest of a launcher's kernel variants by timing each once, in the manner of
 * cuDNN's benchmark mode; the choice is remembered for the context and kept in a {@link TuningStore}
 * beside the kernel binary cache, so later runs on the same device and kernel source skip the timing.
 * Used by {@link ClGemm} (block and tile shapes of gemm.cl) and {@link ClConv} (register-blocked kernels
 * against column matrices and GEMM, per pass).
 *
 * <p>Off by default (the first call of each new shape then pays for the timing runs); on with the system
 * property {@value #PROPERTY}{@code =true} or the environment variable {@value #ENVIRONMENT}{@code =true}.
 * Every candidate computes the same result (each is tested against the reference); they differ in speed
 * only.
 *
 * @param <T> a variant
 */
final class Tuner<T> {
    /** System property that turns tuning on. */
    static final String PROPERTY = "cnn4j.opencl.tune";
    /** Environment variable that turns tuning on; the property wins. */
    static final String ENVIRONMENT = "CNN4J_OPENCL_TUNE";
    /** Timed runs per candidate (after one warm-up run); the fastest counts. */
    static final int RUNS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(Tuner.class);

    private final String what;
    private final List<T> candidates;
    private final Function<T, String> id;
    private final TuningStore store;
    private final Map<String, T> chosen = new ConcurrentHashMap<>();
    private int timings;

    /**
     * @param what the launcher, for logs
     * @param candidates the variants that fit the device, in order of preference for ties
     * @param id a variant's stable name, stored in the file
     * @param store where choices persist
     */
    Tuner(String what, List<T> candidates, Function<T, String> id, TuningStore store) {
        this.what = what;
        this.candidates = List.copyOf(candidates);
        this.id = id;
        this.store = store;
    }

    /** The variants this tuner chooses among. */
    List<T> candidates() {
        return candidates;
    }

    /** Whether {@value #PROPERTY} (or else {@value #ENVIRONMENT}) is {@code true}. */
    static boolean enabled() {
        String value = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT));
        return value != null && "true".equalsIgnoreCase(value.trim());
    }

    /**
     * The tuning file {@code name-<key>.properties} of {@code context}'s device for kernel source {@code source},
     * in the binary cache directory; null when the binary cache is off.
     */
    static Path storeFile(ClContext context, String name, String source) {
        BinaryCache disk = context.programCache().disk();
        if (disk == null) {
            return null;
        }
        String sourceHash = HexFormat.of().formatHex(BinaryCache.sha256(source.getBytes(StandardCharsets.UTF_8)));
        byte[] key = ProgramCache.diskKey(context.device(), sourceHash, name + "-v1");
        return disk.directory().resolve(name + "-" + HexFormat.of().formatHex(key, 0, 16) + ".properties");
    }

    /**
     * The variant for {@code shape}: remembered, else read from the store (when it names a candidate),
     * else the fastest candidate by {@code time} (seconds per run of a variant), which is then remembered
     * and stored.
     */
    T choose(String shape, ToDoubleFunction<T> time) {
        T c = chosen.get(shape);
        if (c != null) {
            return c;
        }
        synchronized (this) {
            c = chosen.get(shape);
            if (c == null) {
                c = stored(shape);
                if (c == null) {
                    c = fastest(shape, time);
                    store.put(shape, id.apply(c));
                }
                chosen.put(shape, c);
            }
            return c;
        }
    }

    /**
     * Seconds per run of {@code run} on {@code context}: one warm-up run, then the fastest of {@link #RUNS}, each
     * waited for with {@code clFinish}.
     */
    static double secondsPerRun(ClContext context, Runnable run) {
        double best = Double.POSITIVE_INFINITY;
        for (int r = 0; r <= RUNS; r++) {
            long t0 = System.nanoTime();
            run.run();
            context.finish();
            if (r > 0) {
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
        }
        return best;
    }

    /** How many configurations have been timed so far (tests check that a stored choice is not re-timed). */
    synchronized int timings() {
        return timings;
    }

    private T stored(String shape) {
        String stored = store.get(shape);
        if (stored == null) {
            return null;
        }
        for (T c : candidates) {
            if (id.apply(c).equals(stored)) {
                return c;
            }
        }
        LOG.debug("{} tuning: stored choice '{}' for {} is not a candidate on this device; timing again", what, stored, shape);
        return null;
    }

    private T fastest(String shape, ToDoubleFunction<T> time) {
        T best = null;
        double bestSeconds = Double.POSITIVE_INFINITY;
        List<String> report = new ArrayList<>();
        for (T c : candidates) {
            double seconds = time.applyAsDouble(c);
            timings++;
            report.add(String.format(java.util.Locale.ROOT, "%s %.3f ms", id.apply(c), seconds * 1e3));
            if (seconds < bestSeconds) {
                bestSeconds = seconds;
                best = c;
            }
        }
        LOG.debug("{} tuning {}: {} (chose {})", what, shape, report, best == null ? "none" : id.apply(best));
        if (best == null) {
            throw new IllegalStateException("Tuner: no " + what + " variant for " + shape);
        }
        return best;
    }
}
