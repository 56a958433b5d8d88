package org.cnn4j.it;

import java.util.SplittableRandom;

/** Seeded test inputs: every contract test draws from a {@link SplittableRandom} with a fixed seed. */
final class Inputs {
    private Inputs() {
    }

    /** {@code n} floats uniform in {@code [low, high)}. */
    static float[] uniform(SplittableRandom random, int n, double low, double high) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextDouble(low, high);
        }
        return x;
    }

    /** {@code n} floats with magnitude in {@code [low, high)} (log-uniform) and a random sign. */
    static float[] awayFromZero(SplittableRandom random, int n, double low, double high) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double m = Math.exp(random.nextDouble(Math.log(low), Math.log(high)));
            x[i] = (float) (random.nextBoolean() ? m : -m);
        }
        return x;
    }

    /** {@code n} small integers in {@code [0, levels)} as floats: many exact ties. */
    static float[] levels(SplittableRandom random, int n, int levels) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = random.nextInt(levels);
        }
        return x;
    }

    /** A random extent in {@code [1, max]}. */
    static int dim(SplittableRandom random, int max) {
        return 1 + random.nextInt(max);
    }
}
