package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.AirflowClient;
import dev.distillery.airflow.model.DagRun;
import dev.distillery.airflow.model.TaskInstance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.List;

/** Prints a run's state and the state of each of its tasks. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Print a DAG run's state and its tasks' states. Exits 5 if the run failed.",
        footer = {"", "Example:", "  distillery airflow status --run-id distillery__20260101T000000Z_a1b2c3"})
final class StatusCommand extends AirflowSubcommand {
    @Mixin
    RunOptions target;

    @Override
    int run(AirflowClient client) {
        DagRun run = client.getRun(target.dagId, target.runId);
        List<TaskInstance> tasks = client.listTaskInstances(target.dagId, target.runId);
        out().println("run " + run.runId() + " of DAG " + run.dagId() + ": " + run.state());
        int width = tasks.stream().mapToInt(t -> t.label().length()).max().orElse(4);
        for (TaskInstance t : tasks) {
            out().printf("  %-" + width + "s  %-16s try %d%n", t.label(), t.state(), t.tryNumber());
        }
        return run.failed() ? AirflowExitCodes.RUN_FAILED : AirflowExitCodes.OK;
    }
}
