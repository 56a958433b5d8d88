package org.cnn4j.examples;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the form {@code --name value} or {@code --flag}; unknown names and malformed
 * values are refused with {@link IllegalArgumentException} naming the option.
 */
final class Options {
    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();

    private Options(String command) {
        this.command = command;
    }

    /**
     * Parses {@code args} for {@code command}: {@code withValue} names take the next argument, {@code flags}
     * stand alone.
     */
    static Options parse(String command, String[] args, Set<String> withValue, Set<String> flags) {
        Options o = new Options(command);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException(command + ": arguments must be --name [value], but got '" + a + "'");
            }
            String name = a.substring(2);
            if (flags.contains(name)) {
                o.values.put(name, "true");
            } else if (withValue.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(command + ": --" + name + " must be followed by a value, but it is last");
                }
                o.values.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException(command + ": option must be one of " + withValue + " (with a value) or "
                        + flags + ", but got --" + name);
            }
        }
        return o;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    int integer(String name, int fallback, int min) {
        if (!has(name)) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(values.get(name));
            if (v < min) {
                throw new IllegalArgumentException(command + ": --" + name + " must be >= " + min + ", but got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " must be an integer, but got '" + values.get(name) + "'");
        }
    }

    double number(String name, double fallback, double min) {
        if (!has(name)) {
            return fallback;
        }
        try {
            double v = Double.parseDouble(values.get(name));
            if (!(v >= min) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(command + ": --" + name + " must be a finite number >= " + min + ", but got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + name + " must be a number, but got '" + values.get(name) + "'");
        }
    }
}
