package org.cnn4j.cpu;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Parallel loops for the CPU backend on one shared, fixed pool of daemon threads.
 *
 * <p>The parallelism is {@link #threads()}: {@code Runtime.availableProcessors()}, or the system
 * property {@code cnn4j.cpu.threads}. The pool holds {@code threads() - 1} workers, because the thread
 * that calls {@link #parallelFor} always runs chunks itself. Chunks are claimed from a shared counter,
 * so the caller finishes the loop alone if every worker is busy: a loop can never wait on a queue.
 * A loop started from inside a worker runs inline.
 */
final class CpuParallel {
    /** System property that overrides the number of threads. */
    static final String THREADS_PROPERTY = "cnn4j.cpu.threads";

    /** Body of a parallel loop: handles the indices {@code [from, to)}. */
    @FunctionalInterface
    interface RangeBody {
        /** Runs the loop body for every index in {@code [from, to)}. */
        void run(long from, long to);
    }

    private static final int THREADS = configuredThreads();
    private static final Executor WORKERS = THREADS > 1 ? newPool(THREADS - 1) : null;

    private CpuParallel() {
    }

    /** Number of threads a parallel loop uses, the calling thread included. */
    static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over {@code [start, end)} split into at most {@link #threads()} contiguous chunks
     * of at least {@code grain} indices each (the last may be shorter). Runs inline when the range holds
     * fewer than two grains, when there is one thread, or when called from a worker. An exception thrown
     * by any chunk is rethrown here after every chunk has finished.
     *
     * @param grain the fewest indices worth handing to another thread, at least 1
     */
    static void parallelFor(long start, long end, long grain, RangeBody body) {
        long n = end - start;
        if (n <= 0) {
            return;
        }
        long chunks = Math.min(THREADS, n / Math.max(1, grain));
        if (chunks <= 1 || Thread.currentThread() instanceof Worker) {
            body.run(start, end);
            return;
        }
        Loop loop = new Loop(start, n, (int) chunks, body);
        for (int i = 1; i < chunks; i++) {
            WORKERS.execute(loop);
        }
        loop.run();
        loop.await();
    }

    /** One parallel loop: chunks claimed from a counter by the caller and by workers. */
    private static final class Loop implements Runnable {
        private final long start;
        private final long n;
        private final int chunks;
        private final RangeBody body;
        private final Thread caller = Thread.currentThread();
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger pending;
        private volatile Throwable failure;

        Loop(long start, long n, int chunks, RangeBody body) {
            this.start = start;
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            this.pending = new AtomicInteger(chunks);
        }

        @Override
        public void run() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    body.run(start + n * c / chunks, start + n * (c + 1) / chunks);
                } catch (Throwable t) { // NOSONAR: rethrown on the calling thread
                    failure = t;
                } finally {
                    if (pending.decrementAndGet() == 0) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** Waits for chunks still running on workers, then rethrows the failure of any chunk. */
        void await() {
            for (int spins = 0; pending.get() > 0; spins++) {
                if (spins < 2_000) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("CpuParallel.parallelFor: a chunk failed", t);
            }
        }
    }

    /** A pool thread; loops started on it run inline. */
    private static final class Worker extends Thread {
        private static final AtomicInteger COUNT = new AtomicInteger();

        Worker(Runnable r) {
            super(r, "cnn4j-cpu-" + COUNT.incrementAndGet());
            setDaemon(true);
        }
    }

    private static Executor newPool(int workers) {
        return new ThreadPoolExecutor(workers, workers, 0L, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), Worker::new);
    }

    private static int configuredThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int threads = Integer.parseInt(value.trim());
            if (threads >= 1) {
                return threads;
            }
        } catch (NumberFormatException e) {
            // reported below with the value
        }
        int fallback = Runtime.getRuntime().availableProcessors();
        org.slf4j.LoggerFactory.getLogger(CpuParallel.class).warn("CpuParallel: system property {} must be an integer "
                + ">= 1, but got '{}'; using {} threads", THREADS_PROPERTY, value, fallback);
        return fallback;
    }
}
