package org.cnn4j.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A text progress bar per epoch: done/total images, images per second, time left, running loss and accuracy,
 * then the epoch's summary line ({@link EpochMetrics#summary}).
 *
 * <pre>
 * epoch 3/10 [==========>         ] 33280/60000  702 img/s  ETA 0:38  loss 0.2731  acc 90.12%
 * epoch 3/10  train loss 0.2688  train acc 90.21%  test loss 0.2501  test acc 90.87%  88.6 s  703 img/s  lr 0.001
 * </pre>
 * On a terminal the bar redraws in place (carriage return, at most every 200 ms); when the output is not a
 * terminal (a log file, CI) it prints a line at every 10% of the epoch instead.
 */
public final class ProgressBar implements TrainingListener {
    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean interactive;
    private long lastDraw;
    private int lastDecile;
    private int lastLength;

    /** Writes to {@code out}, redrawing in place only when the JVM has a console. */
    public ProgressBar(PrintStream out) {
        this(out, System.console() != null);
    }

    /** Writes to {@code out}; {@code interactive} chooses in-place redraws over one line per 10%. */
    public ProgressBar(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void onEpochStart(int epoch, int totalEpochs, int batches, long images) {
        lastDraw = 0;
        lastDecile = 0;
        lastLength = 0;
    }

    @Override
    public void onProgress(StepProgress p) {
        boolean last = p.batch() == p.batches();
        if (interactive) {
            long now = System.nanoTime();
            if (!last && now - lastDraw < 200_000_000L) {
                return;
            }
            lastDraw = now;
            String line = render(p);
            out.print('\r' + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            out.flush();
        } else {
            int decile = (int) (10 * p.images() / Math.max(1, p.totalImages()));
            if (decile > lastDecile || last) {
                lastDecile = decile;
                out.println(render(p));
            }
        }
    }

    @Override
    public void onEpochEnd(EpochMetrics metrics, int totalEpochs) {
        if (interactive && lastLength > 0) {
            out.print('\r' + " ".repeat(lastLength) + '\r');
        }
        out.println(metrics.summary(totalEpochs));
        out.flush();
    }

    /** One progress line for {@code p}. */
    static String render(StepProgress p) {
        double frac = p.totalImages() == 0 ? 1 : Math.min(1, (double) p.images() / p.totalImages());
        int filled = (int) Math.round(frac * WIDTH);
        String bar = "=".repeat(filled) + (filled < WIDTH ? ">" + " ".repeat(WIDTH - filled - 1) : "");
        return String.format(Locale.ROOT, "epoch %d/%d [%s] %d/%d  %.0f img/s  ETA %s  loss %.4f  acc %.2f%%", p.epoch(),
                p.totalEpochs(), bar, p.images(), p.totalImages(), p.imagesPerSecond(), clock(p.etaSeconds()),
                p.runningLoss(), 100 * p.runningAccuracy());
    }

    /** {@code m:ss} or {@code h:mm:ss}; {@code --:--} when unknown. */
    static String clock(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            return "--:--";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
