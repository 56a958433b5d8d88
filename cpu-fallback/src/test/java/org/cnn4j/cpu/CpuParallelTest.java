package org.cnn4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link CpuParallel#parallelFor}: every index exactly once, nesting, and failures. */
class CpuParallelTest {

    @Test
    void everyIndexExactlyOnce() {
        for (long[] range : new long[][] {{0, 0}, {5, 6}, {0, 1000}, {3, 100_003}, {10, 17}}) {
            int n = (int) (range[1] - range[0]);
            AtomicIntegerArray seen = new AtomicIntegerArray(Math.max(n, 1));
            CpuParallel.parallelFor(range[0], range[1], 7, (from, to) -> {
                for (long i = from; i < to; i++) {
                    seen.incrementAndGet((int) (i - range[0]));
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(1, seen.get(i), "index " + (range[0] + i) + " of " + java.util.Arrays.toString(range));
            }
        }
    }

    @Test
    void nestedLoopsFinish() {
        AtomicLong total = new AtomicLong();
        for (int rep = 0; rep < 200; rep++) {
            CpuParallel.parallelFor(0, 64, 1, (from, to) -> {
                for (long i = from; i < to; i++) {
                    CpuParallel.parallelFor(0, 100, 1, (f, t) -> total.addAndGet(t - f));
                }
            });
        }
        assertEquals(200L * 64 * 100, total.get());
    }

    @Test
    void failureOfAChunkIsRethrown() {
        IllegalStateException boom = new IllegalStateException("boom");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> CpuParallel.parallelFor(0, 1000, 1, (from, to) -> {
                    if (to == 1000) {
                        throw boom;
                    }
                }));
        assertSame(boom, thrown);
    }

    /**
     * Four threads start loops at once, many times, with pauses that let the workers park and loops that find them
     * polling: every loop sees each of its indices exactly once and returns (a lost wake-up would hang here).
     */
    @Test
    void concurrentCallersEachGetEveryIndexOnce() throws InterruptedException {
        int callers = 4;
        AtomicLong failures = new AtomicLong();
        Thread[] threads = new Thread[callers];
        for (int t = 0; t < callers; t++) {
            int seed = t;
            threads[t] = new Thread(() -> {
                for (int rep = 0; rep < 300; rep++) {
                    int n = 1 + (rep * 37 + seed * 11) % 5000;
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    CpuParallel.parallelFor(0, n, 1, (from, to) -> {
                        for (long i = from; i < to; i++) {
                            seen.incrementAndGet((int) i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        if (seen.get(i) != 1) {
                            failures.incrementAndGet();
                        }
                    }
                    if (rep % 50 == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // workers park meanwhile
                    }
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join(60_000);
            assertEquals(false, t.isAlive(), "a caller did not finish its loops within 60 s");
        }
        assertEquals(0, failures.get(), "indices seen other than once");
    }
}
