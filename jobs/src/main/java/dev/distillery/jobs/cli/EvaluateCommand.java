package dev.distillery.jobs.cli;

import dev.distillery.evaluation.compare.RunComparison;
import dev.distillery.jobs.stage.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The evaluate stage, optionally followed by a comparison of the freshly evaluated run with other evaluated runs,
 * written next to its report.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true)
final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    StageOptions options;

    @Option(names = "--compare", paramLabel = "DIR",
            description = "After evaluating --out, compare it with this evaluated run folder (or report.json) and "
                    + "write comparison.md and comparison.json into --out's reports folder (repeatable).")
    List<Path> compare = new ArrayList<>();

    @Override
    public Integer call() {
        // A folder without a report fails here, before Spark starts and the evaluation runs.
        compare.forEach(RunComparison::reportFile);
        int exit = StageCommand.runStages(options, List.of(Pipeline.byName("evaluate").orElseThrow()));
        if (!compare.isEmpty()) {
            Path written = compareInto(options.out, compare);
            System.out.println("wrote " + written.resolve(RunComparison.MARKDOWN_FILE) + " and "
                    + written.resolve(RunComparison.JSON_FILE));
        }
        return exit;
    }

    /**
     * Compares the run in {@code out} (first column) with {@code others} and writes comparison.md and
     * comparison.json into {@code out}'s reports folder; returns that folder.
     */
    static Path compareInto(Path out, List<Path> others) {
        List<Path> runs = new ArrayList<>();
        runs.add(out);
        runs.addAll(others);
        Path reports = dev.distillery.jobs.stage.EvaluateStage.OUTPUT.dir(out);
        RunComparison.of(runs).writeTo(reports);
        return reports;
    }
}
