package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.AirflowClient;
import dev.distillery.airflow.model.TaskInstance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;

/** Clears the failed tasks of a run, so Airflow runs them (and the run) again. */
@Command(name = "clear", mixinStandardHelpOptions = true,
        description = "Clear the failed tasks of a DAG run so Airflow retries them; the run goes back to queued.",
        footer = {"", "Example:", "  distillery airflow clear --run-id \"$RUN\" && distillery airflow wait --run-id \"$RUN\""})
final class ClearCommand extends AirflowSubcommand {
    @Mixin
    RunOptions target;

    @Option(names = "--dry-run", description = "Only list the tasks that would be cleared.")
    boolean dryRun;

    @Override
    int run(AirflowClient client) {
        List<TaskInstance> cleared = client.clearFailedTasks(target.dagId, target.runId, dryRun);
        if (cleared.isEmpty()) {
            out().println("no failed tasks in run " + target.runId);
        }
        for (TaskInstance t : cleared) {
            out().println((dryRun ? "would clear " : "cleared ") + t.label());
        }
        return AirflowExitCodes.OK;
    }
}
