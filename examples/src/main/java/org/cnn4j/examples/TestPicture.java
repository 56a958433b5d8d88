package org.cnn4j.examples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;

/**
 * The filters demo's built-in input, drawn with {@code java.awt.Graphics2D} (works headless): a diagonal
 * gradient background, a bright filled circle, a dark filled square, a bright 45-degree line, a
 * black-and-white checkerboard patch and the text "cnn4j". Every feature tests a filter: edges of several
 * orientations and curvatures, flat regions, a smooth ramp, fine periodic detail and thin strokes.
 */
final class TestPicture {
    private TestPicture() {
    }

    /**
     * The picture at {@code size x size} pixels (the layout is designed for 256 and scales with it).
     *
     * @throws IllegalArgumentException if {@code size < 32}
     */
    static GrayImage draw(int size) {
        if (size < 32) {
            throw new IllegalArgumentException("TestPicture.draw: size must be >= 32, but got " + size);
        }
        double s = size / 256.0;
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setPaint(new GradientPaint(0, 0, gray(0.15), size, size, gray(0.65)));
            g.fillRect(0, 0, size, size);

            g.setColor(gray(0.92));
            g.fill(new Ellipse2D.Double(26 * s, 28 * s, 88 * s, 88 * s));

            g.setColor(gray(0.05));
            g.fill(new Rectangle2D.Double(150 * s, 30 * s, 80 * s, 80 * s));

            g.setColor(gray(0.95));
            g.setStroke(new BasicStroke((float) (3 * s)));
            g.draw(new Line2D.Double(20 * s, 244 * s, 100 * s, 164 * s));

            int cell = Math.max(1, (int) Math.round(12 * s));
            int x0 = (int) Math.round(148 * s);
            int y0 = (int) Math.round(148 * s);
            for (int i = 0; i < 8; i++) {
                for (int j = 0; j < 8; j++) {
                    g.setColor((i + j) % 2 == 0 ? Color.WHITE : Color.BLACK);
                    g.fillRect(x0 + j * cell, y0 + i * cell, cell, cell);
                }
            }

            g.setColor(gray(0.98));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, (int) Math.round(30 * s)));
            g.drawString("cnn4j", (float) (14 * s), (float) (152 * s));
        } finally {
            g.dispose();
        }
        return GrayImage.of(image);
    }

    private static Color gray(double level) {
        float v = (float) level;
        return new Color(v, v, v);
    }
}
