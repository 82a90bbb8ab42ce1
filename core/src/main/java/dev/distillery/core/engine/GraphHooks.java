package dev.distillery.core.engine;

import java.io.Serializable;

/**
 * How a network's weights and activations are rewritten while its graph is built, described rather than built:
 * pruning masks and fake quantization are hooks, so one graph builder serves float, sparse and quantization-aware
 * training. Hooks travel to the Spark executors with the training tasks.
 */
public sealed interface GraphHooks extends Serializable
        permits NoHooks, PruneMaskHooks, FakeQuantHooks, SparsityLockHooks, ChainedHooks {
    /** The graph as the architecture defines it. */
    GraphHooks NONE = new NoHooks();

    /** Hooks applied one after the other. */
    static GraphHooks chain(GraphHooks first, GraphHooks second) {
        return new ChainedHooks(first, second);
    }
}
