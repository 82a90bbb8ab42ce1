package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/** The teacher CNN (conv-relu-pool blocks, one hidden dense layer) and how it is trained. */
public record TeacherConfig(
        @JsonProperty("conv_filters") List<Integer> convFilters,
        @JsonProperty("dense_units") int denseUnits,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate,
        double l2,
        @JsonProperty("warmup_epochs") double warmupEpochs,
        @JsonProperty("label_batch_size") int labelBatchSize) {

    public TeacherConfig {
        Check.required("teacher.conv_filters", convFilters);
        if (convFilters.isEmpty() || convFilters.stream().anyMatch(f -> f == null || f < 1)) {
            throw new InvalidConfigException("teacher.conv_filters must list positive filter counts, was " + convFilters);
        }
        convFilters = List.copyOf(convFilters);
        Check.positive("teacher.dense_units", denseUnits);
        Check.positive("teacher.label_batch_size", labelBatchSize);
        TrainingParams.of("teacher", epochs, batchSize, learningRate, l2, warmupEpochs);
    }

    public TrainingParams training() {
        return new TrainingParams(epochs, batchSize, learningRate, l2, warmupEpochs);
    }
}
