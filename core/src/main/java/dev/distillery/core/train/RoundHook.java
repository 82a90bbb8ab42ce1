package dev.distillery.core.train;

/**
 * Driver-side hook of the Spark trainer, called before every synchronous round with the averaged parameters and
 * optimizer state, which it may rewrite in place (e.g. gradual pruning on a schedule of training steps).
 */
public interface RoundHook {
    RoundHook NONE = (step, params, state) -> {
    };

    /**
     * Called once before training: synchronous steps per epoch, epochs, and steps per round (rounds start at
     * every multiple of it within an epoch, so those are the steps {@link #beforeRound} sees).
     */
    default void start(int stepsPerEpoch, int epochs, int stepsPerRound) {
    }

    /**
     * Called before the round that starts at global step {@code step}; {@code params} is the flat parameter vector
     * (layer order, weights then bias) and {@code optimizerState} the flat optimizer state (empty before the first
     * step).
     */
    void beforeRound(int step, float[] params, float[] optimizerState);

    /** Whether a model at this point may be kept as the best one (false while a schedule is still under way). */
    default boolean settled() {
        return true;
    }
}
