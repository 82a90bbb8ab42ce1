package dev.distillery.core.train;

import dev.distillery.core.config.TrainingParams;

import java.io.Serializable;

/** What one training run does: its name (for logs and checkpoints), optimisation settings and parallelism. */
public record TrainSpec(String name, TrainingParams params, int workers, int averagingFrequency, long seed)
        implements Serializable {
}
