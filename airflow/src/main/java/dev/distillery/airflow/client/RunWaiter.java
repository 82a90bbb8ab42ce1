package dev.distillery.airflow.client;

import dev.distillery.airflow.error.AirflowUnavailableException;
import dev.distillery.airflow.error.AirflowWaitTimeoutException;
import dev.distillery.airflow.model.DagRun;
import dev.distillery.airflow.model.TaskInstance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Polls a DAG run until it is finished, with backoff between polls (each pause 1.5 times the last, up to a
 * maximum), telling a listener about every change of a task's state or try as it is seen.
 */
public final class RunWaiter {
    /** Hears about changes while a run is followed. */
    public interface Listener {
        /** The run's state changed (also called once for the first state seen). */
        void runState(DagRun run);

        /** A task appeared, or its state or try number changed; {@code before} is null the first time. */
        void taskChanged(TaskInstance before, TaskInstance now);
    }

    /** How often to poll and for how long at most. */
    public record Options(Duration firstPoll, Duration maxPoll, Duration timeout) {
        public Options {
            if (firstPoll.isNegative() || firstPoll.isZero() || maxPoll.compareTo(firstPoll) < 0) {
                throw new IllegalArgumentException("poll intervals must satisfy 0 < first <= max, were " + firstPoll
                        + " and " + maxPoll);
            }
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("wait timeout must be > 0, was " + timeout);
            }
        }
    }

    private final AirflowClient client;
    private final Sleeper sleeper;
    private final Clock clock;

    public RunWaiter(AirflowClient client, Sleeper sleeper, Clock clock) {
        this.client = client;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /** Returns the finished run; throws {@link AirflowWaitTimeoutException} if it is not finished in time. */
    public DagRun await(String dagId, String runId, Options options, Listener listener) {
        Instant deadline = clock.instant().plus(options.timeout());
        Map<String, TaskInstance> seen = new HashMap<>();
        String lastState = null;
        Duration pause = options.firstPoll();
        while (true) {
            DagRun run = client.getRun(dagId, runId);
            List<TaskInstance> tasks = client.listTaskInstances(dagId, runId);
            for (TaskInstance t : tasks) {
                TaskInstance before = seen.put(t.label(), t);
                if (before == null || !before.state().equals(t.state()) || before.tryNumber() != t.tryNumber()) {
                    listener.taskChanged(before, t);
                }
            }
            if (!run.state().equals(lastState)) {
                listener.runState(run);
                lastState = run.state();
            }
            if (run.finished()) {
                return run;
            }
            if (clock.instant().plus(pause).isAfter(deadline)) {
                throw new AirflowWaitTimeoutException("run " + runId + " of DAG " + dagId + " is still "
                        + run.state() + " after waiting " + options.timeout().toSeconds() + " s");
            }
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AirflowUnavailableException("interrupted while waiting for run " + runId, 1, e);
            }
            long next = Math.min(options.maxPoll().toMillis(), (long) (pause.toMillis() * 1.5));
            pause = Duration.ofMillis(Math.max(next, 1));
        }
    }
}
