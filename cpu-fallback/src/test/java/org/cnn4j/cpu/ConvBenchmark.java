package org.cnn4j.cpu;

import org.cnn4j.runtime.spi.ConvGeometry;
import org.cnn4j.runtime.spi.DeviceMemory;

/**
 * Prints the GFLOP/s of {@link CpuConv} on 2-D convolutions given as {@code (N, C, H, W, K, k, stride, pad)}:
 * forward ({@code 2 * macs} flops) and forward + backward (forward, backward input and backward weight:
 * {@code 6 * macs} flops). Best of several rounds after a warm-up. Not a test; run with
 * {@code java -cp <test and main classes> org.cnn4j.cpu.ConvBenchmark}.
 */
public final class ConvBenchmark {
    private static final int[][] SHAPES = {
            {64, 1, 28, 28, 32, 3, 1, 1},
            {64, 32, 14, 14, 64, 3, 1, 1},
            {32, 64, 32, 32, 64, 3, 1, 1}};

    private ConvBenchmark() {
    }

    /** @param args ignored */
    public static void main(String[] args) {
        CpuBackend backend = (CpuBackend) TestData.backend();
        System.out.println("threads=" + CpuParallel.threads());
        for (int[] s : SHAPES) {
            int n = s[0];
            int c = s[1];
            int h = s[2];
            int w = s[3];
            int k = s[4];
            int kernel = s[5];
            int stride = s[6];
            int pad = s[7];
            int oh = (h + 2 * pad - kernel) / stride + 1;
            int ow = (w + 2 * pad - kernel) / stride + 1;
            ConvGeometry g = new ConvGeometry(n, c, 1, h, w, k, 1, kernel, kernel, 1, stride, stride, 0, pad, pad,
                    1, 1, 1, 1, 1, oh, ow);
            DeviceMemory x = TestData.upload(backend, TestData.random(1, (int) g.inputSize()));
            DeviceMemory wt = TestData.upload(backend, TestData.random(2, (int) g.weightSize()));
            DeviceMemory b = TestData.upload(backend, TestData.random(3, k));
            DeviceMemory y = backend.allocate(g.outputSize());
            DeviceMemory dy = TestData.upload(backend, TestData.random(4, (int) g.outputSize()));
            DeviceMemory dx = backend.allocate(g.inputSize());
            DeviceMemory dw = backend.allocate(g.weightSize());
            double flops = 2.0 * g.macs();
            double fwd = best(() -> backend.convForward(g, x, 0, wt, 0, b, 0, y, 0), flops);
            double all = best(() -> {
                backend.convForward(g, x, 0, wt, 0, b, 0, y, 0);
                backend.convBackwardInput(g, dy, 0, wt, 0, dx, 0);
                backend.convBackwardWeight(g, x, 0, dy, 0, dw, 0);
            }, 3 * flops);
            System.out.printf("(N,C,H,W,K,k,s,p)=(%d,%d,%d,%d,%d,%d,%d,%d): forward %.1f GFLOP/s (%.2f ms), "
                            + "forward+backward %.1f GFLOP/s (%.2f ms)%n", n, c, h, w, k, kernel, stride, pad,
                    flops / fwd / 1e9, fwd * 1e3, 3 * flops / all / 1e9, all * 1e3);
        }
    }

    /** Best seconds per call over 5 rounds of enough calls for about 0.3 s each, after a warm-up. */
    private static double best(Runnable call, double flops) {
        int reps = (int) Math.max(2, 3e9 / flops);
        for (int i = 0; i < reps; i++) {
            call.run();
        }
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++) {
                call.run();
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9 / reps);
        }
        return best;
    }
}
