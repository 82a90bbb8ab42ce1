package dev.distillery.airflow.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How often and how long to back off when Airflow answers 5xx or does not answer: "full jitter" exponential
 * backoff, a uniformly random delay in {@code [0, min(maxDelay, baseDelay * 2^(attempt-1))]}, so many clients
 * retrying at once spread out.
 */
public record RetryPolicy(int maxAttempts, Duration baseDelay, Duration maxDelay) {
    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry maxAttempts must be >= 1, was " + maxAttempts);
        }
        if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("retry delays must satisfy 0 <= base <= max, were " + baseDelay
                    + " and " + maxDelay);
        }
    }

    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(8));
    }

    /** The pause before attempt {@code attempt + 1}, after {@code attempt} failed ones. */
    public Duration delayAfter(int attempt, RandomGenerator random) {
        long cap = baseDelay.toMillis() << Math.min(attempt - 1, 20);
        long bound = Math.min(maxDelay.toMillis(), cap);
        return Duration.ofMillis(bound <= 0 ? 0 : random.nextLong(bound + 1));
    }
}
