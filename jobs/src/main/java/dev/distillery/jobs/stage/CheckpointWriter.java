package dev.distillery.jobs.stage;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.ModelIO;
import dev.distillery.core.train.EpochStats;
import dev.distillery.core.train.TrainingListener;

import java.nio.file.Path;
import java.util.Map;

/** Saves the averaged model after every epoch as {@code checkpoints/<run>-epoch-NNN.dmodel}. */
public final class CheckpointWriter implements TrainingListener {
    private final Path dir;

    public CheckpointWriter(Path dir) {
        this.dir = dir;
    }

    @Override
    public boolean onEpoch(EpochStats s, ModelArtifact model) {
        ModelIO.write(model.withKind(model.kind(), Map.of("epoch", String.valueOf(s.epoch()),
                        "validation_accuracy", String.valueOf(s.validationAccuracy()))),
                dir.resolve(String.format("%s-epoch-%03d.dmodel", s.run(), s.epoch())));
        return true;
    }
}
