package org.cnn4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenersTest {
    @Test
    void progressLineShowsRateEtaLossAndAccuracy() {
        StepProgress p = new StepProgress(3, 10, 50, 100, 3200, 6400, 4.0, 0.5, 0.8125);
        assertEquals(800, p.imagesPerSecond(), 1e-9);
        assertEquals(4.0, p.etaSeconds(), 1e-9);
        String line = ProgressBar.render(p);
        assertEquals("epoch 3/10 [============>           ] 3200/6400  800 img/s  ETA 0:04  loss 0.5000  acc 81.25%", line);
        assertEquals("1:01:01", ProgressBar.clock(3661));
        assertEquals("--:--", ProgressBar.clock(Double.NaN));
    }

    @Test
    void nonInteractiveBarPrintsATenthAtATimeThenTheSummary() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        bar.onEpochStart(1, 2, 100, 1000);
        for (int b = 1; b <= 100; b++) {
            bar.onProgress(new StepProgress(1, 2, b, 100, 10L * b, 1000, b * 0.01, 1.0, 0.5));
        }
        bar.onEpochEnd(new EpochMetrics(1, 1.0, 0.5, 0.9, 0.6, 1.0, 1.2, 1000, 1e-3, 0), 2);
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(11, lines.length, String.join("\n", lines));
        assertTrue(lines[10].startsWith("epoch 1/2  train loss 1.0000  train acc 50.00%  test loss 0.9000  test acc 60.00%"),
                lines[10]);
    }

    @Test
    void metricsCsvRoundTripsAndKeepsEarlierRows(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out/metrics.csv");
        EpochMetrics e1 = new EpochMetrics(1, 0.5, 0.8, 0.4, 0.85, 10, 11, 60000, 1e-3, 0);
        EpochMetrics e2 = new EpochMetrics(2, 0.3, 0.9, 0.35, 0.88, 10, 11, 60000, 5e-4, 1);
        MetricsCsv csv = new MetricsCsv(file, List.of(e1));
        csv.onEpochEnd(e2, 2);
        List<String> lines = Files.readAllLines(file);
        assertEquals(EpochMetrics.CSV_HEADER, lines.get(0));
        assertEquals(3, lines.size());
        assertEquals(List.of(e1, e2), MetricsCsv.read(file));
        Files.writeString(file, "nonsense\n");
        assertThrows(IllegalArgumentException.class, () -> MetricsCsv.read(file));
    }
}
