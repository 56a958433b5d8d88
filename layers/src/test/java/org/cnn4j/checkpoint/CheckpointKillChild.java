package org.cnn4j.checkpoint;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Child process of {@link CheckpointKillTest}: saves checkpoints to {@code args[0]} in a loop, each holding a
 * 4 M-element tensor filled with the round number. Prints {@code saved <round>} after each save and, from round
 * 3 on, {@code writing <round>} once the temporary file is half written, then stalls there for a second (a
 * slow disk) so that the parent's kill lands inside the write.
 */
public final class CheckpointKillChild {
    private CheckpointKillChild() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        float[] data = new float[4 << 20];
        for (int round = 1; ; round++) {
            Arrays.fill(data, round);
            int r = round;
            Checkpoint.builder().hostSection("model", Map.of("w", new HostTensor(new int[] {data.length}, data)))
                    .metadata("round", Integer.toString(round)).build().save(file, (stage, temp) -> {
                        if (r >= 3 && stage.equals("header")) {
                            System.out.println("writing " + r);
                            System.out.flush();
                            try {
                                Thread.sleep(1000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    });
            System.out.println("saved " + round);
            System.out.flush();
        }
    }
}
