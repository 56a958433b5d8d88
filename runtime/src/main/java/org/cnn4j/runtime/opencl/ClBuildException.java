package org.cnn4j.runtime.opencl;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An OpenCL program failed to compile. Carries the kernel file, its {@code -D} defines, the device and
 * the compiler's full build log ({@code CL_PROGRAM_BUILD_LOG}); the message contains all four. The call
 * is {@code clBuildProgram}; no kernel is launched, so {@link #kernel()} and {@link #range()} are null.
 */
public class ClBuildException extends OpenClException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final SortedMap<String, String> defines;
    private final String device;
    private final String buildLog;

    /**
     * @param file the kernel file, e.g. {@code gemm.cl}
     * @param defines the {@code -D} defines it was built with
     * @param device the device, as {@link ClDevice#label()} gives it
     * @param status what {@code clBuildProgram} returned
     * @param buildLog the compiler's log
     */
    public ClBuildException(String file, Map<String, String> defines, String device, int status, String buildLog) {
        super("clBuildProgram failed with " + ClStatus.describe(status) + " for " + file + " (defines="
                + new TreeMap<>(defines) + ", device=" + device + "); build log:\n" + buildLog, "clBuildProgram", status, null, null);
        this.file = file;
        this.defines = new TreeMap<>(defines);
        this.device = device;
        this.buildLog = buildLog;
    }

    /** The kernel file that failed. */
    public String file() {
        return file;
    }

    /** Its {@code -D} defines, sorted by name. */
    public SortedMap<String, String> defines() {
        return new TreeMap<>(defines);
    }

    /** The device it was built for. */
    public String device() {
        return device;
    }

    /** The compiler's full log. */
    public String buildLog() {
        return buildLog;
    }
}
