package dev.distillery.core.config;

import dev.distillery.core.error.InvalidConfigException;

/** Field checks used by the config records; every message names the YAML path, the rule and the value found. */
final class Check {
    private Check() {
    }

    static int positive(String path, int v) {
        if (v <= 0) {
            throw new InvalidConfigException(path + " must be > 0, was " + v);
        }
        return v;
    }

    static double positive(String path, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new InvalidConfigException(path + " must be > 0, was " + v);
        }
        return v;
    }

    static double nonNegative(String path, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new InvalidConfigException(path + " must be >= 0, was " + v);
        }
        return v;
    }

    static int nonNegative(String path, int v) {
        if (v < 0) {
            throw new InvalidConfigException(path + " must be >= 0, was " + v);
        }
        return v;
    }

    static double range(String path, double v, double lo, double hi, boolean hiInclusive) {
        boolean ok = v >= lo && (hiInclusive ? v <= hi : v < hi);
        if (!ok) {
            throw new InvalidConfigException(path + " must be in [" + lo + ", " + hi + (hiInclusive ? "]" : ")")
                    + ", was " + v);
        }
        return v;
    }

    static <T> T required(String path, T v) {
        if (v == null || (v instanceof String s && s.isBlank())) {
            throw new InvalidConfigException(path + " is required");
        }
        return v;
    }

    static String oneOf(String path, String v, java.util.List<String> allowed) {
        if (v == null || !allowed.contains(v)) {
            throw new InvalidConfigException(path + " must be one of " + String.join(", ", allowed) + ", was " + v);
        }
        return v;
    }
}
