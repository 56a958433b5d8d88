package org.cnn4j.optim;

import java.util.Arrays;

/**
 * Learning-rate schedules, as PyTorch 1.13's {@code torch.optim.lr_scheduler} in their closed forms. Each
 * keeps the optimizer's initial learning rate of every group ({@code base}) and sets
 * {@code lr = base * factor(epoch)} on {@link #step()}; call it once per epoch (or per iteration, for
 * warm-up) after {@code optimizer.step()}.
 */
public abstract class LrScheduler {
    private final Optimizer optimizer;
    private final double[] base;
    private int epoch;

    /** Records the optimizer's current learning rates as the base values. */
    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.base = new double[optimizer.paramGroups().size()];
        for (int i = 0; i < base.length; i++) {
            base[i] = optimizer.learningRate(i);
        }
    }

    /** The learning rate of a group with base rate {@code base} at {@code epoch}. */
    protected abstract double rate(double base, int epoch);

    /** Advances one epoch and sets the new learning rates. */
    public void step() {
        epoch++;
        for (int i = 0; i < base.length; i++) {
            optimizer.setLearningRate(i, rate(base[i], epoch));
        }
    }

    /** Epochs stepped so far. */
    public int epoch() {
        return epoch;
    }

    /** {@code lr = base * gamma^floor(epoch / stepSize)}. */
    public static LrScheduler step(Optimizer opt, int stepSize, double gamma) {
        if (stepSize < 1) {
            throw new IllegalArgumentException("LrScheduler.step: stepSize must be >= 1, but got " + stepSize);
        }
        return new LrScheduler(opt) {
            @Override
            protected double rate(double base, int epoch) {
                return base * Math.pow(gamma, epoch / stepSize);
            }
        };
    }

    /** {@code lr = base * gamma^(number of milestones <= epoch)}; milestones increasing. */
    public static LrScheduler multiStep(Optimizer opt, int[] milestones, double gamma) {
        int[] sorted = milestones.clone();
        Arrays.sort(sorted);
        if (!Arrays.equals(sorted, milestones)) {
            throw new IllegalArgumentException("LrScheduler.multiStep: milestones must be increasing, but got "
                    + Arrays.toString(milestones));
        }
        return new LrScheduler(opt) {
            @Override
            protected double rate(double base, int epoch) {
                int passed = 0;
                for (int m : sorted) {
                    passed += m <= epoch ? 1 : 0;
                }
                return base * Math.pow(gamma, passed);
            }
        };
    }

    /** {@code lr = base * gamma^epoch}. */
    public static LrScheduler exponential(Optimizer opt, double gamma) {
        return new LrScheduler(opt) {
            @Override
            protected double rate(double base, int epoch) {
                return base * Math.pow(gamma, epoch);
            }
        };
    }

    /** Cosine annealing (Loshchilov and Hutter, 2017): {@code lr = etaMin + (base - etaMin)(1 + cos(pi epoch / tMax)) / 2}. */
    public static LrScheduler cosine(Optimizer opt, int tMax, double etaMin) {
        if (tMax < 1) {
            throw new IllegalArgumentException("LrScheduler.cosine: tMax must be >= 1, but got " + tMax);
        }
        return new LrScheduler(opt) {
            @Override
            protected double rate(double base, int epoch) {
                return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
            }
        };
    }

    /**
     * Linear warm-up (PyTorch's {@code LinearLR}): the factor goes from {@code startFactor} to
     * {@code endFactor} over {@code totalIters} steps, then stays: {@code lr = base * (s + (e - s) min(epoch, T) / T)}.
     * As in PyTorch, creating it sets the rate to {@code base * startFactor} at once.
     */
    public static LrScheduler linearWarmup(Optimizer opt, double startFactor, double endFactor, int totalIters) {
        if (totalIters < 1 || !(startFactor > 0 && startFactor <= 1) || !(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("LrScheduler.linearWarmup: factors must be in (0, 1] and [0, 1] and totalIters "
                    + ">= 1, but got start=" + startFactor + ", end=" + endFactor + ", totalIters=" + totalIters);
        }
        LrScheduler s = new LrScheduler(opt) {
            @Override
            protected double rate(double base, int epoch) {
                return base * (startFactor + (endFactor - startFactor) * Math.min(epoch, totalIters) / totalIters);
            }
        };
        for (int i = 0; i < opt.paramGroups().size(); i++) {
            opt.setLearningRate(i, s.base[i] * startFactor);
        }
        return s;
    }
}
