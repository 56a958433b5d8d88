package org.cnn4j.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.cnn4j.runtime.spi.Backend;
import org.cnn4j.runtime.spi.BackendProvider;
import org.cnn4j.runtime.spi.BackendUnavailableException;
import org.cnn4j.runtime.spi.DeviceInfo;
import org.cnn4j.runtime.spi.DeviceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Device selection rules of issue #2, with fake providers (no real backend needed). */
class DeviceSelectorTest {
    private static final DeviceInfo CPU = info("cpu", 0, DeviceType.CPU);
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(DeviceSelector.class);

    @BeforeEach
    void captureLog() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(log);
    }

    private static DeviceInfo info(String backend, int index, DeviceType type) {
        return new DeviceInfo(backend, index, backend + "-device-" + index, type, "vendor", "1.0", "platform", 2, 1L << 30);
    }

    /** A backend whose only working method is info(); selection never computes. */
    private static Backend stubBackend(DeviceInfo info) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "info" -> info;
                    case "close" -> null;
                    case "toString" -> "stub " + info.spec();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static final class FakeProvider implements BackendProvider {
        final String id;
        final List<DeviceInfo> devices;
        final String unavailable;
        final String openFails;
        final AtomicInteger opens = new AtomicInteger();

        FakeProvider(String id, List<DeviceInfo> devices, String unavailable, String openFails) {
            this.id = id;
            this.devices = devices;
            this.unavailable = unavailable;
            this.openFails = openFails;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public List<DeviceInfo> devices() throws BackendUnavailableException {
            if (unavailable != null) {
                throw new BackendUnavailableException(unavailable);
            }
            return devices;
        }

        @Override
        public Backend open(DeviceInfo device) throws BackendUnavailableException {
            if (openFails != null) {
                throw new BackendUnavailableException(openFails);
            }
            opens.incrementAndGet();
            return stubBackend(device);
        }
    }

    private static DeviceSelector selector(FakeProvider... providers) {
        Map<String, BackendProvider> map = new LinkedHashMap<>();
        map.put("cpu", new FakeProvider("cpu", List.of(CPU), null, null));
        for (FakeProvider p : providers) {
            map.put(p.id, p);
        }
        return new DeviceSelector(map);
    }

    private List<String> messages(Level level) {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : log.list) {
            if (e.getLevel() == level) {
                out.add(e.getFormattedMessage());
            }
        }
        return out;
    }

    @Test
    void autoFallsBackToCpuWithOneWarningThatSaysWhy() {
        DeviceSelector s = selector(new FakeProvider("opencl", List.of(), "no OpenCL platform (CL_PLATFORM_NOT_FOUND_KHR)", null));
        assertEquals("cpu", s.select("auto").spec());
        assertEquals("cpu", s.select("auto").spec());
        List<String> warnings = messages(Level.WARN);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("CL_PLATFORM_NOT_FOUND_KHR"), warnings.get(0));
    }

    @Test
    void autoPrefersAnOpenClGpuAndLogsTheChoiceAtInfo() {
        DeviceSelector s = selector(new FakeProvider("opencl",
                List.of(info("opencl", 0, DeviceType.CPU), info("opencl", 1, DeviceType.GPU)), null, null));
        Device d = s.select("auto");
        assertEquals("opencl:1", d.spec());
        assertTrue(messages(Level.INFO).stream().anyMatch(m -> m.contains("opencl-device-1")), messages(Level.INFO).toString());
        assertTrue(messages(Level.WARN).isEmpty());
    }

    @Test
    void autoDoesNotPickAnOpenClCpuDevice() {
        DeviceSelector s = selector(new FakeProvider("opencl", List.of(info("opencl", 0, DeviceType.CPU)), null, null));
        assertEquals("cpu", s.select("auto").spec());
        assertTrue(messages(Level.WARN).isEmpty(), "an OpenCL CPU device is no fault: no WARN");
    }

    @Test
    void openclPicksAnOpenClCpuDeviceWhenAskedFor() {
        DeviceSelector s = selector(new FakeProvider("opencl", List.of(info("opencl", 0, DeviceType.CPU)), null, null));
        assertEquals("opencl:0", s.select("opencl").spec());
        assertEquals("opencl:0", s.select("OpenCL:0").spec());
    }

    @Test
    void autoFallsBackWhenTheGpuCannotBeOpened() {
        DeviceSelector s = selector(new FakeProvider("opencl", List.of(info("opencl", 0, DeviceType.GPU)), null,
                "clCreateContext failed: CL_OUT_OF_HOST_MEMORY"));
        assertEquals("cpu", s.select("auto").spec());
        assertTrue(messages(Level.WARN).get(0).contains("CL_OUT_OF_HOST_MEMORY"));
    }

    @Test
    void explicitOpenClThatDoesNotExistIsAnErrorNotAFallback() {
        DeviceSelector s = selector(new FakeProvider("opencl", List.of(info("opencl", 0, DeviceType.GPU)), null, null));
        DeviceUnavailableException e = assertThrows(DeviceUnavailableException.class, () -> s.select("opencl:3"));
        assertTrue(e.getMessage().contains("must be < 1, but got 3"), e.getMessage());
        assertTrue(e.getMessage().contains("opencl-device-0"), e.getMessage());

        DeviceSelector none = selector(new FakeProvider("opencl", List.of(), "libOpenCL.so.1 not found", null));
        DeviceUnavailableException e2 = assertThrows(DeviceUnavailableException.class, () -> none.select("opencl"));
        assertTrue(e2.getMessage().contains("libOpenCL.so.1 not found"), e2.getMessage());

        DeviceSelector missingModule = selector();
        assertThrows(DeviceUnavailableException.class, () -> missingModule.select("opencl:0"));
    }

    @Test
    void badSpecsAreRejectedWithTheValidForms() {
        DeviceSelector s = selector();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.select("cuda"));
        assertTrue(e.getMessage().contains("auto, cpu, opencl, opencl:<index>"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.select("opencl:-1"));
        assertThrows(IllegalArgumentException.class, () -> s.select("opencl:x"));
    }

    @Test
    void eachDeviceIsOpenedOnce() {
        FakeProvider opencl = new FakeProvider("opencl", List.of(info("opencl", 0, DeviceType.GPU)), null, null);
        DeviceSelector s = selector(opencl);
        assertSame(s.select("opencl:0"), s.select("opencl"));
        assertSame(s.select("auto"), s.select("opencl:0"));
        assertEquals(1, opencl.opens.get());
    }

    @Test
    void specComesFromPropertyThenEnvironmentThenAuto() {
        String old = System.getProperty(DeviceSelector.PROPERTY);
        try {
            System.setProperty(DeviceSelector.PROPERTY, " opencl:1 ");
            assertEquals("opencl:1", DeviceSelector.configuredSpec());
            System.clearProperty(DeviceSelector.PROPERTY);
            String env = System.getenv(DeviceSelector.ENVIRONMENT);
            assertEquals(env == null || env.isBlank() ? "auto" : env.trim(), DeviceSelector.configuredSpec());
        } finally {
            if (old != null) {
                System.setProperty(DeviceSelector.PROPERTY, old);
            }
        }
    }
}
