package dev.distillery.core.config;

import dev.distillery.core.error.InvalidConfigException;

/** Optimisation settings shared by every training stage: epochs, minibatch size, Adam learning rate, L2. */
public record TrainingParams(int epochs, int batchSize, double learningRate, double l2, double warmupEpochs)
        implements java.io.Serializable {

    public static TrainingParams of(String path, int epochs, int batchSize, double learningRate, double l2,
                                    double warmupEpochs) {
        Check.positive(path + ".epochs", epochs);
        Check.positive(path + ".batch_size", batchSize);
        Check.positive(path + ".learning_rate", learningRate);
        Check.nonNegative(path + ".l2", l2);
        Check.nonNegative(path + ".warmup_epochs", warmupEpochs);
        if (warmupEpochs > epochs) {
            throw new InvalidConfigException(path + ".warmup_epochs must be <= " + path + ".epochs (" + epochs
                    + "), was " + warmupEpochs);
        }
        return new TrainingParams(epochs, batchSize, learningRate, l2, warmupEpochs);
    }
}
