package org.cnn4j.runtime.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs the cases of a reader fuzz test and counts their outcomes. A case passes when the reader either
 * returns or throws one of the documented exception types with a message that names the file (or
 * whatever the caller says the message must mention); anything else (an undocumented exception, an
 * {@link Error} such as {@link OutOfMemoryError} or {@link StackOverflowError}, an empty message) fails
 * the test with the case's description, so it can be replayed. Each case may also be given an
 * allocation budget: the bytes the reading thread allocates (measured with the HotSpot per-thread
 * counter) must stay within it, which shows a reader that sizes its arrays from a header instead of from
 * the file long before the heap would run out.
 */
public final class FuzzTally {
    /** A case that reads a file. */
    @FunctionalInterface
    public interface Case {
        /** Reads the file; returning normally counts as loaded. */
        void run() throws Exception;
    }

    /** A case that reads a file and names its own outcome, for readers that report damage without throwing. */
    @FunctionalInterface
    public interface ClassifiedCase {
        /** Reads the file and returns the outcome to count. */
        String run() throws Exception;
    }

    private final String reader;
    private final List<Class<? extends Exception>> documented;
    private final Map<String, Integer> counts = new TreeMap<>();
    private final com.sun.management.ThreadMXBean threads;
    private final long startNanos = System.nanoTime();
    private final long startCpuNanos;
    private long maxAllocated;
    private int cases;

    /**
     * A tally for {@code reader} (a name for the summary) whose failures must be one of {@code documented}
     * (or a subclass).
     */
    public FuzzTally(String reader, List<Class<? extends Exception>> documented) {
        this.reader = reader;
        this.documented = List.copyOf(documented);
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean)
                || !bean.isThreadAllocatedMemorySupported()) {
            throw new AssertionError("FuzzTally: the JVM must count allocated bytes per thread (HotSpot does), "
                    + "but " + System.getProperty("java.vm.name") + " does not");
        }
        bean.setThreadAllocatedMemoryEnabled(true);
        this.threads = bean;
        this.startCpuNanos = bean.getCurrentThreadCpuTime();
    }

    /**
     * Runs one case and counts its outcome.
     *
     * @param description what the case is (mutations applied), for a failure message
     * @param mustMention text every failure message must contain, e.g. the file name
     * @param allocationBudget most bytes the case may allocate, or {@code Long.MAX_VALUE} for no check
     * @param body the read
     * @throws AssertionError if the case fails as described in the class javadoc
     */
    public void run(String description, String mustMention, long allocationBudget, Case body) {
        classify(description, mustMention, allocationBudget, () -> {
            body.run();
            return "loaded";
        });
    }

    /** As {@link #run}, counting the outcome {@code body} returns instead of {@code loaded}. */
    public void classify(String description, String mustMention, long allocationBudget, ClassifiedCase body) {
        cases++;
        long before = threads.getCurrentThreadAllocatedBytes();
        Throwable thrown = null;
        String outcome = null;
        try {
            outcome = body.run();
        } catch (Throwable t) {
            thrown = t;
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        maxAllocated = Math.max(maxAllocated, allocated);
        String where = reader + " case " + cases + " (" + description + ")";
        if (allocated > allocationBudget) {
            throw new AssertionError(where + ": allocation must be <= " + allocationBudget
                    + " bytes (what the file can justify), but got " + allocated + " bytes; outcome " + thrown, thrown);
        }
        if (thrown == null) {
            count(outcome);
        } else {
            judge(where, mustMention, thrown);
        }
    }

    private void judge(String where, String mustMention, Throwable thrown) {
        if (thrown instanceof AssertionError e) {
            throw e;        // a check made inside the case
        }
        if (documented.stream().noneMatch(c -> c.isInstance(thrown))) {
            throw new AssertionError(where + ": failure must be one of " + documented + ", but got " + thrown, thrown);
        }
        String message = thrown.getMessage();
        if (message == null || message.isBlank() || !message.contains(mustMention)) {
            throw new AssertionError(where + ": message must be non-empty and mention '" + mustMention + "', but got "
                    + thrown, thrown);
        }
        count("refused " + thrown.getClass().getSimpleName());
    }

    /**
     * Writes one case's file as a new file {@code dir/case-<index>-<name>}. Each case gets a fresh file
     * because rewriting one file in place (truncate, then write) makes ext4 flush it to disk every time,
     * which is ten times slower than writing a new file; the caller deletes it after the case.
     */
    public static Path caseFile(Path dir, int index, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve("case-" + index + "-" + name), bytes);
    }

    /** Counts an outcome that the caller classified itself. */
    public void count(String outcome) {
        counts.merge(outcome, 1, Integer::sum);
    }

    /** Cases counted so far by outcome ({@code loaded}, {@code refused <Exception>}, or the caller's). */
    public Map<String, Integer> counts() {
        return new TreeMap<>(counts);
    }

    /** Number of outcomes counted (one per case, plus any counted by the caller). */
    public int total() {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    /**
     * One line: the reader, the case count, the outcomes, the largest allocation of one case, and the wall
     * and CPU time of this thread since the tally was made (the CPU time is the steadier figure on a busy
     * machine).
     */
    public String summary() {
        return "fuzz " + reader + ": " + total() + " cases, " + counts + ", max allocated per case "
                + maxAllocated / 1024 + " KiB, " + (System.nanoTime() - startNanos) / 1_000_000 + " ms wall, "
                + (threads.getCurrentThreadCpuTime() - startCpuNanos) / 1_000_000 + " ms CPU";
    }
}
