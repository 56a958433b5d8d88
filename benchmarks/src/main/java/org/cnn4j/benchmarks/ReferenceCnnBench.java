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
 * The reference CNN: one full training step (forward, cross-entropy, backward, Adam; the loss read back)
 * at batch 64 and 256, and inference (evaluation mode, no graph) at batch 256. Time per step; images/s is
 * {@code batch / time}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
public class ReferenceCnnBench {
    /** Training step, batch 64 and 256. */
    @State(Scope.Thread)
    public static class Training {
        @Param({"cpu", "opencl"})
        public String device;

        @Param({"64", "256"})
        public int batch;

        Workload step;

        @Setup
        public void setup() {
            step = new Workloads.TrainStep("train" + batch, BenchDevices.open(device), batch);
        }

        @TearDown
        public void tearDown() {
            if (step != null) {
                step.close();
            }
        }
    }

    /** Inference, batch 256. */
    @State(Scope.Thread)
    public static class Inference {
        @Param({"cpu", "opencl"})
        public String device;

        Workload infer;

        @Setup
        public void setup() {
            infer = new Workloads.Inference("infer256", BenchDevices.open(device), 256);
        }

        @TearDown
        public void tearDown() {
            if (infer != null) {
                infer.close();
            }
        }
    }

    @Benchmark
    public float trainStep(Training t) {
        return t.step.run();
    }

    @Benchmark
    public float inference256(Inference i) {
        return i.infer.run();
    }
}
