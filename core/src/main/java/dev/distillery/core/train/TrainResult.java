package dev.distillery.core.train;

import dev.distillery.core.model.ModelArtifact;

import java.util.List;

/** The model with the best validation accuracy, the epoch it came from and the full history. */
public record TrainResult(ModelArtifact best, int bestEpoch, double bestValidationAccuracy, List<EpochStats> history,
                          long trainRows, double seconds) {
}
