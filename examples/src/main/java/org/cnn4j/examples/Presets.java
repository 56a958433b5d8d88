package org.cnn4j.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import org.cnn4j.layers.Activations;
import org.cnn4j.layers.BatchNorm2d;
import org.cnn4j.layers.Conv2d;
import org.cnn4j.layers.Dropout;
import org.cnn4j.layers.GlobalAvgPool2d;
import org.cnn4j.layers.Linear;
import org.cnn4j.layers.Models;
import org.cnn4j.layers.Padding;
import org.cnn4j.layers.ResidualBlock;
import org.cnn4j.layers.Sequential;
import org.cnn4j.runtime.Device;
import org.cnn4j.runtime.Generator;

/**
 * The model presets of the command line: a network plus the training recipe it is meant to be trained with
 * (every part of which a command-line option can override).
 */
final class Presets {
    /** How a preset trains by default. */
    record Recipe(int epochs, int batch, String optimizer, double lr, double weightDecay, String schedule,
                  int cropPadding, boolean flip, double labelSmoothing) {
    }

    /** A named network builder and its recipe. */
    record Preset(String name, String description, Recipe recipe, ModelFactory factory) {
        Sequential build(int channels, int height, int width, int classes, Device device, Generator gen) {
            return factory.build(channels, height, width, classes, device, gen);
        }
    }

    /** Builds a network for images {@code [channels, height, width]} and {@code classes} outputs. */
    @FunctionalInterface
    interface ModelFactory {
        Sequential build(int channels, int height, int width, int classes, Device device, Generator gen);
    }

    static final Map<String, Preset> ALL = new LinkedHashMap<>();

    static {
        add(new Preset("reference", "the reference CNN: 2 x (conv 3x3, batch norm, ReLU, max pool), dropout, 2 linear layers",
                new Recipe(10, 64, "adam", 1e-3, 0, "none", 0, false, 0), Presets::referenceCnn));
        add(new Preset("reference-long", "the reference CNN trained longer: 30 epochs, random horizontal flips, cosine "
                + "learning-rate schedule (the best recipe measured on Fashion-MNIST)",
                new Recipe(30, 64, "adam", 1e-3, 0, "cosine", 0, true, 0), Presets::referenceCnn));
        add(new Preset("resnet", "a small residual network: conv stem, 3 residual blocks (16, 32, 64 channels), global "
                + "average pooling, linear", new Recipe(15, 64, "adamw", 2e-3, 5e-4, "cosine", 2, true, 0), Presets::resnet));
    }

    private Presets() {
    }

    private static void add(Preset p) {
        ALL.put(p.name(), p);
    }

    /**
     * The preset {@code name}.
     *
     * @throws IllegalArgumentException naming the presets there are
     */
    static Preset get(String name) {
        Preset p = ALL.get(name);
        if (p == null) {
            throw new IllegalArgumentException("--model must be one of " + ALL.keySet() + ", but got '" + name + "'");
        }
        return p;
    }

    /**
     * Conv2d(C,32,3,pad 1), BatchNorm2d, ReLU, MaxPool2d(2), Conv2d(32,64,3,pad 1), BatchNorm2d, ReLU,
     * MaxPool2d(2), Flatten, Dropout(0.25), Linear(64 (H/4) (W/4), 128), ReLU, Dropout(0.5), Linear(128, K).
     */
    static Sequential referenceCnn(int c, int h, int w, int classes, Device device, Generator gen) {
        return Models.referenceCnn(c, h, w, classes, device, gen);
    }

    /**
     * Conv2d(C,16,3,pad 1, no bias), BatchNorm2d, ReLU, ResidualBlock(16,16), ResidualBlock(16,32,stride 2),
     * ResidualBlock(32,64,stride 2), GlobalAvgPool2d, Dropout(0.2), Linear(64, K): 8 weight layers on the main path.
     */
    static Sequential resnet(int c, int h, int w, int classes, Device device, Generator gen) {
        int[] k3 = {3, 3};
        int[] one = {1, 1};
        return new Sequential(
                new Conv2d(c, 16, k3, one, Padding.of(1), one, 1, false, device, gen),
                new BatchNorm2d(16, 1e-5f, 0.1f, true, device), Activations.relu(),
                new ResidualBlock(16, 16, 1, device, gen), new ResidualBlock(16, 32, 2, device, gen),
                new ResidualBlock(32, 64, 2, device, gen), new GlobalAvgPool2d(), new Dropout(0.2f, gen),
                new Linear(64, classes, true, device, gen));
    }

}
