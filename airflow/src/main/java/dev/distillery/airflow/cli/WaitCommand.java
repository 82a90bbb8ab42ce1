package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.AirflowClient;
import dev.distillery.airflow.client.RunWaiter;
import dev.distillery.airflow.model.DagRun;
import dev.distillery.airflow.model.TaskInstance;
import dev.distillery.airflow.model.TaskLog;
import dev.distillery.airflow.error.AirflowApiException;
import dev.distillery.core.error.InvalidConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Follows a run to its end, printing task state changes as they happen and, on failure, the failing task's log. */
@Command(name = "wait", mixinStandardHelpOptions = true,
        description = "Wait until a DAG run finishes, printing each task state change as it is seen; on failure "
                + "print the last lines of the failed task's log. Exits 0 on success, 5 on failure, 3 on timeout.",
        footer = {"", "Example:", "  distillery airflow wait --run-id \"$RUN\" --max-wait 21600 --tail 60"})
final class WaitCommand extends AirflowSubcommand {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    @Mixin
    RunOptions target;

    @Option(names = "--poll", paramLabel = "SECONDS", defaultValue = "5",
            description = "First pause between polls; each next one is 1.5 times longer (default: ${DEFAULT-VALUE}).")
    double poll;

    @Option(names = "--max-poll", paramLabel = "SECONDS", defaultValue = "60",
            description = "Longest pause between polls (default: ${DEFAULT-VALUE}).")
    double maxPoll;

    @Option(names = "--max-wait", paramLabel = "SECONDS", defaultValue = "86400",
            description = "Give up (exit 3) when the run is not finished after this long (default: ${DEFAULT-VALUE}).")
    double maxWait;

    @Option(names = "--tail", paramLabel = "LINES", defaultValue = "40",
            description = "Log lines of a failed task to print (default: ${DEFAULT-VALUE}).")
    int tail;

    @Override
    int run(AirflowClient client) {
        if (poll <= 0 || maxPoll < poll || maxWait <= 0 || tail < 0) {
            throw new InvalidConfigException("need 0 < --poll <= --max-poll, --max-wait > 0 and --tail >= 0, were "
                    + poll + ", " + maxPoll + ", " + maxWait + " and " + tail);
        }
        RunWaiter.Options options = new RunWaiter.Options(seconds(poll), seconds(maxPoll), seconds(maxWait));
        DagRun run = new RunWaiter(client, root.sleeper, root.clock).await(target.dagId, target.runId, options,
                new RunWaiter.Listener() {
                    @Override
                    public void runState(DagRun r) {
                        line("run " + r.runId() + ": " + r.state());
                    }

                    @Override
                    public void taskChanged(TaskInstance before, TaskInstance now) {
                        String from = before == null ? "" : before.state() + " -> ";
                        line(now.label() + ": " + from + now.state()
                                + (now.tryNumber() > 0 ? " (try " + now.tryNumber() + ")" : ""));
                    }
                });
        if (run.succeeded()) {
            return AirflowExitCodes.OK;
        }
        for (TaskInstance t : client.listTaskInstances(target.dagId, target.runId)) {
            if ("failed".equals(t.state()) && t.tryNumber() > 0) {
                printTail(client, t);
            }
        }
        return AirflowExitCodes.RUN_FAILED;
    }

    private void printTail(AirflowClient client, TaskInstance t) {
        TaskLog log;
        try {
            log = client.lastTryLog(target.dagId, target.runId, t);
        } catch (AirflowApiException e) {
            // The run's outcome is what the caller asked about; a missing log must not hide it.
            out().println("--- last " + tail + " log lines of " + t.label() + " (try " + t.tryNumber() + ") ---");
            out().println("(log not available: " + e.getMessage() + ")");
            out().println("---");
            return;
        }
        out().println("--- last " + tail + " log lines of " + log.label() + " (try " + log.tryNumber() + ") ---");
        if (log.tryNumber() != t.tryNumber()) {
            out().println("(try " + t.tryNumber() + " left no log; this is try " + log.tryNumber() + ")");
        }
        log.tail(tail).forEach(out()::println);
        out().println("---");
    }

    private void line(String text) {
        out().println(LocalTime.ofInstant(root.clock.instant(), ZoneOffset.UTC).format(TIME) + "  " + text);
        out().flush();
    }

    private static Duration seconds(double s) {
        return Duration.ofMillis(Math.max(1, Math.round(s * 1000)));
    }
}
