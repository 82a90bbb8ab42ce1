package dev.distillery.evaluation.metrics;

/**
 * A two-sided percentile bootstrap interval for a proportion.
 *
 * @param level     coverage, e.g. 0.95
 * @param resamples bootstrap resamples drawn
 * @param seed      seed of the resampling, so that the same run reports the same interval
 */
public record ConfidenceInterval(double lower, double upper, double level, int resamples, long seed) {
    public ConfidenceInterval {
        if (!(lower <= upper) || lower < 0 || upper > 1) {
            throw new IllegalArgumentException("interval must satisfy 0 <= lower <= upper <= 1, was [" + lower + ", "
                    + upper + "]");
        }
        if (!(level > 0 && level < 1)) {
            throw new IllegalArgumentException("level must be in (0, 1), was " + level);
        }
    }

    public boolean contains(double value) {
        return lower <= value && value <= upper;
    }
}
