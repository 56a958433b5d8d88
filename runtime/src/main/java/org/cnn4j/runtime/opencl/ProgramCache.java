package org.cnn4j.runtime.opencl;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_program;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds programs once per (source, options) for one context and keeps them in memory; compiled
 * binaries also go to an optional {@link BinaryCache} on disk.
 *
 * <p>Build options are always {@code -cl-std=CL1.2} followed by the defines as {@code -DNAME=VALUE},
 * sorted by name. The disk key is SHA-256 over the device name, vendor, driver version, platform
 * version, the SHA-256 of the source and the options. A disk entry that fails verification, or whose
 * binary the driver will not build, is rebuilt from source and rewritten.
 */
public final class ProgramCache {
    /** Option every program is built with. */
    public static final String STD_OPTION = "-cl-std=CL1.2";

    private static final Logger LOG = LoggerFactory.getLogger(ProgramCache.class);
    private static final Pattern DEFINE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DEFINE_VALUE = Pattern.compile("[A-Za-z0-9_.+\\-]*");
    private static final AtomicBoolean WARNED_REJECTED = new AtomicBoolean();

    private final ClContext context;
    private final BinaryCache disk;
    private final Map<String, ClProgram> programs = new HashMap<>();
    private final AtomicInteger compiled = new AtomicInteger();
    private final AtomicInteger loaded = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger written = new AtomicInteger();

    /**
     * Counters of one context's cache, for tests and diagnostics.
     *
     * @param compiled programs built from source
     * @param loadedFromBinary programs built from a verified disk entry
     * @param rejectedBinaries disk entries rejected (corrupt, stale, or refused by the driver)
     * @param binariesWritten entries written to disk
     * @param inMemory programs held in memory
     */
    public record Stats(int compiled, int loadedFromBinary, int rejectedBinaries, int binariesWritten, int inMemory) {
    }

    ProgramCache(ClContext context, BinaryCache disk) {
        this.context = context;
        this.disk = disk;
    }

    /** The disk cache, or null when it is off. */
    public BinaryCache disk() {
        return disk;
    }

    /** A snapshot of the counters. */
    public synchronized Stats stats() {
        return new Stats(compiled.get(), loaded.get(), rejected.get(), written.get(), programs.size());
    }

    /** {@code -cl-std=CL1.2 -DA=1 -DB=2 ...} for {@code defines}, sorted by name. */
    public static String options(Map<String, String> defines) {
        StringBuilder options = new StringBuilder(STD_OPTION);
        for (Map.Entry<String, String> define : new TreeMap<>(defines).entrySet()) {
            if (!DEFINE_NAME.matcher(define.getKey()).matches() || !DEFINE_VALUE.matcher(define.getValue()).matches()) {
                throw new IllegalArgumentException("ProgramCache.options: a define must be NAME=VALUE with an identifier "
                        + "name and a value of letters, digits, '_', '.', '+' or '-', but got " + define.getKey() + "="
                        + define.getValue());
            }
            options.append(" -D").append(define.getKey()).append('=').append(define.getValue());
        }
        return options.toString();
    }

    /**
     * The disk-cache key: SHA-256 over device name, vendor, driver version, platform version, source
     * hash and options, each on its own line.
     */
    public static byte[] diskKey(ClDevice device, String sourceSha256, String options) {
        MessageDigest digest = BinaryCache.digest();
        for (String part : List.of("cnn4j-program-v1", device.info().name(), device.info().vendor(),
                device.info().driverVersion(), device.platformVersion(), sourceSha256, options)) {
            digest.update(part.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) '\n');
        }
        return digest.digest();
    }

    /** The program for {@code file} built with {@code defines}; built (or loaded from disk) on first request. */
    synchronized ClProgram get(String file, String source, Map<String, String> defines) {
        String options = options(defines);
        String sourceHash = HexFormat.of().formatHex(BinaryCache.sha256(source.getBytes(StandardCharsets.UTF_8)));
        String memoryKey = sourceHash + '\n' + options;
        ClProgram program = programs.get(memoryKey);
        if (program == null) {
            program = build(file, source, new TreeMap<>(defines), options, sourceHash);
            programs.put(memoryKey, program);
        }
        return program;
    }

    private ClProgram build(String file, String source, SortedMap<String, String> defines, String options, String sourceHash) {
        byte[] key = disk == null ? null : diskKey(context.device(), sourceHash, options);
        if (disk != null) {
            long start = System.nanoTime();
            BinaryCache.Lookup lookup = disk.load(file, key);
            String rejection = lookup.rejection();
            if (lookup.binary() != null) {
                try {
                    ClProgram program = new ClProgram(context, fromBinary(lookup.binary(), options), file, defines);
                    loaded.incrementAndGet();
                    LOG.debug("loaded {} for {} from binary cache in {} ms", file, context.device().label(), millisSince(start));
                    return program;
                } catch (OpenClException e) {
                    rejection = disk.fileFor(file, key) + ": the driver refused the cached binary: " + e.getMessage();
                }
            }
            if (rejection != null) {
                rejected.incrementAndGet();
                if (WARNED_REJECTED.compareAndSet(false, true)) {
                    LOG.warn("Ignoring invalid kernel binary cache entry, rebuilding {} from source: {}", file, rejection);
                } else {
                    LOG.debug("Ignoring invalid kernel binary cache entry, rebuilding {} from source: {}", file, rejection);
                }
            }
        }
        long start = System.nanoTime();
        cl_program handle = fromSource(file, source, defines, options);
        compiled.incrementAndGet();
        LOG.debug("compiled {} for {} in {} ms", file, context.device().label(), millisSince(start));
        ClProgram program = new ClProgram(context, handle, file, defines);
        if (disk != null) {
            byte[] binary = binaryOf(handle, file);
            if (binary.length > 0 && disk.store(file, key, binary)) {
                written.incrementAndGet();
            }
        }
        return program;
    }

    private cl_program fromSource(String file, String source, SortedMap<String, String> defines, String options) {
        cl_device_id[] devices = {context.device().id()};
        int[] err = ClCheck.errSlot();
        cl_program program = CL.clCreateProgramWithSource(context.handle(), 1, new String[] {source},
                new long[] {source.getBytes(StandardCharsets.UTF_8).length}, err);
        ClCheck.created(program, err, "clCreateProgramWithSource", () -> file + " on " + context.device().label());
        int status = CL.clBuildProgram(program, 1, devices, options, null, null);
        if (status != 0) {
            String log = buildLog(program);
            CL.clReleaseProgram(program);
            throw new ClBuildException(file, defines, context.device().label(), status, log);
        }
        String log = buildLog(program);
        if (!log.isBlank() && LOG.isTraceEnabled()) {
            LOG.trace("build log of {} for {}:\n{}", file, context.device().label(), log);
        }
        return program;
    }

    private cl_program fromBinary(byte[] binary, String options) {
        cl_device_id[] devices = {context.device().id()};
        int[] err = ClCheck.errSlot();
        int[] binaryStatus = new int[1];
        cl_program program = CL.clCreateProgramWithBinary(context.handle(), 1, devices, new long[] {binary.length},
                new byte[][] {binary}, binaryStatus, err);
        ClCheck.created(program, err, "clCreateProgramWithBinary", () -> "cached binary on " + context.device().label());
        try {
            ClCheck.check(binaryStatus[0], "clCreateProgramWithBinary", () -> "binary status on " + context.device().label());
            int status = CL.clBuildProgram(program, 1, devices, options, null, null);
            ClCheck.check(status, "clBuildProgram", () -> "cached binary on " + context.device().label()
                    + "; build log: " + buildLog(program));
            return program;
        } catch (OpenClException e) {
            CL.clReleaseProgram(program);
            throw e;
        }
    }

    private byte[] binaryOf(cl_program program, String file) {
        long[] sizes = new long[1];
        ClCheck.check(CL.clGetProgramInfo(program, CL.CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(sizes), null),
                "clGetProgramInfo", () -> "CL_PROGRAM_BINARY_SIZES of " + file + " on " + context.device().label());
        byte[] binary = new byte[(int) sizes[0]];
        if (binary.length > 0) {
            ClCheck.check(CL.clGetProgramInfo(program, CL.CL_PROGRAM_BINARIES, Sizeof.POINTER,
                            Pointer.to(Pointer.to(binary)), null),
                    "clGetProgramInfo", () -> "CL_PROGRAM_BINARIES of " + file + " on " + context.device().label());
        }
        return binary;
    }

    private String buildLog(cl_program program) {
        cl_device_id device = context.device().id();
        long[] size = new long[1];
        if (CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, 0, null, size) != 0 || size[0] == 0) {
            return "(no build log)";
        }
        byte[] bytes = new byte[(int) size[0]];
        if (CL.clGetProgramBuildInfo(program, device, CL.CL_PROGRAM_BUILD_LOG, bytes.length, Pointer.to(bytes), null) != 0) {
            return "(build log unavailable)";
        }
        int end = bytes.length;
        while (end > 0 && bytes[end - 1] == 0) {
            end--;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).strip();
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    synchronized void releaseAll() {
        List<ClProgram> all = new ArrayList<>(programs.values());
        programs.clear();
        for (ClProgram program : all) {
            program.release();
        }
    }
}
