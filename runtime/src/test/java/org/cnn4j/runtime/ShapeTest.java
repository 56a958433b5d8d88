package org.cnn4j.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShapeTest {
    @Test
    void dimensionsStridesAndCounts() {
        Shape s = Shape.of(2, 3, 4);
        assertEquals(3, s.rank());
        assertEquals(24, s.numel());
        assertEquals(4, s.dim(-1));
        assertArrayEquals(new long[] {12, 4, 1}, s.contiguousStrides());
        assertEquals(12, s.numel(1, 3));
        assertEquals("[2, 3, 4]", s.toString());
        assertEquals(1, Shape.scalar().numel());
        assertEquals(Shape.of(2, 3, 4), s);
    }

    @Test
    void rejectsZeroNegativeAndHugeDimensions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 0));
        assertTrue(e.getMessage().contains("[2, 0]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shape.of(-1));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(65536, 65536));
        assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 3).axis(2, "op"));
    }

    @Test
    void broadcastShapesFollowNumpy() {
        assertEquals(Shape.of(4, 2, 3), Broadcast.shape("op", Shape.of(4, 1, 3), Shape.of(2, 1)));
        assertEquals(Shape.of(5, 3), Broadcast.shape("op", Shape.of(5, 3), Shape.of(3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Broadcast.shape("Tensor.add", Shape.of(2, 3), Shape.of(4)));
        assertEquals("Tensor.add: shapes must be broadcastable, but got [2, 3] and [4]", e.getMessage());
    }

    @Test
    void coalescingMergesWhatEveryOperandTraversesAsOne() {
        // [8, 4, 5] + [4, 5]: b repeats along dim 0, both contiguous inside -> dims [8, 20], strides a [20, 1], b [0, 1]
        Shape out = Shape.of(8, 4, 5);
        var layouts = Broadcast.coalesce("op", out.toArray(), Broadcast.stridesFor(out, out),
                Broadcast.stridesFor(Shape.of(4, 5), out));
        assertArrayEquals(new int[] {8, 20}, layouts[0].dims());
        assertArrayEquals(new long[] {20, 1}, layouts[0].strides());
        assertArrayEquals(new long[] {0, 1}, layouts[1].strides());
        // same shapes: one dimension
        var same = Broadcast.coalesce("op", out.toArray(), out.contiguousStrides(), out.contiguousStrides());
        assertArrayEquals(new int[] {160}, same[0].dims());
        assertTrue(Broadcast.isContiguous(same[1]));
        // scalar
        var scalar = Broadcast.coalesce("op", new int[0], new long[0]);
        assertArrayEquals(new int[] {1}, scalar[0].dims());
    }
}
