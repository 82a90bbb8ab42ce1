package dev.distillery.core.train;

/**
 * Metrics of one finished epoch. {@code stepSeconds} is the time the slowest worker of each round spent in training
 * steps, summed over the epoch's rounds; the rest of {@code epochSeconds} is coordination and validation.
 */
public record EpochStats(String run, int epoch, int epochs, double trainLoss, double validationAccuracy,
                         double epochSeconds, double etaSeconds, double samplesPerSecond, double learningRate,
                         double stepSeconds) {
}
