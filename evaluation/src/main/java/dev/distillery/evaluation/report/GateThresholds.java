package dev.distillery.evaluation.report;

import java.util.OptionalDouble;

/**
 * One profile's release thresholds from {@code evaluation.*}; an empty threshold is not checked. Fitting RAM and
 * flash and running every operator at the variant's precision are always required.
 *
 * @param minAccuracy     lowest acceptable test accuracy, in [0, 1]
 * @param maxLatencyMs    highest acceptable estimated latency on the device
 * @param maxAccuracyDrop largest acceptable teacher accuracy minus variant accuracy, in [0, 1]
 */
public record GateThresholds(OptionalDouble minAccuracy, OptionalDouble maxLatencyMs, OptionalDouble maxAccuracyDrop) {
    public static final GateThresholds NONE = new GateThresholds(OptionalDouble.empty(), OptionalDouble.empty(),
            OptionalDouble.empty());

    public GateThresholds {
        check("min_accuracy", minAccuracy, 0, 1);
        check("max_latency_ms", maxLatencyMs, 0, Double.MAX_VALUE);
        check("max_accuracy_drop", maxAccuracyDrop, 0, 1);
    }

    private static void check(String name, OptionalDouble v, double lo, double hi) {
        if (v.isPresent() && !(v.getAsDouble() >= lo && v.getAsDouble() <= hi)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], was " + v.getAsDouble());
        }
    }
}
