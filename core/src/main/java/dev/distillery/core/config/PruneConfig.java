package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/**
 * Pruning of the distilled student, fine-tuned under the distillation loss. {@code magnitude}: unstructured, the
 * smallest weights of every layer become zero, either at once ({@code one-shot}) or along Zhu and Gupta's
 * polynomial schedule ({@code gradual}: every {@code frequency} steps during the first {@code ramp_fraction} of
 * fine-tuning, from {@code initial_sparsity} to {@code sparsity}). {@code sparsity} is the fraction of all weights
 * of the model; the layer kinds in {@code exclude} keep every weight and the other layers are pruned harder to make
 * up for them. {@code channels}: structured, the
 * {@code channel_fraction} of filters with the smallest L1 norm of every hidden layer are removed from the
 * architecture, so the model has fewer parameters and MACs.
 */
public record PruneConfig(
        boolean enabled,
        String method,
        double sparsity,
        @JsonProperty("initial_sparsity") double initialSparsity,
        String schedule,
        int frequency,
        @JsonProperty("ramp_fraction") double rampFraction,
        @JsonProperty("channel_fraction") double channelFraction,
        List<String> exclude,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate) {

    public static final String MAGNITUDE = "magnitude";
    public static final String CHANNELS = "channels";
    public static final String GRADUAL = "gradual";
    public static final String ONE_SHOT = "one-shot";
    /** Layer kinds magnitude pruning can leave dense: the first weighted layer, depthwise convolutions, the last. */
    public static final List<String> EXCLUDABLE = List.of("stem", "depthwise", "classifier");

    public PruneConfig {
        Check.required("prune.method", method);
        if (!List.of(MAGNITUDE, CHANNELS).contains(method)) {
            throw new InvalidConfigException("prune.method must be " + MAGNITUDE + " or " + CHANNELS + ", was "
                    + method);
        }
        Check.range("prune.sparsity", sparsity, 0.0, 1.0, false);
        Check.range("prune.initial_sparsity", initialSparsity, 0.0, 1.0, false);
        if (initialSparsity > sparsity) {
            throw new InvalidConfigException("prune.initial_sparsity must be <= prune.sparsity (" + sparsity
                    + "), was " + initialSparsity);
        }
        Check.required("prune.schedule", schedule);
        if (!List.of(GRADUAL, ONE_SHOT).contains(schedule)) {
            throw new InvalidConfigException("prune.schedule must be " + GRADUAL + " or " + ONE_SHOT + ", was "
                    + schedule);
        }
        Check.positive("prune.frequency", frequency);
        Check.range("prune.ramp_fraction", rampFraction, 0.0, 1.0, true);
        if (rampFraction == 0) {
            throw new InvalidConfigException("prune.ramp_fraction must be > 0, was 0.0");
        }
        Check.range("prune.channel_fraction", channelFraction, 0.0, 1.0, false);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        for (String kind : exclude) {
            if (!EXCLUDABLE.contains(kind)) {
                throw new InvalidConfigException("prune.exclude must list layer kinds out of " + EXCLUDABLE + ", has "
                        + kind + " (in " + exclude + ")");
            }
        }
        TrainingParams.of("prune", epochs, batchSize, learningRate, 0, 0);
    }

    public boolean channels() {
        return CHANNELS.equals(method);
    }

    public boolean gradual() {
        return MAGNITUDE.equals(method) && GRADUAL.equals(schedule);
    }

    public TrainingParams training() {
        return new TrainingParams(epochs, batchSize, learningRate, 0, 0);
    }
}
