package dev.distillery.jobs.cli;

import dev.distillery.jobs.stage.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** Runs every stage in order, skipping those whose manifests are up to date. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run all stages in order (prepare .. deploy).",
        footer = {"", "Example:", "  distillery run --config conf/fashion-mnist.yaml --out runs/fm"})
final class RunCommand implements Callable<Integer> {
    @Mixin
    StageOptions options;

    @Override
    public Integer call() {
        return StageCommand.runStages(options, Pipeline.stages());
    }
}
