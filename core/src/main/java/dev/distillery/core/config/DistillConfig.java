package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Knowledge distillation: temperature T, weight alpha of the soft term, and the student's training settings. */
public record DistillConfig(
        double temperature,
        double alpha,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate,
        double l2,
        @JsonProperty("warmup_epochs") double warmupEpochs) {

    public DistillConfig {
        Check.positive("distill.temperature", temperature);
        Check.range("distill.alpha", alpha, 0.0, 1.0, true);
        TrainingParams.of("distill", epochs, batchSize, learningRate, l2, warmupEpochs);
    }

    public TrainingParams training() {
        return new TrainingParams(epochs, batchSize, learningRate, l2, warmupEpochs);
    }
}
