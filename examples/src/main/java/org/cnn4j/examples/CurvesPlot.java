package org.cnn4j.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.cnn4j.train.EpochMetrics;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Draws {@code curves.png}: loss (train, test) and accuracy (train, test) per epoch, side by side, with JFreeChart. */
final class CurvesPlot {
    private CurvesPlot() {
    }

    /** Writes the two charts for {@code history} to {@code file} (PNG, 1200 x 480). */
    static void write(List<EpochMetrics> history, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeries trainLoss = new XYSeries("train loss");
        XYSeries testLoss = new XYSeries("test loss");
        XYSeries trainAcc = new XYSeries("train accuracy (%)");
        XYSeries testAcc = new XYSeries("test accuracy (%)");
        for (EpochMetrics m : history) {
            trainLoss.add(m.epoch(), m.trainLoss());
            trainAcc.add(m.epoch(), 100 * m.trainAccuracy());
            if (!Double.isNaN(m.testLoss())) {
                testLoss.add(m.epoch(), m.testLoss());
                testAcc.add(m.epoch(), 100 * m.testAccuracy());
            }
        }
        JFreeChart loss = chart(title + ": loss", "cross-entropy", trainLoss, testLoss);
        JFreeChart acc = chart(title + ": accuracy", "accuracy (%)", trainAcc, testAcc);
        BufferedImage image = new BufferedImage(1200, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            loss.draw(g, new java.awt.Rectangle(0, 0, 600, 480));
            acc.draw(g, new java.awt.Rectangle(600, 0, 600, 480));
        } finally {
            g.dispose();
        }
        Path dir = file.toAbsolutePath().getParent();
        java.nio.file.Files.createDirectories(dir);
        Path tmp = java.nio.file.Files.createTempFile(dir, "curves", ".png.tmp");
        ImageIO.write(image, "png", tmp.toFile());
        java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static JFreeChart chart(String title, String yLabel, XYSeries train, XYSeries test) {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(train);
        data.addSeries(test);
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL, true,
                false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        plot.getDomainAxis().setStandardTickUnits(org.jfree.chart.axis.NumberAxis.createIntegerTickUnits());
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, new Color(31, 119, 180));
        r.setSeriesPaint(1, new Color(255, 127, 14));
        r.setSeriesStroke(0, new BasicStroke(2f));
        r.setSeriesStroke(1, new BasicStroke(2f));
        plot.setRenderer(r);
        return chart;
    }
}
