package dev.distillery.jobs.cli;

import dev.distillery.core.config.ConfigLoader;
import dev.distillery.core.config.PipelineConfig;
import dev.distillery.jobs.stage.Pipeline;
import dev.distillery.jobs.stage.Stage;
import dev.distillery.jobs.stage.StageContext;
import dev.distillery.jobs.stage.StageRunner;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.concurrent.Callable;

/** Runs one named stage (the subcommand's name). */
@picocli.CommandLine.Command(mixinStandardHelpOptions = true)
class StageCommand implements Callable<Integer> {
    @Mixin
    StageOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Stage stage = Pipeline.byName(spec.name()).orElseThrow();
        return runStages(options, List.of(stage));
    }

    static int runStages(StageOptions options, List<Stage> stages) {
        PipelineConfig config = ConfigLoader.load(options.config, options.overrides);
        StageContext ctx = new StageContext(config, options.out, options.master, System.out).withResume(options.resume);
        for (Stage stage : stages) {
            // Preflight: unknown profiles, oversized students and the like fail before hours of training.
            stage.validate(ctx);
        }
        int exit = 0;
        for (Stage stage : stages) {
            StageRunner.Outcome outcome = StageRunner.run(stage, ctx, options.force);
            exit = Math.max(exit, outcome.exitCode());
        }
        return exit;
    }
}
