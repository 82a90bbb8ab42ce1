package dev.distillery.core.train;

/** Metrics of one finished epoch. */
public record EpochStats(String run, int epoch, int epochs, double trainLoss, double validationAccuracy,
                         double epochSeconds, double etaSeconds, double samplesPerSecond, double learningRate) {
}
