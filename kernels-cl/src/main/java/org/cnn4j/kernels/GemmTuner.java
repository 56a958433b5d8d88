package org.cnn4j.kernels;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.cnn4j.runtime.opencl.BinaryCache;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ProgramCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses, per GEMM shape, the fastest of the {@code gemm.cl} variants by timing each once, in the manner
 * of cuDNN's benchmark mode; the choice is remembered for the context and kept in a {@link TuningStore}
 * beside the kernel binary cache, so later runs on the same device and kernel source skip the timing.
 *
 * <p>Off by default (the first call of each new shape then pays for the timing runs); on with the system
 * property {@value #PROPERTY}{@code =true} or the environment variable {@value #ENVIRONMENT}{@code =true}.
 * Candidates: {@code gemm_blocked} with register blocks {@code RM x RN} of {@link #BLOCKED_SHAPES}, and
 * {@code gemm_tiled} with the first {@value #TILED_CANDIDATES} tile shapes that fit the device. Every
 * candidate computes the same product (each is tested against the reference); they differ in speed only.
 */
final class GemmTuner {
    /** System property that turns tuning on. */
    static final String PROPERTY = "cnn4j.opencl.tune";
    /** Environment variable that turns tuning on; the property wins. */
    static final String ENVIRONMENT = "CNN4J_OPENCL_TUNE";
    /** (RM, RN) register blocks of gemm_blocked that are tried. */
    static final int[][] BLOCKED_SHAPES = {{8, 16}, {4, 16}, {8, 8}, {4, 8}, {2, 16}};
    /** How many fitting gemm_tiled shapes are tried. */
    static final int TILED_CANDIDATES = 3;
    /** Timed runs per candidate (after one warm-up run); the fastest counts. */
    static final int RUNS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(GemmTuner.class);

    private final List<ClGemm.Config> candidates;
    private final TuningStore store;
    private final Map<String, ClGemm.Config> chosen = new ConcurrentHashMap<>();
    private int timings;

    /**
     * @param candidates the configurations that fit the device, in order of preference for ties
     * @param store where choices persist
     */
    GemmTuner(List<ClGemm.Config> candidates, TuningStore store) {
        this.candidates = List.copyOf(candidates);
        this.store = store;
    }

    /** Whether {@value #PROPERTY} (or else {@value #ENVIRONMENT}) is {@code true}. */
    static boolean enabled() {
        String value = System.getProperty(PROPERTY, System.getenv(ENVIRONMENT));
        return value != null && "true".equalsIgnoreCase(value.trim());
    }

    /**
     * The tuning file of {@code context}'s device for kernel source {@code source}, in the binary cache
     * directory; null when the binary cache is off.
     */
    static Path storeFile(ClContext context, String source) {
        BinaryCache disk = context.programCache().disk();
        if (disk == null) {
            return null;
        }
        String sourceHash;
        try {
            sourceHash = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("GemmTuner: SHA-256 is missing from this JVM", e);
        }
        byte[] key = ProgramCache.diskKey(context.device(), sourceHash, "gemm-tuning-v1");
        return disk.directory().resolve("gemm-tuning-" + HexFormat.of().formatHex(key, 0, 16) + ".properties");
    }

    /** The shape key of one call: transpositions, sizes and batch. */
    static String shapeKey(boolean transA, boolean transB, int m, int n, int k, int batch) {
        return (transA ? "T" : "N") + (transB ? "T" : "N") + "_m" + m + "_n" + n + "_k" + k + "_b" + batch;
    }

    /**
     * The configuration for {@code shape}: remembered, else read from the store (when it names a
     * candidate), else the fastest candidate by {@code time} (seconds per run of a configuration), which
     * is then remembered and stored.
     */
    ClGemm.Config choose(String shape, ToDoubleFunction<ClGemm.Config> time) {
        ClGemm.Config c = chosen.get(shape);
        if (c != null) {
            return c;
        }
        synchronized (this) {
            c = chosen.get(shape);
            if (c == null) {
                c = stored(shape);
                if (c == null) {
                    c = fastest(shape, time);
                    store.put(shape, c.id());
                }
                chosen.put(shape, c);
            }
            return c;
        }
    }

    /** How many configurations have been timed so far (tests check that a stored choice is not re-timed). */
    synchronized int timings() {
        return timings;
    }

    private ClGemm.Config stored(String shape) {
        String id = store.get(shape);
        if (id == null) {
            return null;
        }
        for (ClGemm.Config c : candidates) {
            if (c.id().equals(id)) {
                return c;
            }
        }
        LOG.debug("gemm tuning: stored choice '{}' for {} is not a candidate on this device; timing again", id, shape);
        return null;
    }

    private ClGemm.Config fastest(String shape, ToDoubleFunction<ClGemm.Config> time) {
        ClGemm.Config best = null;
        double bestSeconds = Double.POSITIVE_INFINITY;
        List<String> report = new ArrayList<>();
        for (ClGemm.Config c : candidates) {
            double seconds = time.applyAsDouble(c);
            timings++;
            report.add(String.format(java.util.Locale.ROOT, "%s %.3f ms", c.id(), seconds * 1e3));
            if (seconds < bestSeconds) {
                bestSeconds = seconds;
                best = c;
            }
        }
        LOG.debug("gemm tuning {}: {} (chose {})", shape, report, best == null ? "none" : best.id());
        if (best == null) {
            throw new IllegalStateException("GemmTuner: no candidate configuration for " + shape);
        }
        return best;
    }
}
