package dev.distillery.jobs.stage;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.train.EpochStats;
import dev.distillery.core.train.ResumePoint;
import dev.distillery.core.train.TrainingListener;

import java.nio.file.Path;
import java.util.Map;

/**
 * Saves every epoch as {@code checkpoints/<run>-epoch-NNN.dmodel} plus its optimizer state ({@code .optim}),
 * which is what {@code --resume} continues from.
 */
public final class CheckpointWriter implements TrainingListener {
    private final Path dir;
    private float[] optimizer = new float[0];

    public CheckpointWriter(Path dir) {
        this.dir = dir;
    }

    @Override
    public void onOptimizerState(EpochStats stats, float[] state) {
        optimizer = state;
    }

    @Override
    public boolean onEpoch(EpochStats s, ModelArtifact model) {
        ResumePoint.write(dir, s.run(), s.epoch(), model.withKind(model.kind(), Map.of("epoch", String.valueOf(s.epoch()),
                "validation_accuracy", String.valueOf(s.validationAccuracy()))), optimizer);
        return true;
    }
}
