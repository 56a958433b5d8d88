package org.cnn4j.cpu;

import java.util.Random;
import org.cnn4j.runtime.spi.DeviceMemory;

/**
 * Prints the GFLOP/s of {@link CpuGemm} on square matrices ({@code 2 n^3} flops per call).
 * Not a test; run with {@code java --add-modules jdk.incubator.vector -cp <test and main classes>
 * org.cnn4j.cpu.GemmBenchmark [n ...]} ({@code -Dcnn4j.cpu.vector=false} for the plain kernel).
 */
public final class GemmBenchmark {
    private GemmBenchmark() {
    }

    /** @param args sizes to measure; 256 512 1024 when empty */
    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {256, 512, 1024} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        CpuMemory memory = new CpuMemory();
        CpuGemm gemm = new CpuGemm();
        System.out.println("threads=" + CpuParallel.threads() + " kernel=" + gemm.kernel().name());
        for (int n : sizes) {
            DeviceMemory a = random(memory, n * n, 1);
            DeviceMemory b = random(memory, n * n, 2);
            DeviceMemory c = memory.allocate((long) n * n);
            double flops = 2.0 * n * n * n;
            int reps = (int) Math.max(3, 2e10 / flops);
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) {
                    gemm.gemm(false, false, n, n, n, 1f, a, 0, n, 0, b, 0, n, 0, 0f, c, 0, n, 0, 1);
                }
                best = Math.min(best, (System.nanoTime() - t0) / 1e9 / reps);
            }
            System.out.printf("n=%d: %.1f GFLOP/s (%.3f ms per call)%n", n, flops / best / 1e9, best * 1e3);
        }
    }

    private static DeviceMemory random(CpuMemory memory, int size, long seed) {
        float[] host = new float[size];
        Random rnd = new Random(seed);
        for (int i = 0; i < size; i++) {
            host[i] = rnd.nextFloat() - 0.5f;
        }
        DeviceMemory m = memory.allocate(size);
        memory.write(host, 0, m, 0, size);
        return m;
    }
}
