package dev.distillery.core.train;

import dev.distillery.core.augment.ViewAugmenter;
import dev.distillery.core.config.TrainingParams;

import java.io.Serializable;

/**
 * What one training run does: its name (for logs and checkpoints), optimisation settings and parallelism.
 * {@code syncOptimizerEveryRound} averages Adam's moments with the parameters after every round; otherwise each
 * worker keeps its own moments within an epoch and they are averaged once, at the epoch's end.
 * {@code learningRateScale} multiplies the configured learning rate (see {@code SparkSettings.learningRateScale}).
 * {@code augmenter}, when not null, replaces every training example by its view number {@code epoch + 1} in that
 * epoch, so that each epoch trains on a fresh random shift, flip, zoom or noise of every example.
 */
public record TrainSpec(String name, TrainingParams params, int workers, int averagingFrequency, long seed,
                        boolean syncOptimizerEveryRound, double learningRateScale, ViewAugmenter augmenter)
        implements Serializable {

    public TrainSpec {
        if (!(learningRateScale > 0) || Double.isInfinite(learningRateScale)) {
            throw new IllegalArgumentException("learning-rate scale must be positive and finite, was "
                    + learningRateScale);
        }
    }

    /** A run without augmentation. */
    public TrainSpec(String name, TrainingParams params, int workers, int averagingFrequency, long seed,
                     boolean syncOptimizerEveryRound, double learningRateScale) {
        this(name, params, workers, averagingFrequency, seed, syncOptimizerEveryRound, learningRateScale, null);
    }

    /** A run at the configured learning rate. */
    public TrainSpec(String name, TrainingParams params, int workers, int averagingFrequency, long seed,
                     boolean syncOptimizerEveryRound) {
        this(name, params, workers, averagingFrequency, seed, syncOptimizerEveryRound, 1.0);
    }

    /** A run at the configured learning rate that averages optimizer state every round. */
    public TrainSpec(String name, TrainingParams params, int workers, int averagingFrequency, long seed) {
        this(name, params, workers, averagingFrequency, seed, true);
    }

    /** The peak learning rate the schedule starts from after warm-up. */
    public double learningRate() {
        return params.learningRate() * learningRateScale;
    }
}
