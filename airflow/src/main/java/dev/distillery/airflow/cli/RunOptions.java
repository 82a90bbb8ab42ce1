package dev.distillery.airflow.cli;

import picocli.CommandLine.Option;

/** Which DAG run a command is about. */
final class RunOptions {
    @Option(names = "--dag", paramLabel = "DAG_ID", defaultValue = "distillery_pipeline",
            description = "DAG id (default: ${DEFAULT-VALUE}).")
    String dagId;

    @Option(names = "--run-id", paramLabel = "RUN_ID", required = true, description = "DAG run id.")
    String runId;
}
