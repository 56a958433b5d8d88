package org.cnn4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * 2-D convolution with bias, forward and forward+backward (input, weight and bias gradients), on the five
 * shapes of the performance issue ({@code NxCxHxW/Kxkxk/sS/pP}; FLOPs per forward {@code 2 N K Ho Wo C k k}).
 * Time per invocation, one scalar read back at its end.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class ConvBench {
    @Param({"cpu", "opencl"})
    public String device;

    @Param({"64x1x28x28/32x3x3/s1/p1", "64x32x14x14/64x3x3/s1/p1", "32x64x32x32/64x3x3/s1/p1", "32x3x32x32/16x5x5/s1/p2",
            "32x64x32x32/128x3x3/s2/p1"})
    public String shape;

    private Workload forward;
    private Workload forwardBackward;

    @Setup
    public void setup() {
        var d = BenchDevices.open(device);
        ConvShape s = ConvShape.parse(shape);
        forward = new Workloads.Conv("conv", d, s, false);
        forwardBackward = new Workloads.Conv("conv_fb", d, s, true);
    }

    @TearDown
    public void tearDown() {
        if (forward != null) {
            forward.close();
            forwardBackward.close();
        }
    }

    @Benchmark
    public float forward() {
        return forward.run();
    }

    @Benchmark
    public float forwardBackward() {
        return forwardBackward.run();
    }
}
