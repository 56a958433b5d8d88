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

/** SGEMM {@code C = A B} of two {@code n x n} matrices ({@code 2 n^3} FLOPs), with the sum of C read back. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class GemmBench {
    @Param({"cpu", "opencl"})
    public String device;

    @Param({"256", "512", "1024", "2048"})
    public int n;

    private Workload sgemm;

    @Setup
    public void setup() {
        sgemm = new Workloads.Sgemm("sgemm", BenchDevices.open(device), n);
    }

    @TearDown
    public void tearDown() {
        if (sgemm != null) {
            sgemm.close();
        }
    }

    @Benchmark
    public float sgemm() {
        return sgemm.run();
    }
}
