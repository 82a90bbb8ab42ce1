package dev.distillery.airflow.client;

import dev.distillery.airflow.error.AirflowWaitTimeoutException;
import dev.distillery.airflow.fake.FakeAirflowServer;
import dev.distillery.airflow.fake.Snapshot;
import dev.distillery.airflow.model.DagRun;
import dev.distillery.airflow.model.TaskInstance;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Waiting for a run: backoff between polls, every change reported once, and the time limit. */
class RunWaiterTest {
    /** A clock that only moves when the waiter sleeps, so the test controls time. */
    private static final class VirtualTime extends Clock implements Sleeper {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        final List<Duration> pauses = new ArrayList<>();

        @Override
        public void sleep(Duration d) {
            pauses.add(d);
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @Test
    void pollsWithGrowingPausesAndReportsEachChangeOnce() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V2)) {
            AirflowClient client = Fixtures.client(server, ApiVersion.V2, new Fixtures.RecordingSleeper());
            client.trigger("distillery_pipeline", "r", null);
            VirtualTime time = new VirtualTime();
            List<String> changes = new ArrayList<>();
            DagRun run = new RunWaiter(client, time, time).await("distillery_pipeline", "r",
                    new RunWaiter.Options(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofHours(1)),
                    new RunWaiter.Listener() {
                        @Override
                        public void runState(DagRun r) {
                            changes.add("run " + r.state());
                        }

                        @Override
                        public void taskChanged(TaskInstance before, TaskInstance now) {
                            changes.add(now.taskId() + " " + now.state());
                        }
                    });
            assertThat(run.succeeded()).isTrue();
            assertThat(time.pauses).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(3),
                    Duration.ofSeconds(3));
            assertThat(changes).containsExactly("prepare none", "train_teacher none", "run queued",
                    "prepare running", "run running", "prepare success", "train_teacher running",
                    "train_teacher success", "run success");
        }
    }

    @Test
    void stopsAtTheTimeLimit() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V1)
                .dag("stuck", List.of(Snapshot.of("running", "prepare", "running", 1)))) {
            AirflowClient client = Fixtures.client(server, ApiVersion.V1, new Fixtures.RecordingSleeper());
            client.trigger("stuck", "r", null);
            VirtualTime time = new VirtualTime();
            assertThatThrownBy(() -> new RunWaiter(client, time, time).await("stuck", "r",
                    new RunWaiter.Options(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(2)),
                    new RunWaiter.Listener() {
                        @Override
                        public void runState(DagRun r) {
                        }

                        @Override
                        public void taskChanged(TaskInstance before, TaskInstance now) {
                        }
                    }))
                    .isInstanceOfSatisfying(AirflowWaitTimeoutException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(3);
                        assertThat(e.getMessage()).contains("still running after waiting 120 s");
                    });
            // 10 + 15 + 22.5 + 33.75 = 81.25 s; the next pause (50.6 s) would pass the 120 s limit
            assertThat(time.pauses).hasSize(4);
        }
    }
}
