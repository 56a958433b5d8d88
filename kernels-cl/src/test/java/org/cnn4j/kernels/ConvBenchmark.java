package org.cnn4j.kernels;

import java.util.List;
import org.cnn4j.runtime.opencl.ClBuffer;
import org.cnn4j.runtime.opencl.ClContext;
import org.cnn4j.runtime.opencl.ClDevice;
import org.cnn4j.runtime.opencl.ClDevices;
import org.cnn4j.runtime.spi.ConvGeometry;

/**
 * Prints conv2d GFLOP/s (forward, and forward + both gradients) of every {@link ClConv} variant on device 0
 * for the shapes (N, C, H, W, K, k, stride, pad) of the project's reference networks. Not a test: run with
 * {@code java -cp ... org.cnn4j.kernels.ConvBenchmark [reps]}. FLOPs are 2 * MACs per pass (forward,
 * input gradient and weight gradient each cost the forward's MACs).
 */
public final class ConvBenchmark {
    private static final int[][] SHAPES = {{64, 1, 28, 28, 32, 3, 1, 1}, {64, 32, 14, 14, 64, 3, 1, 1}, {32, 64, 32, 32, 64, 3, 1, 1}};

    private ConvBenchmark() {
    }

    /** @param args optional repetitions per measurement (default 5) */
    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<ClDevice> devices = ClDevices.enumerate();
        try (OpenClBackend b = new OpenClBackend(ClContext.open(devices.get(0)))) {
            System.out.println("ConvBenchmark on " + b.info().describe() + ", best of " + reps);
            for (int[] s : SHAPES) {
                ConvGeometry g = NaiveCnn.conv(s[0], s[1], 1, s[2], s[3], s[4], 1, s[5], s[5], 1, s[6], s[6], 0, s[7], s[7],
                        1, 1, 1, 1);
                ClBuffer x = (ClBuffer) DeviceArrays.upload(b, DeviceArrays.random(1, (int) g.inputSize(), -1f, 1f));
                ClBuffer w = (ClBuffer) DeviceArrays.upload(b, DeviceArrays.random(2, (int) g.weightSize(), -1f, 1f));
                ClBuffer bias = (ClBuffer) DeviceArrays.upload(b, DeviceArrays.random(3, g.outChannels(), -1f, 1f));
                ClBuffer y = (ClBuffer) b.allocate(g.outputSize());
                ClBuffer dx = (ClBuffer) b.allocate(g.inputSize());
                ClBuffer dw = (ClBuffer) b.allocate(g.weightSize());
                double flop = 2.0 * g.macs();
                for (ClConv.Variant variant : ClConv.Variant.values()) {
                    ClConv conv = new ClConv(b.context(), variant);
                    double fwd = Double.MAX_VALUE;
                    double bin = Double.MAX_VALUE;
                    double bw = Double.MAX_VALUE;
                    for (int r = 0; r <= reps; r++) {         // r = 0 compiles and warms up
                        long t0 = System.nanoTime();
                        conv.forward(g, x, 0, w, 0, bias, 0, y, 0);
                        b.synchronize();
                        long t1 = System.nanoTime();
                        conv.backwardInput(g, y, 0, w, 0, dx, 0);
                        b.synchronize();
                        long t2 = System.nanoTime();
                        conv.backwardWeight(g, x, 0, y, 0, dw, 0);
                        b.synchronize();
                        long t3 = System.nanoTime();
                        if (r > 0) {
                            fwd = Math.min(fwd, (t1 - t0) / 1e9);
                            bin = Math.min(bin, (t2 - t1) / 1e9);
                            bw = Math.min(bw, (t3 - t2) / 1e9);
                        }
                    }
                    System.out.printf("(N,C,H,W,K,k,s,p)=%-28s %-7s fwd %7.2f ms %6.1f GFLOP/s | bwdIn %7.2f ms %6.1f | bwdW %7.2f ms %6.1f"
                                    + " | fwd+bwd %7.2f ms %6.1f GFLOP/s%n", java.util.Arrays.toString(s), variant,
                            fwd * 1e3, flop / fwd / 1e9, bin * 1e3, flop / bin / 1e9, bw * 1e3, flop / bw / 1e9,
                            (fwd + bin + bw) * 1e3, 3 * flop / (fwd + bin + bw) / 1e9);
                }
                for (ClBuffer m : new ClBuffer[] {x, w, bias, y, dx, dw}) {
                    b.release(m);
                }
            }
        }
    }
}
