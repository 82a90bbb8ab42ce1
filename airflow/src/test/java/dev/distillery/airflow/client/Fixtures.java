package dev.distillery.airflow.client;

import dev.distillery.airflow.fake.FakeAirflowServer;
import dev.distillery.airflow.fake.Snapshot;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Fake servers, clients with short timeouts, and a sleeper that records its pauses instead of sleeping. */
final class Fixtures {
    static final String USER = "ops";
    static final String PASSWORD = "s3cret-Pa55";
    static final AirflowCredentials CREDENTIALS = new AirflowCredentials(USER, PASSWORD);

    static final List<Snapshot> PIPELINE = List.of(
            Snapshot.of("queued", "prepare", "none", 0, "train_teacher", "none", 0),
            Snapshot.of("running", "prepare", "running", 1, "train_teacher", "none", 0),
            Snapshot.of("running", "prepare", "success", 1, "train_teacher", "running", 1),
            Snapshot.of("success", "prepare", "success", 1, "train_teacher", "success", 1));

    static final List<Snapshot> FAILING = List.of(
            Snapshot.of("running", "prepare", "running", 1, "train_teacher", "none", 0),
            Snapshot.of("running", "prepare", "success", 1, "train_teacher", "up_for_retry", 1),
            Snapshot.of("failed", "prepare", "success", 1, "train_teacher", "failed", 2));

    private Fixtures() {
    }

    static FakeAirflowServer server(ApiVersion v) throws IOException {
        return new FakeAirflowServer(v, USER, PASSWORD).dag("distillery_pipeline", PIPELINE)
                .dag("distillery_failing", FAILING);
    }

    /** Long enough for a cold JVM's first request on a busy machine; see {@link #withShortTimeout}. */
    static ClientSettings settings(FakeAirflowServer server, ApiVersion v) {
        return ClientSettings.of(server.url(), v, CREDENTIALS)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withRetry(new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(40)));
    }

    /** A client that gives up on an answer after {@link #SHORT_TIMEOUT}, below the fake's slow answers. */
    static AirflowClient withShortTimeout(FakeAirflowServer server, ApiVersion v, RecordingSleeper sleeper) {
        AirflowClient c = new AirflowClient(settings(server, v).withTimeouts(SHORT_TIMEOUT, SHORT_TIMEOUT), sleeper);
        c.health(); // warm up connection and parsing, so only the injected delay can exceed the timeout
        return c;
    }

    static final Duration SHORT_TIMEOUT = Duration.ofMillis(1500);

    static AirflowClient client(FakeAirflowServer server, ApiVersion v, RecordingSleeper sleeper) {
        return new AirflowClient(settings(server, v), sleeper);
    }

    /** Records every pause; sleeps a millisecond so retries stay ordered but tests stay fast. */
    static final class RecordingSleeper implements Sleeper {
        final List<Duration> pauses = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void sleep(Duration d) throws InterruptedException {
            pauses.add(d);
            Thread.sleep(1);
        }
    }
}
