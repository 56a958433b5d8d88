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
 * Max pooling 2x2 (forward; forward+backward), batch normalization in training mode (forward+backward),
 * dropout p=0.5 in training mode (forward; forward+backward) and ReLU (forward; forward+backward) of a
 * {@code [64, 32, 28, 28]} tensor.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Thread)
public class LayerBench {
    @Param({"cpu", "opencl"})
    public String device;

    private Workload maxPool;
    private Workload maxPoolBackward;
    private Workload batchNormBackward;
    private Workload dropout;
    private Workload dropoutBackward;
    private Workload relu;
    private Workload reluBackward;

    @Setup
    public void setup() {
        var d = BenchDevices.open(device);
        int[] dims = Workloads.LAYER_SHAPE;
        maxPool = new Workloads.Layer("maxPool2d", d, Workloads.LayerOp.MAX_POOL, dims);
        maxPoolBackward = new Workloads.Layer("maxPool2d_fb", d, Workloads.LayerOp.MAX_POOL_BACKWARD, dims);
        batchNormBackward = new Workloads.Layer("batchNorm2d_fb", d, Workloads.LayerOp.BATCH_NORM_BACKWARD, dims);
        dropout = new Workloads.Layer("dropout", d, Workloads.LayerOp.DROPOUT, dims);
        dropoutBackward = new Workloads.Layer("dropout_fb", d, Workloads.LayerOp.DROPOUT_BACKWARD, dims);
        relu = new Workloads.Layer("relu", d, Workloads.LayerOp.RELU, dims);
        reluBackward = new Workloads.Layer("relu_fb", d, Workloads.LayerOp.RELU_BACKWARD, dims);
    }

    @TearDown
    public void tearDown() {
        for (Workload w : new Workload[] {maxPool, maxPoolBackward, batchNormBackward, dropout, dropoutBackward, relu,
            reluBackward}) {
            if (w != null) {
                w.close();
            }
        }
    }

    @Benchmark
    public float maxPool2dForward() {
        return maxPool.run();
    }

    @Benchmark
    public float maxPool2dForwardBackward() {
        return maxPoolBackward.run();
    }

    @Benchmark
    public float batchNorm2dTrainForwardBackward() {
        return batchNormBackward.run();
    }

    @Benchmark
    public float dropoutTrainForward() {
        return dropout.run();
    }

    @Benchmark
    public float dropoutTrainForwardBackward() {
        return dropoutBackward.run();
    }

    @Benchmark
    public float reluForward() {
        return relu.run();
    }

    @Benchmark
    public float reluForwardBackward() {
        return reluBackward.run();
    }
}
