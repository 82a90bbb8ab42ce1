package dev.distillery.core.engine;

import java.io.Serializable;
import java.util.Map;

/**
 * A training loss, described rather than built: the engine turns each kind into its own graph. Objectives travel
 * to the Spark executors, which build their networks from them.
 */
public sealed interface Objective extends Serializable
        permits CrossEntropyObjective, DistillationObjective, HintObjective {

    /** Whether the objective needs teacher logits in the training data. */
    boolean needsTeacher();

    /**
     * Trainable tensors that belong to the loss rather than to the network (a hint projection), by name in the order
     * they are flattened after the network's parameters, with their initial values in row-major order. The trainer
     * trains, averages and checkpoints them with the network's parameters, but they never become part of the
     * trained model.
     */
    default Map<String, float[]> auxiliaryParams() {
        return Map.of();
    }
}
