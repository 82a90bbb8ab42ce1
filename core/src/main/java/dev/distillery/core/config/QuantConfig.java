package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/**
 * Quantization-aware fine-tuning: bit widths, the calibration that sets the first activation ranges, the
 * exponential moving average that moves them during fine-tuning, and training settings.
 *
 * <p>{@code weight_bits} applies to conv2d and dense layers; depthwise convolutions take
 * {@code depthwise_weight_bits}, which the integer runtime supports at 8 only (checked against the student's
 * layers before training).
 */
public record QuantConfig(
        @JsonProperty("weight_bits") int weightBits,
        @JsonProperty("depthwise_weight_bits") int depthwiseWeightBits,
        @JsonProperty("activation_bits") int activationBits,
        @JsonProperty("calibration_rows") int calibrationRows,
        String calibration,
        @JsonProperty("ema_decay") double emaDecay,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate) {

    /** Calibration methods by configuration name. */
    public static final List<String> CALIBRATION_METHODS = List.of("minmax", "percentile", "entropy");

    public QuantConfig {
        checkWeightBits("qat.weight_bits", weightBits);
        checkWeightBits("qat.depthwise_weight_bits", depthwiseWeightBits);
        if (activationBits != 8) {
            throw new InvalidConfigException("qat.activation_bits must be 8, was " + activationBits
                    + (activationBits <= 0 ? " (a quantized activation needs at least one bit)" : "")
                    + "; the integer runtime runs int8 activations with int8 or int4 weights");
        }
        Check.positive("qat.calibration_rows", calibrationRows);
        checkMethod("qat.calibration", calibration);
        Check.range("qat.ema_decay", emaDecay, 0.0, 1.0, false);
        TrainingParams.of("qat", epochs, batchSize, learningRate, 0, 0);
    }

    static void checkWeightBits(String path, int bits) {
        if (bits != 8 && bits != 4) {
            throw new InvalidConfigException(path + " must be 8 or 4, was " + bits
                    + (bits <= 0 ? " (a quantized weight needs at least one bit)" : "")
                    + "; the integer runtime stores weights as int8 or packed int4");
        }
    }

    static void checkMethod(String path, String method) {
        if (method == null || !CALIBRATION_METHODS.contains(method)) {
            throw new InvalidConfigException(path + " given unknown calibration method \"" + method
                    + "\"; expected one of " + CALIBRATION_METHODS);
        }
    }

    public TrainingParams training() {
        return new TrainingParams(epochs, batchSize, learningRate, 0, 0);
    }
}
