package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Knowledge distillation: temperature T, weight alpha of the soft term, and the student's training settings.
 * {@code temperatures} lists further temperatures to compare: one more student is trained per value, the report
 * shows each as a variant, and the student at {@code temperature} stays the one later stages build on. {@code hint},
 * when set, trains one more student with intermediate-feature (FitNets) hints from a teacher layer.
 */
public record DistillConfig(
        double temperature,
        double alpha,
        List<Double> temperatures,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate,
        double l2,
        @JsonProperty("warmup_epochs") double warmupEpochs,
        HintConfig hint) {

    public DistillConfig {
        Check.positive("distill.temperature", temperature);
        Check.range("distill.alpha", alpha, 0.0, 1.0, true);
        temperatures = temperatures == null ? List.of() : List.copyOf(checkTemperatures(temperatures));
        TrainingParams.of("distill", epochs, batchSize, learningRate, l2, warmupEpochs);
        hint = hint == null ? HintConfig.OFF : hint;
    }

    private static List<Double> checkTemperatures(List<Double> values) {
        Set<Double> seen = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            Double t = values.get(i);
            if (t == null || !(t > 0) || t.isInfinite()) {
                throw new InvalidConfigException("distill.temperatures[" + i + "] must be a number > 0, was " + t
                        + " (in " + values + ")");
            }
            if (!seen.add(t)) {
                throw new InvalidConfigException("distill.temperatures lists " + t + " twice (in " + values + ")");
            }
        }
        return values;
    }

    /** The temperatures that get a student of their own besides the main one at {@link #temperature()}. */
    public List<Double> extraTemperatures() {
        return temperatures.stream().filter(t -> t != temperature).toList();
    }

    public TrainingParams training() {
        return new TrainingParams(epochs, batchSize, learningRate, l2, warmupEpochs);
    }
}
