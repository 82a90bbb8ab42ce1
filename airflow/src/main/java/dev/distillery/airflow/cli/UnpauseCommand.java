package dev.distillery.airflow.cli;

import picocli.CommandLine.Command;

/** Unpauses a DAG, so Airflow schedules it again (and runs triggered while paused start). */
@Command(name = "unpause", mixinStandardHelpOptions = true, description = "Unpause a DAG.",
        footer = {"", "Example:", "  distillery airflow unpause --dag distillery_pipeline"})
final class UnpauseCommand extends PauseCommand {
    @Override
    boolean pausing() {
        return false;
    }
}
