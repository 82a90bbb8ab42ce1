package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.airflow.error.AirflowApiException;
import dev.distillery.airflow.error.AirflowAuthException;
import dev.distillery.airflow.error.AirflowConflictException;
import dev.distillery.airflow.error.AirflowRequestException;
import dev.distillery.airflow.error.AirflowServerException;
import dev.distillery.airflow.error.AirflowValidationException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Both versions' error bodies become typed exceptions with the server's own words. */
class ErrorBodiesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final ApiRequest get = ApiRequest.get("/api/v1/dags/x", Map.of());

    private AirflowApiException of(int status, String body) {
        return ErrorBodies.toException(json, get, status, body, 1);
    }

    @Test
    void readsProblemJsonDetail() {
        AirflowApiException e = of(409, "{\"detail\":\"DAGRun with DAG ID: 'x' and DAGRun ID: 'r' already exists\","
                + "\"status\":409,\"title\":\"Conflict\",\"type\":\"about:blank\"}");
        assertThat(e).isInstanceOf(AirflowConflictException.class);
        assertThat(e.serverMessage()).isEqualTo("DAGRun with DAG ID: 'x' and DAGRun ID: 'r' already exists");
        assertThat(e.getMessage()).isEqualTo("Airflow answered 409 to GET /api/v1/dags/x: " + e.serverMessage());
    }

    @Test
    void fallsBackToTheProblemTitleWithoutDetail() {
        AirflowApiException e = of(403, "{\"status\":403,\"title\":\"Forbidden\",\"type\":\"about:blank\"}");
        assertThat(e).isInstanceOf(AirflowAuthException.class);
        assertThat(e.serverMessage()).isEqualTo("Forbidden");
    }

    @Test
    void readsAirflow3DetailObjectsAndValidationLists() {
        assertThat(of(409, "{\"detail\":{\"reason\":\"Unique constraint violation\",\"statement\":\"INSERT\"}}")
                .serverMessage()).isEqualTo("Unique constraint violation");
        AirflowApiException e = of(422, "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"logical_date\"],"
                + "\"msg\":\"Field required\"},{\"type\":\"int_parsing\",\"loc\":[\"query\",\"limit\"],"
                + "\"msg\":\"Input should be a valid integer\"}]}");
        assertThat(e).isInstanceOfSatisfying(AirflowValidationException.class, v -> assertThat(v.violations())
                .containsExactly("body.logical_date: Field required", "query.limit: Input should be a valid integer"));
    }

    @Test
    void keepsANonJsonBodyAndClassifiesByStatus() {
        AirflowApiException e = of(502, "<html>Bad Gateway</html>");
        assertThat(e).isInstanceOf(AirflowServerException.class);
        assertThat(e.retryable()).isTrue();
        assertThat(e.serverMessage()).isEqualTo("<html>Bad Gateway</html>");
        assertThat(of(418, "")).isExactlyInstanceOf(AirflowRequestException.class);
    }

    @Test
    void onlyA401OrAirflow3sInvalidTokenAnswerRejectsTheToken() {
        assertThat(ErrorBodies.rejectsToken(json, 401, "{\"detail\":\"Token Expired\"}")).isTrue();
        assertThat(ErrorBodies.rejectsToken(json, 401, "")).isTrue();
        assertThat(ErrorBodies.rejectsToken(json, 403, "{\"detail\":\"Invalid JWT token\"}")).isTrue();
        assertThat(ErrorBodies.rejectsToken(json, 403, "{\"detail\":\"Forbidden\"}")).isFalse();
        assertThat(ErrorBodies.rejectsToken(json, 403, "{\"status\":403,\"title\":\"Forbidden\","
                + "\"type\":\"about:blank\"}")).as("Airflow 2's PermissionDenied").isFalse();
        assertThat(ErrorBodies.rejectsToken(json, 403, "<html>Invalid JWT token</html>")).isFalse();
        assertThat(ErrorBodies.rejectsToken(json, 404, "{\"detail\":\"Invalid JWT token\"}")).isFalse();
    }
}
