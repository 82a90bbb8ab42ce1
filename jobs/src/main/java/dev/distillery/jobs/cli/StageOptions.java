package dev.distillery.jobs.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options every stage command shares. */
public final class StageOptions {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "Pipeline config (YAML).")
    Path config;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Output folder; each stage writes its own sub-folder with a manifest.json.")
    Path out;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a config value, e.g. --set distill.temperature=4 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: spark.master from spark-submit, else the config's spark.master).")
    String master;

    @Option(names = "--force", description = "Redo stages whose manifest says they are up to date.")
    boolean force;

    @Option(names = "--resume", description = "Continue interrupted training from the newest complete epoch "
            + "checkpoint instead of starting over.")
    boolean resume;
}
