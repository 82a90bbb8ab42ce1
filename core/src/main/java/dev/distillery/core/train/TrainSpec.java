package dev.distillery.core.train;

import dev.distillery.core.config.TrainingParams;

import java.io.Serializable;

/**
 * What one training run does: its name (for logs and checkpoints), optimisation settings and parallelism.
 * {@code syncOptimizerEveryRound} averages Adam's moments with the parameters after every round; otherwise each
 * worker keeps its own moments within an epoch and they are averaged once, at the epoch's end.
 */
public record TrainSpec(String name, TrainingParams params, int workers, int averagingFrequency, long seed,
                        boolean syncOptimizerEveryRound) implements Serializable {

    /** A run that averages optimizer state every round. */
    public TrainSpec(String name, TrainingParams params, int workers, int averagingFrequency, long seed) {
        this(name, params, workers, averagingFrequency, seed, true);
    }
}
