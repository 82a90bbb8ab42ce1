package dev.distillery.jobs.stage;

import dev.distillery.core.manifest.ManifestIO;
import dev.distillery.core.train.TrainResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Writes training histories and adds their headline figures to a stage's metrics. */
final class TrainingSummary {
    private TrainingSummary() {
    }

    static void write(Path file, TrainResult r) {
        try {
            ManifestIO.json().writeValue(file.toFile(), r.history());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static StageResult metrics(StageResult result, String prefix, TrainResult r) {
        double samplesPerSecond = r.history().stream().mapToDouble(e -> e.samplesPerSecond()).average().orElse(0);
        return result.rows(prefix + "_train_rows", r.trainRows())
                .metric(prefix + "_best_epoch", r.bestEpoch())
                .metric(prefix + "_validation_accuracy", r.bestValidationAccuracy())
                .metric(prefix + "_epochs_run", r.history().size())
                .metric(prefix + "_samples_per_second", Math.round(samplesPerSecond))
                .metric(prefix + "_train_seconds", Math.round(r.seconds() * 10) / 10.0);
    }
}
