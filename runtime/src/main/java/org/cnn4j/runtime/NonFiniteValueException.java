package org.cnn4j.runtime;

/**
 * Thrown in {@link Anomaly} mode by the first op whose output (forward) or input gradient (backward)
 * holds a NaN or an infinity. The message names the direction, the op, the layer when known, the shape,
 * and how many values are NaN and infinite; the getters give the same facts to code.
 */
public final class NonFiniteValueException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    /** Whether the value was produced by a forward op or by a backward pass. */
    public enum Direction {
        /** The output of an op. */
        FORWARD,
        /** A gradient returned by an op's backward. */
        BACKWARD
    }

    private final Direction direction;
    private final String op;
    private final String layer;
    private final transient Shape shape;
    private final long nanCount;
    private final long infCount;

    NonFiniteValueException(String message, Direction direction, String op, String layer, Shape shape, long nanCount,
                            long infCount) {
        super(message);
        this.direction = direction;
        this.op = op;
        this.layer = layer;
        this.shape = shape;
        this.nanCount = nanCount;
        this.infCount = infCount;
    }

    /** Forward or backward. */
    public Direction direction() {
        return direction;
    }

    /** The op that produced the value ({@code "Tensor.log"}, {@code "conv"}, ...). */
    public String op() {
        return op;
    }

    /** The layer path and type, e.g. {@code "features.3 (BatchNorm2d)"}, or null when the op ran outside any named layer. */
    public String layer() {
        return layer;
    }

    /** The shape of the non-finite tensor. */
    public Shape shape() {
        return shape;
    }

    /** Number of NaN values in it. */
    public long nanCount() {
        return nanCount;
    }

    /** Number of infinite values in it. */
    public long infCount() {
        return infCount;
    }
}
