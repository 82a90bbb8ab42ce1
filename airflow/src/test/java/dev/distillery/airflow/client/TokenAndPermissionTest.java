package dev.distillery.airflow.client;

import dev.distillery.airflow.error.AirflowAuthException;
import dev.distillery.airflow.fake.FakeAirflowServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Airflow 3 rejects a token it cannot verify with 403 "Invalid JWT token", an expired one with 401, and a request
 * the user's roles forbid with 403 "Forbidden": the first two are renewed once, the last is an error.
 */
class TokenAndPermissionTest {
    @Test
    void theFakeAnswersEachKindOfBadTokenAsAirflow3Does() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V2)) {
            AirflowClient client = Fixtures.client(server, ApiVersion.V2, new Fixtures.RecordingSleeper());
            client.listDags();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> none = http.send(HttpRequest.newBuilder(server.url().resolve("/api/v2/dags"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> forged = http.send(HttpRequest.newBuilder(server.url().resolve("/api/v2/dags"))
                    .header("Authorization", "Bearer eyJhbGciOiJIUzUxMiJ9.e30.c2ln").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.body()).isEqualTo("{\"detail\":\"Not authenticated\"}");
            assertThat(forged.statusCode()).isEqualTo(403);
            assertThat(forged.body()).isEqualTo("{\"detail\":\"Invalid JWT token\"}");
        }
    }

    @Test
    void renewsATokenAirflowCannotVerifyOnceAndRepeatsTheRequest() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V2)) {
            AirflowClient client = Fixtures.client(server, ApiVersion.V2, new Fixtures.RecordingSleeper());
            client.listDags();
            // an API server restarted without a configured jwt_secret signs with a new one
            server.rotateSigningKey();
            assertThat(client.listDags()).hasSize(2);
            assertThat(client.tokensIssued()).isEqualTo(2);
            assertThat(server.count("GET", "/dags")).as("first call, rejected call, repeated call").isEqualTo(3);
        }
    }

    @Test
    void aFreshTokenRejectedTooNamesTheSharedJwtSecretAndIsNotRenewedAgain() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V2)) {
            server.rejectEveryToken();
            AirflowClient client = Fixtures.client(server, ApiVersion.V2, new Fixtures.RecordingSleeper());
            assertThatThrownBy(client::listDags).isInstanceOfSatisfying(AirflowAuthException.class, e -> {
                assertThat(e.status()).isEqualTo(403);
                assertThat(e.exitCode()).isEqualTo(2);
                assertThat(e.serverMessage()).isEqualTo("Invalid JWT token");
                assertThat(e.getMessage()).contains("[api_auth] jwt_secret").doesNotContain(Fixtures.PASSWORD);
            });
            assertThat(client.tokensIssued()).as("the first token and one renewal").isEqualTo(2);
            assertThat(server.count("GET", "/dags")).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void aPermissionTheUserLacksIsAnErrorNamingItWithoutRenewingTheToken(ApiVersion v) throws Exception {
        try (FakeAirflowServer server = Fixtures.server(v).deny("PATCH", "/dags/distillery_pipeline")) {
            AirflowClient client = Fixtures.client(server, v, new Fixtures.RecordingSleeper());
            assertThatThrownBy(() -> client.setPaused("distillery_pipeline", true))
                    .isInstanceOfSatisfying(AirflowAuthException.class, e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.exitCode()).isEqualTo(2);
                        assertThat(e.serverMessage()).isEqualTo("Forbidden");
                        assertThat(e.getMessage()).contains("User '" + Fixtures.USER + "' signed in",
                                "do not permit PATCH " + v.prefix() + "/dags/distillery_pipeline",
                                "grant the permission").doesNotContain("jwt_secret");
                    });
            assertThat(server.count("PATCH", "/dags/distillery_pipeline")).as("never repeated").isEqualTo(1);
            assertThat(client.tokensIssued()).isEqualTo(v == ApiVersion.V1 ? 0 : 1);
            assertThat(client.listDags()).as("other requests still work").hasSize(2);
        }
    }
}
