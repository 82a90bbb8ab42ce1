package dev.distillery.airflow.client;

import dev.distillery.airflow.fake.FakeAirflowServer;
import dev.distillery.airflow.error.AirflowNotFoundException;
import dev.distillery.core.error.InvalidConfigException;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Credentials, settings, backoff bounds and API version detection. */
class SettingsTest {
    @TempDir
    Path tmp;

    @Test
    void readsCredentialsFromTheEnvironmentOrAFileAndNeverPrintsThePassword() throws Exception {
        AirflowCredentials env = AirflowCredentials.resolve(null, Map.of(AirflowCredentials.ENV_USERNAME, "ops",
                AirflowCredentials.ENV_PASSWORD, "pw-123"));
        assertThat(env.username()).isEqualTo("ops");
        assertThat(env.toString()).doesNotContain("pw-123");
        Path file = tmp.resolve("airflow.properties");
        Files.writeString(file, "username=ops\npassword=pw = with spaces\n");
        assertThat(AirflowCredentials.resolve(null, Map.of(AirflowCredentials.ENV_FILE, file.toString())).password())
                .isEqualTo("pw = with spaces");
        assertThat(AirflowCredentials.resolve(file, Map.of()).username()).isEqualTo("ops");
    }

    @Test
    void missingOrHalfCredentialsNameWhatToSet() throws Exception {
        assertThatThrownBy(() -> AirflowCredentials.resolve(null, Map.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(AirflowCredentials.ENV_USERNAME).hasMessageContaining("--credentials-file");
        assertThatThrownBy(() -> AirflowCredentials.resolve(null, Map.of(AirflowCredentials.ENV_USERNAME, "ops")))
                .hasMessageContaining("found only " + AirflowCredentials.ENV_USERNAME);
        Path file = tmp.resolve("bad.properties");
        Files.writeString(file, "user=ops\n");
        assertThatThrownBy(() -> AirflowCredentials.fromFile(file)).hasMessageContaining("'password='");
    }

    @Test
    void refusesAUrlCarryingCredentials() {
        assertThatThrownBy(() -> ClientSettings.of(URI.create("https://ops:pw-123@airflow.example.com"),
                ApiVersion.V1, Fixtures.CREDENTIALS))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("must not contain credentials")
                .hasMessageNotContaining("pw-123");
        assertThatThrownBy(() -> ClientSettings.of(URI.create("ftp://airflow"), ApiVersion.V1, Fixtures.CREDENTIALS))
                .hasMessageContaining("http(s)://");
    }

    @Test
    void backoffIsJitteredAndBoundedByTheCap() {
        RetryPolicy p = new RetryPolicy(10, Duration.ofMillis(100), Duration.ofMillis(1000));
        Random r = new Random(7);
        java.util.Set<Duration> seen = new java.util.HashSet<>();
        for (int attempt = 1; attempt <= 8; attempt++) {
            long cap = Math.min(1000, 100L << (attempt - 1));
            for (int i = 0; i < 50; i++) {
                Duration d = p.delayAfter(attempt, r);
                assertThat(d.toMillis()).isBetween(0L, cap);
                seen.add(d);
            }
        }
        assertThat(seen.size()).as("jitter spreads the delays").isGreaterThan(100);
    }

    @Test
    void detectsTheApiVersionTheServerSpeaks() throws Exception {
        for (ApiVersion v : ApiVersion.values()) {
            try (FakeAirflowServer server = Fixtures.server(v)) {
                assertThat(ApiVersionProbe.detect(Fixtures.settings(server, null), new Fixtures.RecordingSleeper()))
                        .isEqualTo(v);
            }
        }
    }

    @Test
    void aServerWithoutEitherApiIsReportedAsSuch() throws Exception {
        HttpServer plain = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        plain.createContext("/", ex -> {
            ex.sendResponseHeaders(404, -1);
            ex.close();
        });
        plain.start();
        try {
            ClientSettings s = ClientSettings.of(URI.create("http://127.0.0.1:" + plain.getAddress().getPort()),
                    null, Fixtures.CREDENTIALS);
            assertThatThrownBy(() -> ApiVersionProbe.detect(s, new Fixtures.RecordingSleeper()))
                    .isInstanceOf(AirflowNotFoundException.class)
                    .hasMessageContaining("/api/v2/version").hasMessageContaining("/api/v1/version");
        } finally {
            plain.stop(0);
        }
    }
}
