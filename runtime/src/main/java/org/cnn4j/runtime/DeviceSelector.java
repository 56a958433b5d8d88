package org.cnn4j.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BackendProvider;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.cnn4j.runtime.spi.DeviceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves device specs to opened devices, once per physical device, using the backend providers found
 * with {@link ServiceLoader}. Logs the automatic choice once at INFO, and a fallback once at WARN with
 * its reason.
 */
final class DeviceSelector {
    static final String PROPERTY = "cnn4j.device";
    static final String ENVIRONMENT = "CNN4J_DEVICE";

    private static final Logger LOG = LoggerFactory.getLogger(DeviceSelector.class);
    private static final DeviceSelector INSTANCE = new DeviceSelector(loadProviders());

    private final Map<String, BackendProvider> providers;
    private final Map<String, Device> opened = new LinkedHashMap<>();
    private final Map<String, Object> warned = new LinkedHashMap<>();
    private Device defaultDevice;

    DeviceSelector(Map<String, BackendProvider> providers) {
        this.providers = providers;
        Runtime.getRuntime().addShutdownHook(new Thread(this::closeAll, "cnn4j-device-release"));
    }

    static DeviceSelector instance() {
        return INSTANCE;
    }

    private static Map<String, BackendProvider> loadProviders() {
        Map<String, BackendProvider> byId = new LinkedHashMap<>();
        var providers = ServiceLoader.load(BackendProvider.class, DeviceSelector.class.getClassLoader()).iterator();
        for (int failures = 0; failures < 100; ) {
            try {
                if (!providers.hasNext()) {
                    return byId;
                }
                BackendProvider p = providers.next();
                byId.putIfAbsent(p.id(), p);
            } catch (ServiceConfigurationError | LinkageError e) {
                // a broken jar on the class path must not take the other backends down with it
                LOG.warn("skipping a backend provider that cannot be loaded: {}", e.toString());
                failures++;
            }
        }
        return byId;
    }

    /** The spec from {@code -Dcnn4j.device}, else {@code CNN4J_DEVICE}, else {@code auto}. */
    static String configuredSpec() {
        String spec = System.getProperty(PROPERTY);
        if (spec == null || spec.isBlank()) {
            spec = System.getenv(ENVIRONMENT);
        }
        return spec == null || spec.isBlank() ? "auto" : spec.trim();
    }

    synchronized Device defaultDevice() {
        if (defaultDevice == null) {
            defaultDevice = select(configuredSpec());
        }
        return defaultDevice;
    }

    synchronized void setDefault(Device device) {
        defaultDevice = device;
    }

    synchronized Device select(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) {
            return selectAuto();
        }
        if (s.equals("cpu")) {
            return openCpu();
        }
        if (s.equals("opencl")) {
            List<DeviceInfo> devices = openclDevicesOrThrow(spec);
            DeviceInfo best = devices.stream().filter(DeviceSelector::isAccelerator).findFirst().orElse(devices.get(0));
            return openOrThrow(best, spec);
        }
        if (s.startsWith("opencl:")) {
            int index = parseIndex(spec, s.substring("opencl:".length()));
            List<DeviceInfo> devices = openclDevicesOrThrow(spec);
            if (index >= devices.size()) {
                throw new DeviceUnavailableException("Device.of: OpenCL device index must be < " + devices.size()
                        + ", but got " + index + " (spec '" + spec + "'; devices: " + describe(devices) + ")");
            }
            return openOrThrow(devices.get(index), spec);
        }
        throw new IllegalArgumentException("Device.of: spec must be one of auto, cpu, opencl, opencl:<index>, but got '"
                + spec + "'");
    }

    private static int parseIndex(String spec, String text) {
        try {
            int index = Integer.parseInt(text);
            if (index >= 0) {
                return index;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("Device.of: the index in opencl:<index> must be an integer >= 0, but got '"
                + spec + "'");
    }

    private Device selectAuto() {
        BackendProvider opencl = providers.get("opencl");
        if (opencl == null) {
            warnOnce("no-provider", "OpenCL backend not on the classpath (module cnn4j-kernels-cl); using the CPU fallback");
            return openCpu();
        }
        List<DeviceInfo> devices;
        try {
            devices = opencl.devices();
        } catch (BackendUnavailableException e) {
            warnOnce("unavailable", "OpenCL unavailable (" + e.getMessage() + "); using the CPU fallback");
            return openCpu();
        }
        for (DeviceInfo d : devices) {
            if (isAccelerator(d)) {
                try {
                    return open(d);
                } catch (BackendUnavailableException e) {
                    warnOnce("open-" + d.spec(), "OpenCL device " + d.describe() + " could not be opened ("
                            + e.getMessage() + "); using the CPU fallback");
                    return openCpu();
                }
            }
        }
        if (!warned.containsKey("cpu-only")) {
            warned.put("cpu-only", Boolean.TRUE);
            LOG.info("OpenCL has no GPU or accelerator here (devices: {}); auto uses the CPU fallback. "
                    + "Set -Dcnn4j.device=opencl or CNN4J_DEVICE=opencl to use an OpenCL CPU device.", describe(devices));
        }
        return openCpu();
    }

    private static boolean isAccelerator(DeviceInfo d) {
        return d.type() == DeviceType.GPU || d.type() == DeviceType.ACCELERATOR;
    }

    private DeviceInfo cpuDevice() {
        BackendProvider cpu = providers.get("cpu");
        if (cpu == null) {
            throw new DeviceUnavailableException("Device.of: the CPU backend must be on the classpath (module "
                    + "cnn4j-cpu-fallback), but no provider with id 'cpu' was found (providers: " + providers.keySet() + ")");
        }
        try {
            return cpu.devices().get(0);
        } catch (BackendUnavailableException e) {
            throw new DeviceUnavailableException("Device.of: the CPU backend is unavailable: " + e.getMessage(), e);
        }
    }

    private Device openCpu() {
        return openOrThrow(cpuDevice(), "cpu");
    }

    private List<DeviceInfo> openclDevicesOrThrow(String spec) {
        BackendProvider opencl = providers.get("opencl");
        if (opencl == null) {
            throw new DeviceUnavailableException("Device.of: spec '" + spec + "' needs the OpenCL backend on the "
                    + "classpath (module cnn4j-kernels-cl), but it is not there");
        }
        try {
            List<DeviceInfo> devices = opencl.devices();
            if (devices.isEmpty()) {
                throw new DeviceUnavailableException("Device.of: spec '" + spec + "' needs an OpenCL device, but none was found");
            }
            return devices;
        } catch (BackendUnavailableException e) {
            throw new DeviceUnavailableException("Device.of: spec '" + spec + "' needs OpenCL, but it is unavailable: "
                    + e.getMessage(), e);
        }
    }

    private Device openOrThrow(DeviceInfo info, String spec) {
        try {
            return open(info);
        } catch (BackendUnavailableException e) {
            throw new DeviceUnavailableException("Device.of: spec '" + spec + "' names " + info.describe()
                    + ", which could not be opened: " + e.getMessage(), e);
        }
    }

    private Device open(DeviceInfo info) throws BackendUnavailableException {
        Device device = opened.get(info.spec());
        if (device == null) {
            Backend backend = providers.get(info.backend()).open(info);
            device = new Device(backend);
            opened.put(info.spec(), device);
            LOG.info("cnn4j device {}", info.describe());
        }
        return device;
    }

    /** Lists every device of every backend; a backend that is unavailable contributes none. */
    synchronized List<DeviceInfo> available() {
        List<DeviceInfo> all = new ArrayList<>();
        for (BackendProvider p : providers.values()) {
            try {
                all.addAll(p.devices());
            } catch (BackendUnavailableException e) {
                LOG.debug("backend {} unavailable: {}", p.id(), e.getMessage());
            }
        }
        return all;
    }

    private void warnOnce(String key, String message) {
        if (warned.putIfAbsent(key, Boolean.TRUE) == null) {
            LOG.warn(message);
        }
    }

    private static String describe(List<DeviceInfo> devices) {
        List<String> parts = new ArrayList<>();
        for (DeviceInfo d : devices) {
            parts.add(d.describe());
        }
        return parts.isEmpty() ? "none" : String.join("; ", parts);
    }

    private synchronized void closeAll() {
        for (Device d : opened.values()) {
            d.backend().close();
        }
        opened.clear();
    }
}
