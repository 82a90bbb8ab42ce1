package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.AirflowClient;
import dev.distillery.airflow.error.AirflowNotFoundException;
import dev.distillery.airflow.model.TaskInstance;
import dev.distillery.airflow.model.TaskLog;
import dev.distillery.core.error.InvalidConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints a task's log, every page of it. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print the log of a task of a DAG run (the latest try unless --try is given).",
        footer = {"", "Example:", "  distillery airflow logs --run-id \"$RUN\" --task train_teacher --tail 100"})
final class LogsCommand extends AirflowSubcommand {
    @Mixin
    RunOptions target;

    @Option(names = "--task", paramLabel = "TASK_ID", required = true, description = "Task id, e.g. distill.")
    String taskId;

    @Option(names = "--try", paramLabel = "N", description = "Try number (default: the task's latest).")
    Integer tryNumber;

    @Option(names = "--tail", paramLabel = "LINES", defaultValue = "0",
            description = "Print only the last LINES lines (default: all).")
    int tail;

    @Override
    int run(AirflowClient client) {
        int attempt = tryNumber != null ? tryNumber : latestTry(client);
        if (attempt < 1) {
            throw new InvalidConfigException("--try must be >= 1, was " + attempt);
        }
        TaskLog log = client.taskLog(target.dagId, target.runId, taskId, attempt);
        (tail > 0 ? log.tail(tail) : log.lines()).forEach(out()::println);
        return AirflowExitCodes.OK;
    }

    private int latestTry(AirflowClient client) {
        for (TaskInstance t : client.listTaskInstances(target.dagId, target.runId)) {
            if (t.taskId().equals(taskId)) {
                if (t.tryNumber() < 1) {
                    throw new InvalidConfigException("task " + taskId + " of run " + target.runId
                            + " has not started yet (state " + t.state() + "), so it has no log");
                }
                return t.tryNumber();
            }
        }
        throw new AirflowNotFoundException("run " + target.runId + " of DAG " + target.dagId + " has no task "
                + taskId, "", 1);
    }
}
