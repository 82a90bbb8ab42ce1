package dev.distillery.jobs.stage;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.train.EpochStats;
import dev.distillery.core.train.TrainingListener;

import java.io.PrintStream;

/** Prints one line per epoch: loss, validation accuracy, throughput, elapsed time and ETA. */
public final class ConsoleProgress implements TrainingListener {
    private final PrintStream out;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public boolean onEpoch(EpochStats s, ModelArtifact model) {
        out.printf("  %-10s epoch %2d/%-2d  loss %.4f  val_acc %6.2f%%  lr %.2e  %6.0f samples/s  %s  ETA %s%n",
                s.run(), s.epoch(), s.epochs(), s.trainLoss(), 100 * s.validationAccuracy(), s.learningRate(),
                s.samplesPerSecond(), Durations.format(s.epochSeconds()), Durations.format(s.etaSeconds()));
        out.flush();
        return true;
    }
}
