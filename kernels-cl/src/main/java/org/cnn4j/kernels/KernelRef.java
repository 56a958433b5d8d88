package org.cnn4j.kernels;

import java.util.Map;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClKernel;

/**
 * A kernel looked up on first use and then held: file, defines and kernel name, resolved through the
 * context's program cache once. Launchers keep one per kernel they launch.
 */
final class KernelRef {
    private final ClContext context;
    private final String file;
    private final Map<String, String> defines;
    private final String name;
    private volatile ClKernel kernel;

    KernelRef(ClContext context, String file, Map<String, String> defines, String name) {
        this.context = context;
        this.file = file;
        this.defines = Map.copyOf(defines);
        this.name = name;
    }

    /** The kernel, compiled (or loaded from the binary cache) on the first call. */
    ClKernel get() {
        ClKernel k = kernel;
        if (k == null) {
            synchronized (this) {
                k = kernel;
                if (k == null) {
                    k = context.program(file, KernelSource.load(file), defines).kernel(name);
                    kernel = k;
                }
            }
        }
        return k;
    }
}
