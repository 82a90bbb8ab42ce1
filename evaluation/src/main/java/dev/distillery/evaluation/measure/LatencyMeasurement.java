package dev.distillery.evaluation.measure;

/**
 * Batch-1 latency of one variant in one runtime on this machine.
 *
 * @param medianMs median wall-clock time of one call, in milliseconds
 * @param p90Ms    90th percentile of the same calls
 * @param runs     timed calls (after {@code warmup} untimed ones)
 */
public record LatencyMeasurement(String runtime, double medianMs, double p90Ms, int runs, int warmup) {
    public LatencyMeasurement {
        if (runtime == null || runtime.isBlank()) {
            throw new IllegalArgumentException("runtime is missing");
        }
        if (!(medianMs > 0) || !(p90Ms >= medianMs) || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("measurement of " + runtime + " needs median > 0, p90 >= median, "
                    + "runs >= 1, warmup >= 0; was " + medianMs + ", " + p90Ms + ", " + runs + ", " + warmup);
        }
    }
}
