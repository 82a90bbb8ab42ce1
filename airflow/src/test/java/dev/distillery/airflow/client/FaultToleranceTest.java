package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.airflow.error.AirflowNotJsonException;
import dev.distillery.airflow.error.AirflowServerException;
import dev.distillery.airflow.error.AirflowUnavailableException;
import dev.distillery.airflow.fake.Fault;
import dev.distillery.airflow.fake.FakeAirflowServer;
import dev.distillery.airflow.model.DagRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Injected faults: 500s, dropped connections, answers slower than the timeout, expired tokens. */
class FaultToleranceTest {
    private final ObjectMapper json = new ObjectMapper();

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void retriesServerErrorsWithJitteredBackoff(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            Fixtures.RecordingSleeper sleeper = new Fixtures.RecordingSleeper();
            server.fault("GET", "/dags", Fault.ERROR_500).fault("GET", "/dags", Fault.ERROR_500);
            assertThat(Fixtures.client(server, v, sleeper).listDags()).hasSize(2);
            assertThat(server.count("GET", "/dags")).isEqualTo(3);
            // base 10 ms, cap 40 ms: the pauses after attempts 1 and 2 are at most 10 and 20 ms
            assertThat(sleeper.pauses).hasSize(2);
            assertThat(sleeper.pauses.get(0)).isLessThanOrEqualTo(Duration.ofMillis(10));
            assertThat(sleeper.pauses.get(1)).isLessThanOrEqualTo(Duration.ofMillis(20));
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void givesUpAfterTheLastAttemptWithATransientError(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            for (int i = 0; i < 5; i++) {
                server.fault("GET", "/version", Fault.ERROR_500);
            }
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            assertThatThrownBy(client::version).isInstanceOfSatisfying(AirflowServerException.class, e -> {
                assertThat(e.status()).isEqualTo(500);
                assertThat(e.attempts()).isEqualTo(4);
                assertThat(e.exitCode()).isEqualTo(3);
                assertThat(e.getMessage()).contains("injected failure").contains("after 4 attempts");
            });
            assertThat(server.count("GET", "/version")).isEqualTo(4);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void retriesADroppedConnection(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            // PATCH: the JDK client itself re-sends an idempotent GET once when its connection drops
            server.fault("PATCH", "/dags/distillery_pipeline", Fault.DROP);
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            assertThat(client.setPaused("distillery_pipeline", true).paused()).isTrue();
            assertThat(server.count("PATCH", "/dags/distillery_pipeline")).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void retriesAnAnswerSlowerThanTheTimeout(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            AirflowClient client = Fixtures.withShortTimeout(server, v, new Fixtures.RecordingSleeper());
            server.fault("GET", "/version", Fault.SLOW);
            long start = System.nanoTime();
            assertThat(client.version().version()).isNotBlank();
            long millis = (System.nanoTime() - start) / 1_000_000;
            // the client gave up on the slow answer at its 1.5 s timeout instead of waiting 6 s for it
            assertThat(millis).isGreaterThanOrEqualTo(Fixtures.SHORT_TIMEOUT.toMillis())
                    .isLessThan(FakeAirflowServer.SLOW_MILLIS);
            // warm-up, the slow one, the retry (a loaded machine may need one more)
            assertThat(server.count("GET", "/version")).isBetween(2L, 3L);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"COMMIT_THEN_500", "COMMIT_THEN_DROP", "SLOW"})
    void aTriggerWhoseAnswerWasLostIsRetriedIntoTheSameRun(Fault fault) throws Exception {
        for (ApiVersion v : ApiVersion.values()) {
            try (FakeAirflowServer server = Fixtures.server(v)) {
                AirflowClient client = Fixtures.withShortTimeout(server, v, new Fixtures.RecordingSleeper());
                server.fault("POST", "/dagRuns", fault);
                ObjectNode conf = json.createObjectNode().put("out", "/shared/runs/fm");
                DagRun run = client.trigger("distillery_pipeline", "fm-1", conf);
                assertThat(run.runId()).isEqualTo("fm-1");
                assertThat(run.conf()).isEqualTo(conf);
                assertThat(server.count("POST", "/dagRuns")).as(v + " " + fault).isGreaterThanOrEqualTo(2);
                assertThat(server.runCount("distillery_pipeline")).as(v + " " + fault).isEqualTo(1);
            }
        }
    }

    @Test
    void renewsAnExpiredTokenOnceAndRepeatsTheRequest() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V2)) {
            AirflowClient client = Fixtures.client(server, ApiVersion.V2, new Fixtures.RecordingSleeper());
            client.listDags();
            server.expireTokens();
            assertThat(client.listDags()).hasSize(2);
            assertThat(server.tokensIssued()).isEqualTo(2);
            assertThat(client.tokensIssued()).isEqualTo(2);
            assertThat(server.count("GET", "/dags")).as("first call, rejected call, repeated call").isEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aLoginPageInsteadOfJsonIsAConfigurationErrorNotRetried(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            server.fault("GET", "/dags", Fault.LOGIN_PAGE);
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            assertThatThrownBy(client::listDags).isInstanceOfSatisfying(AirflowNotJsonException.class, e -> {
                assertThat(e.exitCode()).isEqualTo(2);
                assertThat(e.status()).isEqualTo(200);
                assertThat(e.getMessage()).contains("GET " + v.prefix() + "/dags", "expected application/json",
                        "got 200 text/html; charset=utf-8", "starting \"<!DOCTYPE html> <html><head><title>Sign in",
                        server.url().toString());
            });
            assertThat(server.count("GET", "/dags")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aLoginPageWhileDetectingTheVersionIsAConfigurationError(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v)) {
            server.fault("GET", "/version", Fault.LOGIN_PAGE);
            assertThatThrownBy(() -> ApiVersionProbe.detect(Fixtures.settings(server, null),
                    new Fixtures.RecordingSleeper()))
                    .isInstanceOfSatisfying(AirflowNotJsonException.class, e -> {
                        assertThat(e.exitCode()).isEqualTo(2);
                        assertThat(e.getMessage()).contains("GET /api/v2/version", "text/html");
                    });
        }
    }

    @Test
    void anUnreachableServerIsUnavailableAfterEveryAttempt() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ClientSettings settings = ClientSettings.of(URI.create("http://127.0.0.1:" + port), ApiVersion.V1,
                Fixtures.CREDENTIALS).withRetry(new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(2)));
        Fixtures.RecordingSleeper sleeper = new Fixtures.RecordingSleeper();
        assertThatThrownBy(() -> new AirflowClient(settings, sleeper).listDags())
                .isInstanceOfSatisfying(AirflowUnavailableException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(3);
                    assertThat(e.attempts()).isEqualTo(3);
                    assertThat(e.getMessage()).contains("127.0.0.1:" + port).doesNotContain(Fixtures.PASSWORD);
                });
        assertThat(sleeper.pauses).hasSize(2);
    }
}
