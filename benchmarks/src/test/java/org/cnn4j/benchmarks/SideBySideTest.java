package org.cnn4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs {@link SideBySide} in {@code --tiny} mode on the CPU and checks its JSON lines (no timing assertions). */
class SideBySideTest {
    private static final String NUMBER = "(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)";

    private static List<String> run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SideBySide.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, () -> "exit status; standard error: " + err.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private static double number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":" + NUMBER).matcher(json);
        assertTrue(m.find(), () -> "field " + field + " must be a number in " + json);
        return Double.parseDouble(m.group(1));
    }

    private static String string(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        assertTrue(m.find(), () -> "field " + field + " must be a string in " + json);
        return m.group(1);
    }

    @Test
    void tinyWorkloadsPrintOneJsonLineEachWithPositiveFigures() {
        List<String> lines = run("train64,conv2_fb,sgemm1024", "--tiny", "--device", "cpu", "--reps", "3", "--warmup", "1");
        assertEquals(3, lines.size(), () -> "one JSON line per workload, but got " + lines);
        String[] names = {"train64", "conv2_fb", "sgemm1024"};
        String[] units = {"images/s", "GFLOP/s", "GFLOP/s"};
        for (int i = 0; i < 3; i++) {
            String json = lines.get(i);
            assertTrue(json.startsWith("{") && json.endsWith("}"), json);
            assertEquals("cnn4j", string(json, "impl"));
            assertEquals(names[i], string(json, "workload"));
            assertEquals("cpu", string(json, "device"));
            assertEquals(units[i], string(json, "unit"));
            assertFalse(string(json, "shape").isEmpty());
            double min = number(json, "min");
            double median = number(json, "median");
            double max = number(json, "max");
            assertTrue(min > 0 && min <= median && median <= max, json);
            assertTrue(number(json, "work_per_run") > 0, json);
            assertTrue(number(json, "runs_per_rep") >= 1, json);
            assertTrue(number(json, "threads") >= 1, json);
            assertEquals(3, number(json, "reps"));
            assertTrue(json.contains("\"tiny\":true"), json);
            assertTrue(json.matches(".*\"samples\":\\[" + NUMBER + "(," + NUMBER + "){2}\\].*"), json);
            assertTrue(json.contains("\"settings\":{"), json);
        }
    }

    @Test
    void convolutionWorkIsTwoNKHoWoCkkPerForwardAndThreeForwardsWithBackward() {
        ConvShape s = ConvShape.parse("conv5");
        assertEquals("32x64x32x32/128x3x3/s2/p1", s.toString());
        assertEquals(16, s.outH());
        assertEquals(2.0 * 32 * 128 * 16 * 16 * 64 * 9, s.forwardFlops());
        assertEquals(s, ConvShape.parse(s.toString()));
        double fwd = number(run("conv1", "--tiny", "--reps", "1", "--warmup", "0").get(0), "work_per_run");
        double fb = number(run("conv1_fb", "--tiny", "--reps", "1", "--warmup", "0").get(0), "work_per_run");
        assertEquals(ConvShape.parse("conv1").tiny().forwardFlops(), fwd);
        assertEquals(3 * fwd, fb);
    }

    @Test
    void layerWorkloadsCountInputElementsInMelemPerSecond() {
        List<String> names = List.copyOf(Workloads.LAYER_OPS.keySet());
        assertEquals(List.of("maxpool", "maxpool_fb", "bn_fb", "dropout", "dropout_fb", "relu", "relu_fb"), names);
        List<String> lines = run(String.join(",", names), "--tiny", "--reps", "1", "--warmup", "0");
        assertEquals(names.size(), lines.size(), () -> "one JSON line per workload, but got " + lines);
        int[] tiny = Workloads.LAYER_SHAPE_TINY;
        for (int i = 0; i < names.size(); i++) {
            String json = lines.get(i);
            assertEquals(names.get(i), string(json, "workload"));
            assertEquals("Melem/s", string(json, "unit"));
            assertEquals(tiny[0] + "x" + tiny[1] + "x" + tiny[2] + "x" + tiny[3], string(json, "shape"));
            assertEquals((double) tiny[0] * tiny[1] * tiny[2] * tiny[3], number(json, "work_per_run"), json);
            assertTrue(number(json, "median") > 0, json);
            assertTrue(Double.isFinite(number(json, "last_value")), json);
        }
    }

    @Test
    void unknownWorkloadIsAUsageErrorNamingTheWorkloads() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SideBySide.run(new String[] {"conv9"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(SideBySide.USAGE, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("train64"), err::toString);
    }
}
