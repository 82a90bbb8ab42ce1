package dev.distillery.core.engine;

import dev.distillery.core.model.Architecture;

import java.util.Map;

/**
 * An engine that builds, trains and runs {@link Network}s from an {@link Architecture} and its parameters. An
 * implementation registers itself in {@code META-INF/services/dev.distillery.core.engine.NetworkEngine}; code
 * obtains it through {@link Engines#network()}.
 */
public interface NetworkEngine {
    /** Short id of the engine, e.g. {@code samediff}. */
    String id();

    /** The inference graph: batch norms use the population statistics stored in {@code params}. */
    Network forInference(Architecture arch, Map<String, float[]> params, GraphHooks hooks);

    /** The training graph: batch norms normalise by each minibatch's statistics; Adam with L2 when {@code l2 > 0}. */
    Network forTraining(Architecture arch, Map<String, float[]> params, GraphHooks hooks, Objective objective,
                        LearningRate learningRate, double l2);

    /** A network whose batch norms normalise by the batch's own statistics, for {@link Network#batchStatistics}. */
    Network forStatistics(Architecture arch, Map<String, float[]> params, GraphHooks hooks);

    /** JVM-wide settings the engine needs before its first use; a program's {@code main} calls it first. */
    default void prepareJvm() {
    }

    /** Versions of the engine's libraries, for provenance. */
    default Map<String, String> versions() {
        return Map.of();
    }
}
