package org.cnn4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.cnn4j.layers.F;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Scope;
import org.cnn4j.runtime.Tensor;

/**
 * The {@code filters} command: classic convolution weights ({@link ClassicKernels}) applied to a grayscale
 * picture with the library's own {@link F#conv2d}, and a volume smoothed with {@link F#conv3d}
 * ({@link VolumeDemo}).
 *
 * <pre>
 * filters [--image in.png] [--out DIR] [--device spec]
 * </pre>
 * The picture ({@code --image}, any format {@code javax.imageio} reads, converted to gray in {@code [0, 1]};
 * by default the built-in {@link TestPicture}) is uploaded once as {@code x: [1, 1, H, W]}. Each filter is
 * {@code y = conv2d(x, weight)} with stride 1 and zero padding {@code k/2} on every side, so
 * {@code Ho = H + 2 (k/2) - k + 1 = H} for odd {@code k}. The Sobel magnitude
 * {@code sqrt(gx^2 + gy^2)} and the display scaling run on the device too; only the finished pictures are
 * downloaded. Display: edge responses as {@code |y| / max |y|}, blurs and sharpen clamped to {@code [0, 1]}.
 *
 * <p>Writes to {@code --out} (default {@code filters-out}) {@code original.png}, one PNG per filter
 * ({@code sobel_x}, {@code sobel_y}, {@code sobel_magnitude}, {@code laplacian}, {@code box_blur},
 * {@code gaussian_blur}, {@code sharpen}), {@code contact_sheet.png} (all of them, captioned) and
 * {@code volume_slices.png}, printing one line per file. The device is {@code --device}, else the default
 * ({@code -Dcnn4j.device}, {@code CNN4J_DEVICE}, else auto).
 */
public final class FiltersDemo {
    /** The output directory when {@code --out} is not given. */
    static final String DEFAULT_OUT = "filters-out";
    /** Side of the built-in test picture, in pixels. */
    static final int PICTURE_SIZE = 256;
    /** Contact-sheet columns; cells are shrunk to at most {@link #MAX_CELL} pixels. */
    static final int SHEET_COLUMNS = 4;
    static final int MAX_CELL = 256;
    static final String USAGE = "filters [--image in.png] [--out DIR] [--device auto|cpu|opencl|opencl:<index>]";

    /** How a filter's response becomes a picture. */
    enum Display {
        /** Signed responses (derivatives): {@code |y| / max |y|}, so the strongest edge is white. */
        EDGES,
        /** Responses on the input's scale (blurs, sharpen): {@code clamp(y, 0, 1)}. */
        CLAMP
    }

    /**
     * A named {@code size x size} convolution weight.
     *
     * @param name the output file stem and caption
     */
    record Filter(String name, String description, float[] weight, int size, Display display) {
    }

    /** The filters the demo applies, in output order (the Sobel magnitude follows {@code sobel_y}). */
    static List<Filter> filters() {
        return List.of(
                new Filter("sobel_x", "3x3 Sobel x", ClassicKernels.sobelX(), 3, Display.EDGES),
                new Filter("sobel_y", "3x3 Sobel y", ClassicKernels.sobelY(), 3, Display.EDGES),
                new Filter("laplacian", "3x3 4-neighbour Laplacian", ClassicKernels.laplacian(), 3, Display.EDGES),
                new Filter("box_blur", "5x5 box blur", ClassicKernels.boxBlur5(), 5, Display.CLAMP),
                new Filter("gaussian_blur", "5x5 Gaussian blur, sigma 1", ClassicKernels.gaussianBlur5(), 5, Display.CLAMP),
                new Filter("sharpen", "3x3 sharpen", ClassicKernels.sharpen(), 3, Display.CLAMP));
    }

    /** The parsed command line; {@code image} and {@code device} are null when not given. */
    record Options(Path image, Path out, String device, boolean help) {
    }

    private FiltersDemo() {
    }

    /**
     * Runs the command (see the class javadoc).
     *
     * @throws IllegalArgumentException for an unknown option, a missing option value, an unreadable image
     *     or an unknown device spec
     * @throws UncheckedIOException if an output file cannot be written
     */
    static void run(String[] args) {
        System.setProperty("java.awt.headless", "true");
        Options options = parse(args);
        if (options.help()) {
            System.out.println("usage: " + USAGE);
            return;
        }
        Device device = options.device() == null ? Device.defaultDevice() : Device.of(options.device());
        GrayImage input = options.image() == null ? TestPicture.draw(PICTURE_SIZE) : GrayImage.read(options.image());
        String source = options.image() == null ? "built-in test picture" : options.image().toString();
        try {
            Files.createDirectories(options.out());
            run(device, input, source, options.out(), System.out);
            VolumeDemo.run(device, options.out(), System.out);
        } catch (IOException e) {
            throw new UncheckedIOException("FiltersDemo.run: writing to " + options.out() + " failed", e);
        }
    }

    /**
     * Parses {@code [--image in.png] [--out DIR] [--device spec] [--help]}.
     *
     * @throws IllegalArgumentException for an unknown option or a missing value
     */
    static Options parse(String[] args) {
        Path image = null;
        Path out = Path.of(DEFAULT_OUT);
        String device = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--image" -> image = Path.of(value(args, ++i, arg));
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--device" -> device = value(args, ++i, arg);
                case "-h", "--help" -> help = true;
                default -> throw new IllegalArgumentException("FiltersDemo.parse: option must be one of --image, --out, "
                        + "--device, --help, but got '" + arg + "' (usage: " + USAGE + ")");
            }
        }
        return new Options(image, out, device, help);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException("FiltersDemo.parse: option " + option + " must be followed by a value, but got "
                    + (i >= args.length ? "nothing" : "'" + args[i] + "'"));
        }
        return args[i];
    }

    /** Filters {@code input} on {@code device}, writing the pictures and the contact sheet to {@code out}. */
    static void run(Device device, GrayImage input, String source, Path out, PrintStream log) throws IOException {
        int h = input.height();
        int w = input.width();
        List<ContactSheet.Panel> panels = new ArrayList<>();
        write(out, "original", input, source + " as gray levels", device, panels, log);
        try (Scope scope = Scope.open()) {
            Tensor x = device.fromArray(input.pixels(), 1, 1, h, w);
            Map<String, Tensor> responses = new LinkedHashMap<>();
            for (Filter f : filters()) {
                Tensor y = filter(x, f.weight(), f.size());
                responses.put(f.name(), y);
                write(out, f.name(), new GrayImage(h, w, forDisplay(y, f.display())), f.description(), device, panels, log);
                if (f.name().equals("sobel_y")) {
                    Tensor magnitude = sobelMagnitude(responses.get("sobel_x"), y);
                    write(out, "sobel_magnitude", new GrayImage(h, w, forDisplay(magnitude, Display.EDGES)),
                            "sqrt(sobel_x^2 + sobel_y^2)", device, panels, log);
                }
            }
        }
        double scale = Math.min(1.0, (double) MAX_CELL / Math.max(h, w));
        Path sheet = out.resolve("contact_sheet.png");
        GrayImage.writePng(ContactSheet.render(panels, SHEET_COLUMNS, scale), sheet);
        log.printf(Locale.ROOT, "wrote %s  (%d pictures, %d per row, on %s)%n", sheet, panels.size(), SHEET_COLUMNS,
                device.spec());
    }

    private static void write(Path out, String name, GrayImage picture, String what, Device device,
                              List<ContactSheet.Panel> panels, PrintStream log) throws IOException {
        Path file = out.resolve(name + ".png");
        picture.writePng(file);
        panels.add(new ContactSheet.Panel(name, picture));
        log.printf(Locale.ROOT, "wrote %s  (%dx%d, %s, on %s)%n", file, picture.width(), picture.height(), what,
                device.spec());
    }

    /**
     * {@code y = conv2d(x, weight)} with stride 1 and zero padding {@code size/2} on every side, so that the
     * output has the input's size: {@code y[i, j] = sum_{u, v} weight[u, v] x[i + u - size/2, j + v - size/2]}
     * (a cross-correlation; {@code x} is 0 outside the picture).
     *
     * @param x {@code [N, 1, H, W]}
     * @param weight {@code size x size}, row-major
     * @return {@code [N, 1, H, W]} on {@code x}'s device, owned by the caller's scope
     * @throws IllegalArgumentException if {@code size} is not odd and positive or {@code weight} has not
     *     {@code size * size} elements
     */
    static Tensor filter(Tensor x, float[] weight, int size) {
        if (size <= 0 || size % 2 == 0) {
            throw new IllegalArgumentException("FiltersDemo.filter: size must be odd and positive, but got " + size);
        }
        if (weight.length != size * size) {
            throw new IllegalArgumentException("FiltersDemo.filter: weight must have size*size = " + size * size
                    + " elements, but got " + weight.length);
        }
        int p = size / 2;
        try (Scope scope = Scope.open()) {
            Tensor w = x.device().fromArray(weight, 1, 1, size, size);
            return scope.detach(F.conv2d("FiltersDemo.filter", x, w, null, new int[] {1, 1}, new int[] {p, p, p, p},
                    new int[] {1, 1}, 1));
        }
    }

    /** The gradient magnitude {@code sqrt(gx^2 + gy^2)}, element-wise on the device. */
    static Tensor sobelMagnitude(Tensor gx, Tensor gy) {
        try (Scope scope = Scope.open()) {
            return scope.detach(gx.square().add(gy.square()).sqrt());
        }
    }

    /**
     * The response {@code y} as gray levels in {@code [0, 1]} (see {@link Display}), computed on the device;
     * downloads only the result. An all-zero edge response stays black.
     */
    static float[] forDisplay(Tensor y, Display display) {
        try (Scope scope = Scope.open()) {
            if (display == Display.CLAMP) {
                return y.clampMin(0f).clampMax(1f).toArray();
            }
            Tensor magnitude = y.abs();
            float max = magnitude.max().item();
            return (max > 0 ? magnitude.div(max) : magnitude).toArray();
        }
    }
}
