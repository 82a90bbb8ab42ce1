package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.AirflowClient;
import dev.distillery.airflow.model.TaskInstance;
import dev.distillery.airflow.model.TaskLog;
import dev.distillery.core.error.InvalidConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Prints a task's log, every page of it. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = "Print the log of a task of a DAG run (the latest try that left a log, unless --try is given).",
        footer = {"", "Examples:", "  distillery airflow logs --run-id \"$RUN\" --task train_teacher --tail 100",
                "  distillery airflow logs --run-id \"$RUN\" --task evaluate --map-index 2 --try 1"})
final class LogsCommand extends AirflowSubcommand {
    @Mixin
    RunOptions target;

    @Option(names = "--task", paramLabel = "TASK_ID", required = true, description = "Task id, e.g. distill.")
    String taskId;

    @Option(names = "--map-index", paramLabel = "N", defaultValue = "-1",
            description = "Map index of one instance of a mapped task (default: ${DEFAULT-VALUE}, a task that is "
                    + "not mapped).")
    int mapIndex;

    @Option(names = "--try", paramLabel = "N", description = "Try number (default: the task's latest).")
    Integer tryNumber;

    @Option(names = "--tail", paramLabel = "LINES", defaultValue = "0",
            description = "Print only the last LINES lines (default: all).")
    int tail;

    @Override
    int run(AirflowClient client) {
        if (mapIndex < -1) {
            throw new InvalidConfigException("--map-index must be -1 (not mapped) or >= 0, was " + mapIndex);
        }
        if (tryNumber != null && tryNumber < 1) {
            throw new InvalidConfigException("--try must be >= 1, was " + tryNumber);
        }
        TaskLog log = tryNumber != null ? client.taskLog(target.dagId, target.runId, taskId, mapIndex, tryNumber)
                : latest(client);
        (tail > 0 ? log.tail(tail) : log.lines()).forEach(out()::println);
        return AirflowExitCodes.OK;
    }

    private TaskLog latest(AirflowClient client) {
        TaskInstance t = client.getTaskInstance(target.dagId, target.runId, taskId, mapIndex);
        if (t.tryNumber() < 1) {
            throw new InvalidConfigException("task " + t.label() + " of run " + target.runId
                    + " has not started yet (state " + t.state() + "), so it has no log");
        }
        TaskLog log = client.lastTryLog(target.dagId, target.runId, t);
        if (log.tryNumber() != t.tryNumber()) {
            err().println("try " + t.tryNumber() + " of " + t.label() + " left no log; showing try "
                    + log.tryNumber());
        }
        return log;
    }
}
