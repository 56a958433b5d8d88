package org.cnn4j.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a process while it is writing a checkpoint over an earlier one, and checks that the file on
 * disk is still a complete checkpoint: it loads (checksum included), all its values come from one save, and
 * that save is the last one that completed.
 */
class CheckpointKillTest {
    @Test
    void killingTheWriterLeavesTheLastCompleteCheckpoint(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ck.safetensors");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        SplittableRandom random = new SplittableRandom(7);
        int kills = 4;
        for (int k = 0; k < kills; k++) {
            Process child = new ProcessBuilder(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    CheckpointKillChild.class.getName(), file.toString()).redirectErrorStream(true).start();
            int lastSaved;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                lastSaved = 0;
                for (String line = out.readLine(); ; line = out.readLine()) {
                    assertTrue(line != null, "child must keep saving");
                    if (line.startsWith("saved ")) {
                        lastSaved = Integer.parseInt(line.substring(6));
                    } else if (line.startsWith("writing ")) {
                        break; // the temporary file has its header; the data is being written
                    }
                }
                Thread.sleep(random.nextInt(0, 20));
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child must die");
            }
            Checkpoint ck = Checkpoint.load(file);
            int round = Integer.parseInt(ck.metadata().get("round"));
            assertEquals(lastSaved, round, "the file must hold the last completed save");
            float[] w = ck.section("model").get("w").data();
            for (float v : w) {
                assertEquals(round, v, "every value must come from the same save");
            }
        }
        // a kill inside a save leaves its temporary file behind: proof that the test hit the window it is about
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            long interrupted = files.filter(p -> !p.equals(file)).count();
            assertTrue(interrupted > 0, "at least one of " + kills + " kills must land inside a save");
        }
    }
}
