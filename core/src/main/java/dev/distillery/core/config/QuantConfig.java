package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

/** Quantization-aware fine-tuning: bit widths, calibration sample size and training settings. */
public record QuantConfig(
        @JsonProperty("weight_bits") int weightBits,
        @JsonProperty("activation_bits") int activationBits,
        @JsonProperty("calibration_rows") int calibrationRows,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate) {

    public QuantConfig {
        if (weightBits != 8 && weightBits != 4) {
            throw new InvalidConfigException("qat.weight_bits must be 8 or 4, was " + weightBits);
        }
        if (activationBits != 8) {
            throw new InvalidConfigException("qat.activation_bits must be 8, was " + activationBits);
        }
        Check.positive("qat.calibration_rows", calibrationRows);
        TrainingParams.of("qat", epochs, batchSize, learningRate, 0, 0);
    }

    public TrainingParams training() {
        return new TrainingParams(epochs, batchSize, learningRate, 0, 0);
    }
}
