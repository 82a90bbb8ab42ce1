package dev.distillery.core.train;

import dev.distillery.core.model.ModelArtifact;

/** Hook called by the trainer after every epoch: progress reporting, checkpointing, early stopping. */
public interface TrainingListener {
    /** Called after each epoch with the averaged model; return false to stop training early. */
    boolean onEpoch(EpochStats stats, ModelArtifact model);

    /** Called just before {@link #onEpoch} with the averaged optimizer state, for checkpoints that can resume. */
    default void onOptimizerState(EpochStats stats, float[] state) {
    }
}
