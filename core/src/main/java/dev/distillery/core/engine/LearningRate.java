package dev.distillery.core.engine;

import java.io.Serializable;

/** A learning rate by global training step, as plain arithmetic the engine's optimizer reads every step. */
public sealed interface LearningRate extends Serializable permits CosineSchedule, ConstantRate {
    /** The rate at global step {@code iteration} (counted from 0) of epoch {@code epoch}. */
    double valueAt(int iteration, int epoch);
}
