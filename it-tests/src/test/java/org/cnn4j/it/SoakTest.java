package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.cnn4j.layers.Activations;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.CrossEntropyLoss;
import org.cnn4j.layers.Dropout;
import org.cnn4j.layers.Flatten;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.MaxPool2d;
import org.cnn4j.layers.Padding;
import org.cnn4j.layers.Sequential;
import org.cnn4j.optim.Adam;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.MemoryPool;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A soak test on every device: a small CNN (conv, batch norm, ReLU, max-pool, conv, dropout, linear) trains
 * with Adam for {@value #STEPS} steps on fresh random batches. After {@value #WARM_UP} warm-up steps, samples
 * every {@value #EVERY} steps must show the pool's bytes in use and bytes cached unchanged and no new device
 * allocation, and the JVM heap in use after {@code System.gc()} within {@value #HEAP_SLACK_MIB} MiB of the
 * first sample (a step that kept even one 16x3x16x16 input on the heap would exceed it within the run).
 * Closing the model and optimizer returns the pool to where it started, and {@code trim()} empties its cache.
 * Prints one line per device with the figures.
 */
class SoakTest {
    static final int STEPS = 300;
    static final int WARM_UP = 20;
    static final int EVERY = 20;
    static final int HEAP_SLACK_MIB = 16;
    private static final int BATCH = 16;
    private static final int CLASSES = 10;

    /** One sample: step, pool bytes in use and cached, raw device allocations, heap in use after GC. */
    record Sample(int step, long inUse, long cached, long rawAllocations, long heap) {
    }

    private static Sequential model(Device device, Generator gen) {
        int[] one = {1, 1};
        return new Sequential(
                new Conv2d(3, 8, new int[] {3, 3}, one, Padding.of(1), one, 1, true, device, gen),
                new BatchNorm2d(8, 1e-5f, 0.1f, true, device),
                Activations.relu(),
                new MaxPool2d(2),
                new Conv2d(8, 16, new int[] {3, 3}, one, Padding.of(1), one, 1, true, device, gen),
                Activations.relu(),
                new MaxPool2d(2),
                new Flatten(),
                new Dropout(0.2f, gen),
                new Linear(16 * 4 * 4, CLASSES, true, device, gen));
    }

    private static long heapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void trainingStaysFlatAndClosingReturnsEveryBuffer(Device device) {
        MemoryPool pool = device.pool();
        long start = pool.bytesInUse();
        Generator gen = new Generator(11);
        SplittableRandom random = new SplittableRandom(12);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        List<Sample> samples = new ArrayList<>();
        long heapBefore = heapAfterGc();
        float lastLoss;
        Sequential model = model(device, gen);
        Adam adam = new Adam(model.parameters()).lr(1e-3);
        try {
            float[] labels = new float[BATCH];
            lastLoss = Float.NaN;
            for (int step = 1; step <= STEPS; step++) {
                for (int i = 0; i < BATCH; i++) {
                    labels[i] = random.nextInt(CLASSES);
                }
                try (Scope s = Scope.open()) {
                    Tensor x = device.normal(gen, 0f, 1f, BATCH, 3, 16, 16);
                    Tensor y = device.fromArray(labels, BATCH);
                    adam.zeroGrad();
                    Tensor loss = lossFn.apply(model.forward(x), y);
                    loss.backward();
                    adam.step();
                    if (step % EVERY == 0) {
                        lastLoss = loss.item();
                    }
                }
                if (step >= WARM_UP && step % EVERY == 0) {
                    samples.add(new Sample(step, pool.bytesInUse(), pool.bytesCached(), pool.rawAllocations(), heapAfterGc()));
                }
            }
        } finally {
            model.close();
            adam.close();
        }
        long afterClose = pool.bytesInUse();
        long cachedBeforeTrim = pool.bytesCached();
        pool.trim();
        long cachedAfterTrim = pool.bytesCached();

        Sample first = samples.get(0);
        Sample last = samples.get(samples.size() - 1);
        long maxHeap = samples.stream().mapToLong(Sample::heap).max().orElseThrow();
        System.out.printf("soak %s: %d steps (loss %.3f), samples from step %d every %d: pool in use %d B, cached %d B, "
                        + "raw allocations %d at every sample; heap %.1f MiB before, %.1f MiB at step %d, %.1f MiB at step %d "
                        + "(max %.1f); after close: in use %d B (start %d B), cached %d B; after trim: cached %d B%n",
                device.spec(), STEPS, lastLoss, WARM_UP, EVERY, first.inUse(), first.cached(), first.rawAllocations(),
                mib(heapBefore), mib(first.heap()), first.step(), mib(last.heap()), last.step(), mib(maxHeap),
                afterClose, start, cachedBeforeTrim, cachedAfterTrim);

        assertTrue(Float.isFinite(lastLoss), "loss stays finite on " + device.spec() + ": " + lastLoss);
        for (Sample s : samples) {
            String at = " at step " + s.step() + " on " + device.spec() + " (first sample " + first + ", this " + s + ")";
            assertEquals(first.inUse(), s.inUse(), "pool bytes in use" + at);
            assertEquals(first.cached(), s.cached(), "pool bytes cached" + at);
            assertEquals(first.rawAllocations(), s.rawAllocations(), "raw device allocations" + at);
            assertTrue(s.heap() - first.heap() <= HEAP_SLACK_MIB * 1024L * 1024L,
                    "heap in use after GC grew by more than " + HEAP_SLACK_MIB + " MiB" + at);
        }
        assertEquals(start, afterClose, "closing the model and optimizer returns every buffer on " + device.spec());
        assertTrue(cachedBeforeTrim > 0, "the released buffers were cached on " + device.spec());
        assertEquals(0, cachedAfterTrim, "trim frees every cached buffer on " + device.spec());
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
