package org.cnn4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps {@code metrics.csv} up to date: a header ({@link EpochMetrics#CSV_HEADER}) and one row per epoch,
 * rewritten atomically after every epoch so a reader never sees half a row. Start it with the history of a
 * resumed run to keep the earlier rows.
 */
public final class MetricsCsv implements TrainingListener {
    private final Path file;
    private final List<EpochMetrics> rows = new ArrayList<>();

    /** Writes to {@code file}, starting with the rows of {@code earlier} (e.g. a resumed trainer's history). */
    public MetricsCsv(Path file, List<EpochMetrics> earlier) {
        this.file = file;
        rows.addAll(earlier);
    }

    /** Replaces the rows kept so far with {@code earlier} (e.g. after {@link Trainer#resume}). */
    public void restart(List<EpochMetrics> earlier) {
        rows.clear();
        rows.addAll(earlier);
    }

    /** The rows written so far. */
    public List<EpochMetrics> rows() {
        return List.copyOf(rows);
    }

    @Override
    public void onEpochEnd(EpochMetrics metrics, int totalEpochs) {
        rows.removeIf(r -> r.epoch() >= metrics.epoch());
        rows.add(metrics);
        write(file, rows);
    }

    /** Writes {@code rows} under the header to {@code file} through a temporary file and a rename. */
    public static void write(Path file, List<EpochMetrics> rows) {
        StringBuilder sb = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        rows.forEach(r -> sb.append(r.toCsvRow()).append('\n'));
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, sb, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("MetricsCsv.write: could not write " + file, e);
        }
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @throws IllegalArgumentException if the header or a row is not as written
     */
    public static List<EpochMetrics> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(EpochMetrics.CSV_HEADER)) {
            throw new IllegalArgumentException("MetricsCsv.read: first line must be '" + EpochMetrics.CSV_HEADER + "', but got '"
                    + (lines.isEmpty() ? "" : lines.get(0)) + "' (" + file + ")");
        }
        List<EpochMetrics> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isBlank()) {
                out.add(EpochMetrics.fromCsvRow(line));
            }
        }
        return out;
    }
}
