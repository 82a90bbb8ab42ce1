package dev.distillery.jobs.cli;

import dev.distillery.jobs.stage.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** The walk-through: fetch Fashion-MNIST if needed, run the whole pipeline locally, print where the report is. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on Fashion-MNIST on an embedded local Spark (fetches the data if missing).",
        footer = {"", "Examples:", "  distillery demo", "  distillery demo --data ~/fashion-mnist --out runs/demo"})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder with the four Fashion-MNIST IDX files (default: a cache under ~/.cache/distillery).")
    Path data;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/demo", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--config", paramLabel = "FILE", description = "Config (default: conf/fashion-mnist.yaml).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Config override (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[*]", description = "Spark master (default: ${DEFAULT-VALUE}).")
    String master;

    @Option(names = "--force", description = "Redo every stage.")
    boolean force;

    @Override
    public Integer call() {
        Path dataDir = data != null ? data
                : Path.of(System.getProperty("user.home"), ".cache", "distillery", "datasets", "fashion-mnist");
        if (data == null) {
            DemoData.ensure(dataDir, System.out);
        }
        StageOptions options = new StageOptions();
        String home = System.getProperty("distillery.home", ".");
        options.config = config != null ? config : Path.of(home, "conf", "fashion-mnist.yaml");
        options.out = out;
        options.master = master;
        options.force = force;
        options.overrides = new ArrayList<>();
        options.overrides.add("data.dir=" + dataDir.toAbsolutePath());
        options.overrides.addAll(overrides);
        long t0 = System.nanoTime();
        int code = StageCommand.runStages(options, Pipeline.stages());
        Path reports = dev.distillery.jobs.stage.EvaluateStage.OUTPUT.dir(out);
        ResultsTable.print(reports, System.out);
        System.out.printf("%nDemo finished in %.1f min with exit code %d. Report: %s%n", (System.nanoTime() - t0) / 6e10,
                code, dev.distillery.jobs.stage.EvaluateStage.REPORT_HTML.path(out).toAbsolutePath());
        return code;
    }
}
