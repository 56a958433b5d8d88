package org.cnn4j.examples;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * A grayscale picture on the host: {@code height x width} floats, row-major, nominally in {@code [0, 1]}
 * (0 black, 1 white). Reads any format {@code javax.imageio} knows and writes 8-bit grayscale PNG.
 *
 * @param height rows, at least 1
 * @param width columns, at least 1
 * @param pixels row-major, {@code pixels[y * width + x]}; shared, not copied
 */
record GrayImage(int height, int width, float[] pixels) {
    /** Rec. 601 luma weights for converting colour to gray. */
    private static final double R = 0.299;
    private static final double G = 0.587;
    private static final double B = 0.114;

    GrayImage {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("GrayImage: height and width must be > 0, but got " + height + "x" + width);
        }
        if (pixels.length != height * width) {
            throw new IllegalArgumentException("GrayImage: pixels must have height*width = " + height * width
                    + " elements, but got " + pixels.length);
        }
    }

    /**
     * The gray levels of {@code image}: a single-band image's samples scaled by their maximum, otherwise the
     * luma {@code (0.299 R + 0.587 G + 0.114 B) / 255} of each pixel's sRGB colour (alpha ignored).
     */
    static GrayImage of(BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        float[] out = new float[h * w];
        Raster raster = image.getRaster();
        boolean plainGray = raster.getNumBands() == 1 && image.getColorModel().getColorSpace().getNumComponents() == 1;
        if (plainGray) {
            // Sample values directly: getRGB would pass them through a linear-to-sRGB conversion.
            double max = (1 << raster.getSampleModel().getSampleSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = (float) (raster.getSample(x, y, 0) / max);
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = image.getRGB(x, y);
                    double luma = R * ((rgb >> 16) & 0xff) + G * ((rgb >> 8) & 0xff) + B * (rgb & 0xff);
                    out[y * w + x] = (float) (luma / 255.0);
                }
            }
        }
        return new GrayImage(h, w, out);
    }

    /**
     * Reads {@code file} and converts it to gray (see {@link #of}).
     *
     * @throws IllegalArgumentException if the file is missing or is not an image {@code javax.imageio} can read
     */
    static GrayImage read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("GrayImage.read: image must be an existing file, but got " + file);
        }
        BufferedImage image;
        try {
            image = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("GrayImage.read: image must be readable, but reading " + file
                    + " failed: " + e.getMessage(), e);
        }
        if (image == null) {
            throw new IllegalArgumentException("GrayImage.read: image must be in a format javax.imageio reads (PNG, JPEG, "
                    + "GIF, BMP, ...), but got " + file);
        }
        return of(image);
    }

    /** The 8-bit level of gray {@code v}: {@code round(255 clamp(v, 0, 1))}. */
    static int toByte(float v) {
        float c = Float.isNaN(v) ? 0f : Math.min(1f, Math.max(0f, v));
        return Math.round(255f * c);
    }

    /** An 8-bit grayscale image ({@code TYPE_BYTE_GRAY}) of the pixels, clamped to {@code [0, 1]}. */
    BufferedImage toBufferedImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setSample(x, y, 0, toByte(pixels[y * width + x]));
            }
        }
        return image;
    }

    /** The same levels as an RGB image (gray replicated), for drawing onto colour canvases. */
    BufferedImage toRgbImage() {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int v = toByte(pixels[y * width + x]);
                image.setRGB(x, y, (v << 16) | (v << 8) | v);
            }
        }
        return image;
    }

    /** Writes the pixels as an 8-bit grayscale PNG. */
    void writePng(Path file) throws IOException {
        writePng(toBufferedImage(), file);
    }

    /** Writes {@code image} as PNG to {@code file}. */
    static void writePng(BufferedImage image, Path file) throws IOException {
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("GrayImage.writePng: no PNG writer for image type " + image.getType());
        }
    }
}
