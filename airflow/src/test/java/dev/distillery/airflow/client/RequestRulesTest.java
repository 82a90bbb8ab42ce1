package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.airflow.error.AirflowValidationException;
import dev.distillery.airflow.fake.FakeAirflowServer;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Airflow 3's trigger rules, and that the client's 422 handling names every violation. The client itself never
 * sends such bodies; these go through its transport directly.
 */
class RequestRulesTest {
    private final ObjectMapper json = new ObjectMapper();

    private HttpTransport transport(FakeAirflowServer server, ApiVersion v) {
        ClientSettings s = Fixtures.settings(server, v);
        HttpTransport t = new HttpTransport(s, new Fixtures.RecordingSleeper(), new SecureRandom(), json);
        t.authenticator(v == ApiVersion.V1 ? Authenticator.basic(Fixtures.CREDENTIALS)
                : new JwtAuthenticator(Fixtures.CREDENTIALS));
        return t;
    }

    @Test
    void airflow3RejectsExecutionDateAndRequiresTheLogicalDateKey() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V2)) {
            ObjectNode body = json.createObjectNode().put("dag_run_id", "r1").put("execution_date",
                    "2026-01-01T00:00:00Z");
            assertThatThrownBy(() -> transport(server, ApiVersion.V2).send(ApiRequest.send("POST",
                    "/api/v2/dags/distillery_pipeline/dagRuns", Map.of(), body)))
                    .isInstanceOfSatisfying(AirflowValidationException.class, e -> {
                        assertThat(e.status()).isEqualTo(422);
                        assertThat(e.exitCode()).isEqualTo(2);
                        assertThat(e.violations()).containsExactlyInAnyOrder(
                                "body.execution_date: Extra inputs are not permitted",
                                "body.logical_date: Field required");
                        assertThat(e.getMessage()).contains("body.logical_date: Field required");
                    });
            assertThat(server.runCount("distillery_pipeline")).isZero();
        }
    }

    @Test
    void airflow2AcceptsATriggerWithoutLogicalDate() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V1)) {
            ObjectNode body = json.createObjectNode().put("dag_run_id", "r1");
            assertThat(transport(server, ApiVersion.V1).send(ApiRequest.send("POST",
                    "/api/v1/dags/distillery_pipeline/dagRuns", Map.of(), body)).get("logical_date").asText())
                    .isNotBlank();
        }
    }

    @Test
    void theClientsOwnTriggerBodySatisfiesBothVersions() throws Exception {
        for (ApiVersion v : ApiVersion.values()) {
            try (FakeAirflowServer server = Fixtures.server(v)) {
                Fixtures.client(server, v, new Fixtures.RecordingSleeper()).trigger("distillery_pipeline", "r1",
                        json.createObjectNode());
                assertThat(server.runCount("distillery_pipeline")).as(v.name()).isEqualTo(1);
            }
        }
    }
}
