package org.cnn4j.it;

import static org.cnn4j.it.Contract.DEVICES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.cnn4j.kernels.OpenClBackend;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;
import org.cnn4j.runtime.MemoryPool;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Shape;
import org.cnn4j.runtime.Tensor;
import org.cnn4j.runtime.spi.DeviceOutOfMemoryException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ownership and pooling on every device: a {@link Scope} closes what was made inside it, {@code detach}
 * moves a tensor out, {@code close()} is idempotent, views keep their memory alive, every byte goes back
 * to the pool, a loop that makes the same tensors each step stops asking the device for memory, and an
 * allocation the device refuses frees the pool's cache and retries once before it fails.
 */
class ScopeAndPoolTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void scopeClosesIntermediates(Device device) {
        MemoryPool pool = device.pool();
        long start = pool.bytesInUse();
        List<Tensor> made = new ArrayList<>();
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor h = x.mul(2f);
            Tensor a = h.sigmoid();
            Tensor s = a.sum();
            made.add(x);
            made.add(h);
            made.add(a);
            made.add(s);
            assertEquals(4, scope.size(), "the scope owns the four tensors made inside it");
            assertTrue(pool.bytesInUse() > start, "the tensors hold pool memory while the scope is open");
        }
        for (Tensor t : made) {
            assertTrue(t.isClosed(), t.describe() + " must be closed with its scope on " + device.spec());
        }
        assertEquals(start, pool.bytesInUse(), "bytes in use after the scope closed on " + device.spec());
        assertThrows(IllegalStateException.class, () -> made.get(3).item(), "a tensor closed by its scope is unusable");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void detachMovesATensorOutOfTheScope(Device device) {
        MemoryPool pool = device.pool();
        long start = pool.bytesInUse();
        Tensor result;
        Tensor intermediate;
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(new float[] {1, 2, 3}, 3);
            intermediate = x.square();
            result = scope.detach(intermediate.sum());
            assertEquals(2, scope.size(), "detach removes the tensor from the scope");
        }
        assertTrue(intermediate.isClosed(), "the intermediate closes with the scope");
        assertFalse(result.isClosed(), "the detached tensor survives the scope");
        assertEquals(14f, result.item(), "the detached tensor keeps its value on " + device.spec());
        assertTrue(pool.bytesInUse() > start, "the detached tensor still holds memory");
        result.close();
        assertEquals(start, pool.bytesInUse(), "bytes in use after closing the detached tensor on " + device.spec());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void detachFromAnInnerScopeMovesToTheOuterOne(Device device) {
        long start = device.pool().bytesInUse();
        Tensor moved;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                moved = inner.detach(device.ones(4));
                assertEquals(0, inner.size(), "inner scope after detach");
                assertEquals(1, outer.size(), "the outer scope adopts the detached tensor");
            }
            assertFalse(moved.isClosed(), "survives the inner scope");
        }
        assertTrue(moved.isClosed(), "closes with the outer scope");
        assertEquals(start, device.pool().bytesInUse(), "bytes in use after both scopes on " + device.spec());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void closeIsIdempotentForTensorsAndScopes(Device device) {
        long start = device.pool().bytesInUse();
        Scope scope = Scope.open();
        Tensor a = device.zeros(3, 3);
        Tensor b = device.ones(5);
        a.close();
        a.close();
        assertEquals(1, scope.size(), "a tensor closed by hand leaves its scope");
        scope.close();
        scope.close();
        assertTrue(b.isClosed(), "closed by the scope");
        b.close();
        assertEquals(start, device.pool().bytesInUse(), "bytes in use after closing twice on " + device.spec());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void tensorsMadeOutsideAScopeAreNotItsBusiness(Device device) {
        Tensor outside = device.ones(2);
        try (Scope scope = Scope.open()) {
            assertEquals(0, scope.size(), "a tensor made before the scope opened is not in it");
            Tensor y = outside.add(outside);
            assertEquals(1, scope.size(), "the result of an op belongs to the scope open when it was made");
            assertThrows(IllegalArgumentException.class, () -> scope.detach(outside),
                    "detach of a tensor that is not in the scope");
            assertFalse(y.isClosed(), "still open inside the scope");
        }
        assertFalse(outside.isClosed(), "the scope does not close what it does not own");
        outside.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void viewsKeepTheirMemoryUntilTheLastOneCloses(Device device) {
        MemoryPool pool = device.pool();
        long start = pool.bytesInUse();
        Tensor base = device.fromArray(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 4, 2);
        long held = pool.bytesInUse();
        Tensor rows = base.narrow(1, 2);
        Tensor flat = base.reshape(-1);
        assertEquals(held, pool.bytesInUse(), "views take no new memory");
        base.close();
        assertEquals(held, pool.bytesInUse(), "memory stays while views are open");
        assertEquals("[2.0, 3.0, 4.0, 5.0]", java.util.Arrays.toString(rows.toArray()),
                "a view still reads its data after the base closed on " + device.spec());
        rows.close();
        assertEquals(held, pool.bytesInUse(), "memory stays while one view is open");
        flat.close();
        assertEquals(start, pool.bytesInUse(), "memory returns when the last view closes on " + device.spec());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void bytesInUseReturnsToTheStartAfterClosingEverything(Device device) {
        MemoryPool pool = device.pool();
        long start = pool.bytesInUse();
        Generator g = new Generator(1);
        List<Tensor> manual = new ArrayList<>();
        try (Scope scope = Scope.open()) {
            Tensor x = device.uniform(g, -1f, 1f, 37, 129);
            Tensor w = device.normal(g, 0f, 1f, 129, 65);
            Tensor y = x.matmul(w).add(device.zeros(65)).relu();
            y.sum(0, true).argmax(1, false);
            y.transpose(0, 1).reshape(-1).narrow(10, 100).copy();
            device.bernoulli(g, 0.5f, 100003).mean();
            manual.add(scope.detach(y.max()));
            manual.add(scope.detach(x.narrow(3, 4)));
        }
        assertTrue(pool.bytesInUse() > start, "detached tensors still hold memory");
        for (Tensor t : manual) {
            t.close();
        }
        assertEquals(start, pool.bytesInUse(), "bytes in use after closing everything on " + device.spec());
        assertTrue(pool.peakBytesInUse() >= pool.bytesInUse(), "peak is at least the current use");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void repeatedStepsReusePooledBlocks(Device device) {
        // A training-step-like loop: the same shapes every iteration. After the first step every block
        // comes from the pool's free lists, so rawAllocations must stop growing.
        MemoryPool pool = device.pool();
        long start = pool.bytesInUse();
        Generator g = new Generator(2);
        long afterFirst = -1;
        for (int step = 0; step < 8; step++) {
            try (Scope scope = Scope.open()) {
                Tensor x = device.uniform(g, -1f, 1f, 64, 300);
                Tensor w = device.uniform(g, -1f, 1f, 300, 10);
                Tensor logits = x.matmul(w).add(device.zeros(10));
                Tensor loss = logits.sigmoid().square().mean();
                loss.item();
                logits.transpose(0, 1).sum(1, false);
            }
            if (step == 0) {
                afterFirst = pool.rawAllocations();
            } else {
                assertEquals(afterFirst, pool.rawAllocations(),
                        "raw allocations after step " + step + " on " + device.spec() + " (" + pool + ")");
            }
            assertEquals(start, pool.bytesInUse(), "bytes in use after step " + step + " on " + device.spec());
        }
        assertTrue(pool.bytesCached() > 0, "released blocks are cached for reuse");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void sameSizeAllocationsReuseOneBlock(Device device) {
        MemoryPool pool = device.pool();
        device.zeros(1000).close(); // make sure a block of this size class is cached
        long raw = pool.rawAllocations();
        for (int i = 0; i < 50; i++) {
            device.zeros(1000).close();
            device.ones(999).close(); // the same size class
        }
        assertEquals(raw, pool.rawAllocations(), "allocate-close cycles of one size class reuse the cached block");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void scopesCloseOnTheirOwnThreadOnly(Device device) throws InterruptedException {
        Scope scope = Scope.open();
        try {
            Tensor t = device.ones(3);
            AtomicReference<Throwable> error = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    scope.close();
                } catch (Throwable e) {
                    error.set(e);
                }
            });
            other.start();
            other.join();
            assertTrue(error.get() instanceof IllegalStateException,
                    "closing a scope from another thread must throw IllegalStateException, but got " + error.get());
            assertFalse(t.isClosed(), "the failed close closed nothing");
        } finally {
            scope.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(DEVICES)
    void outOfDeviceMemoryFreesTheCacheRetriesOnceAndSaysWhatThePoolHeld(Device device) {
        assumeTrue(device.backend() instanceof OpenClBackend,
                "the CPU fallback's limit is the JVM heap, and running it out would disturb the other tests in this JVM");
        MemoryPool pool = device.pool();
        device.zeros(100_000).close(); // leave a block in the cache
        long cached = pool.bytesCached();
        long inUse = pool.bytesInUse();
        assertTrue(cached > 0, "a block is cached");
        long maxAlloc = ((OpenClBackend) device.backend()).context().device().maxAllocBytes();
        long elements = maxAlloc / Float.BYTES + 1024;   // above CL_DEVICE_MAX_MEM_ALLOC_SIZE: refused, not attempted
        int rows = (int) (elements / Integer.MAX_VALUE + 2);
        int cols = (int) ((elements + rows - 1) / rows);
        // a tensor holds at most Shape.MAX_ELEMENTS; a device that allows larger blocks (PoCL allows 8 GiB on a
        // machine with 24 GiB) is asked through the pool directly
        long requested = elements > Shape.MAX_ELEMENTS ? elements : (long) rows * cols;
        DeviceOutOfMemoryException e = null;
        try {
            if (elements > Shape.MAX_ELEMENTS) {
                pool.release(pool.acquire(elements));
            } else {
                device.empty(Shape.of(rows, cols)).close();
            }
        } catch (DeviceOutOfMemoryException expected) {
            e = expected;
        }
        assumeTrue(e != null, "the driver of " + device.spec() + " accepted " + requested * Float.BYTES
                + " bytes, above its CL_DEVICE_MAX_MEM_ALLOC_SIZE of " + maxAlloc);
        assertTrue(e.getMessage().startsWith(device.spec() + ": cannot allocate " + requested * Float.BYTES + " bytes"),
                e.getMessage());
        assertTrue(e.getMessage().contains("the pool held " + inUse + " bytes in use and had " + cached
                + " cached bytes, which were freed before the retry"), e.getMessage());
        assertEquals(1, e.getSuppressed().length, "the first attempt's failure is kept as suppressed");
        assertEquals(0, pool.bytesCached(), "the cache was freed before the retry");
        assertEquals(inUse, pool.bytesInUse(), "a failed allocation takes nothing from the pool");
        try (Scope scope = Scope.open()) {
            assertEquals(3f, device.ones(3).sum().item(), "the device still computes after the failure");
        }
    }
}
