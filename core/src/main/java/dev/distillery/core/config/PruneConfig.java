package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Magnitude pruning to a target sparsity followed by fine-tuning under the distillation loss. */
public record PruneConfig(
        boolean enabled,
        double sparsity,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate) {

    public PruneConfig {
        Check.range("prune.sparsity", sparsity, 0.0, 1.0, false);
        TrainingParams.of("prune", epochs, batchSize, learningRate, 0, 0);
    }

    public TrainingParams training() {
        return new TrainingParams(epochs, batchSize, learningRate, 0, 0);
    }
}
