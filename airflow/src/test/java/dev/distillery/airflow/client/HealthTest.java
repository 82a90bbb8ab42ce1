package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.airflow.fake.FakeAirflowServer;
import dev.distillery.airflow.model.Health;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Health judges the components that report a status; one reported as null is not part of the deployment. */
class HealthTest {
    @Test
    void aDefaultAirflow2IsHealthyThoughItRunsNoStandaloneDagProcessorOrTriggerer() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V1)) {
            Health health = Fixtures.client(server, ApiVersion.V1, new Fixtures.RecordingSleeper()).health();
            assertThat(health.healthy()).isTrue();
            assertThat(health.components()).containsOnlyKeys("metadatabase", "scheduler");
            assertThat(health.unreported()).containsExactlyInAnyOrder("dag_processor", "triggerer");
        }
    }

    @Test
    void readsAirflow2sOwnAnswerWithNullStatuses() throws Exception {
        // GET /api/v1/health of Airflow 2.10 with the DAG processor inside the scheduler and no triggerer
        String answer = "{\"dag_processor\": {\"latest_dag_processor_heartbeat\": null, \"status\": null},"
                + " \"metadatabase\": {\"status\": \"healthy\"},"
                + " \"scheduler\": {\"latest_scheduler_heartbeat\": \"2026-01-01T00:00:00.000000+00:00\","
                + " \"status\": \"healthy\"},"
                + " \"triggerer\": {\"latest_triggerer_heartbeat\": null, \"status\": null}}";
        Health health = Health.fromJson(new ObjectMapper().readTree(answer));
        assertThat(health.healthy()).isTrue();
        assertThat(health.components()).containsEntry("scheduler", "healthy").hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(ApiVersion.class)
    void anUnhealthySchedulerOrDatabaseMakesAirflowUnhealthy(ApiVersion v) throws Exception {
        for (String component : new String[]{"scheduler", "metadatabase"}) {
            try (FakeAirflowServer server = Fixtures.server(v).health(component, "unhealthy")) {
                Health health = Fixtures.client(server, v, new Fixtures.RecordingSleeper()).health();
                assertThat(health.healthy()).as(v + " " + component).isFalse();
                assertThat(health.components()).containsEntry(component, "unhealthy");
            }
        }
    }

    @Test
    void aTriggererJudgedOnlyWhenItReportsAStatus() throws Exception {
        try (FakeAirflowServer server = Fixtures.server(ApiVersion.V2)) {
            AirflowClient client = Fixtures.client(server, ApiVersion.V2, new Fixtures.RecordingSleeper());
            assertThat(client.health().components()).containsOnlyKeys("metadatabase", "scheduler", "triggerer",
                    "dag_processor");
            assertThat(client.health().healthy()).isTrue();
            server.health("triggerer", null);
            assertThat(client.health().healthy()).as("no triggerer has run").isTrue();
            server.health("triggerer", "unhealthy");
            assertThat(client.health().healthy()).as("the triggerer stopped heartbeating").isFalse();
            server.health("triggerer", "healthy").health("dag_processor", "unhealthy");
            assertThat(client.health().healthy()).isFalse();
        }
    }

    @Test
    void anAnswerWithoutAnyStatusIsNotHealthy() throws Exception {
        Health health = Health.fromJson(new ObjectMapper().readTree("{\"scheduler\": {\"status\": null}}"));
        assertThat(health.healthy()).isFalse();
        assertThat(health.unreported()).containsExactly("scheduler");
    }
}
