package org.cnn4j.examples;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Lays gray pictures out in a grid, each under its caption, on a light background:
 * <pre>
 *  margin | caption | caption | ...
 *         | picture | picture | ...
 * </pre>
 * Every cell is {@code round(scale * max width) x round(scale * max height)} of the panels; a picture is
 * drawn scaled by {@code scale} (nearest neighbour when enlarging, so pixels stay visible; bilinear when
 * shrinking). The sheet is {@link #width} by {@link #height} pixels.
 */
final class ContactSheet {
    /** Space around and between cells, in pixels. */
    static final int MARGIN = 8;
    /** Height of the caption band above each picture, in pixels. */
    static final int CAPTION = 20;

    private static final Color BACKGROUND = new Color(245, 245, 245);
    private static final Color TEXT = new Color(20, 20, 20);

    /** A picture and the caption drawn above it. */
    record Panel(String caption, GrayImage image) {
    }

    private ContactSheet() {
    }

    /** Width of a sheet of {@code columns} cells {@code cellWidth} wide. */
    static int width(int columns, int cellWidth) {
        return columns * cellWidth + (columns + 1) * MARGIN;
    }

    /** Height of a sheet of {@code rows} cells {@code cellHeight} high (captions included). */
    static int height(int rows, int cellHeight) {
        return rows * (CAPTION + cellHeight) + (rows + 1) * MARGIN;
    }

    /**
     * Renders {@code panels} row by row, {@code columns} per row.
     *
     * @throws IllegalArgumentException if there are no panels, or {@code columns} or {@code scale} is not positive
     */
    static BufferedImage render(List<Panel> panels, int columns, double scale) {
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("ContactSheet.render: panels must not be empty, but got none");
        }
        if (columns <= 0) {
            throw new IllegalArgumentException("ContactSheet.render: columns must be > 0, but got " + columns);
        }
        if (!(scale > 0)) {
            throw new IllegalArgumentException("ContactSheet.render: scale must be > 0, but got " + scale);
        }
        int maxW = 0;
        int maxH = 0;
        for (Panel p : panels) {
            maxW = Math.max(maxW, p.image().width());
            maxH = Math.max(maxH, p.image().height());
        }
        int cellW = (int) Math.round(scale * maxW);
        int cellH = (int) Math.round(scale * maxH);
        int cols = Math.min(columns, panels.size());
        int rows = (panels.size() + cols - 1) / cols;
        BufferedImage sheet = new BufferedImage(width(cols, cellW), height(rows, cellH), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, scale >= 1
                    ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            FontMetrics metrics = g.getFontMetrics();
            for (int i = 0; i < panels.size(); i++) {
                Panel p = panels.get(i);
                int x0 = MARGIN + (i % cols) * (cellW + MARGIN);
                int y0 = MARGIN + (i / cols) * (CAPTION + cellH + MARGIN);
                g.setColor(TEXT);
                int textX = x0 + Math.max(0, (cellW - metrics.stringWidth(p.caption())) / 2);
                int textY = y0 + (CAPTION + metrics.getAscent() - metrics.getDescent()) / 2;
                g.drawString(p.caption(), textX, textY);
                int w = (int) Math.round(scale * p.image().width());
                int h = (int) Math.round(scale * p.image().height());
                g.drawImage(p.image().toRgbImage(), x0, y0 + CAPTION, w, h, null);
            }
        } finally {
            g.dispose();
        }
        return sheet;
    }
}
