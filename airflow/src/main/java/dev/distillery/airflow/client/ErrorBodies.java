package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.airflow.error.AirflowApiException;
import dev.distillery.airflow.error.AirflowAuthException;
import dev.distillery.airflow.error.AirflowConflictException;
import dev.distillery.airflow.error.AirflowNotFoundException;
import dev.distillery.airflow.error.AirflowRequestException;
import dev.distillery.airflow.error.AirflowServerException;
import dev.distillery.airflow.error.AirflowValidationException;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns Airflow's error answers into typed exceptions carrying the server's message. Airflow 2 sends RFC 7807
 * problem JSON ({@code title}, {@code status}, {@code detail}); Airflow 3 sends {@code {"detail": "..."}}, a
 * {@code detail} object (unique-constraint errors), or a 422 list of {@code {"loc": [...], "msg": ...}} entries.
 */
final class ErrorBodies {
    private static final int MAX_TEXT = 400;
    /** Airflow 2's API checks only the web session unless basic auth is switched on, and then answers 401. */
    static final String V1_BASIC_AUTH = "Airflow 2 takes a user name and password only when its [api] auth_backends "
            + "setting includes airflow.api.auth.backend.basic_auth (the default is session only); check that and "
            + "the credentials";

    private ErrorBodies() {
    }

    static AirflowApiException toException(ObjectMapper json, ApiRequest request, int status, String body,
                                           int attempts) {
        List<String> violations = new ArrayList<>();
        String server = serverMessage(json, body, violations);
        String message = "Airflow answered " + status + " to " + request.describe()
                + (server.isEmpty() ? "" : ": " + server)
                + (attempts > 1 ? " (after " + attempts + " attempts)" : "");
        if (status == 401 && request.path().startsWith(ApiVersion.V1.prefix() + "/")) {
            message += ". " + V1_BASIC_AUTH;
        }
        if (status >= 500) {
            return new AirflowServerException(message, status, server, attempts);
        }
        return switch (status) {
            case 401, 403 -> new AirflowAuthException(message, status, server, attempts);
            case 404 -> new AirflowNotFoundException(message, server, attempts);
            case 409 -> new AirflowConflictException(message, server, attempts);
            case 400, 422 -> new AirflowValidationException(message, status, server, violations, attempts);
            default -> new AirflowRequestException(message, status, server, attempts);
        };
    }

    private static String serverMessage(ObjectMapper json, String body, List<String> violations) {
        if (body == null || body.isBlank()) {
            return "";
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (Exception e) {
            return clip(body.strip());
        }
        if (node == null || !node.isObject()) {
            return clip(body.strip());
        }
        JsonNode detail = node.get("detail");
        if (detail != null && detail.isArray()) {
            for (JsonNode v : detail) {
                violations.add(violation(v));
            }
            return String.join("; ", violations);
        }
        if (detail != null && detail.isObject()) {
            JsonNode reason = detail.get("reason");
            return clip(reason != null ? reason.asText() : detail.toString());
        }
        if (detail != null && !detail.isNull() && !detail.asText().isBlank()) {
            return clip(detail.asText());
        }
        JsonNode title = node.get("title");
        return title != null && !title.isNull() ? clip(title.asText()) : clip(body.strip());
    }

    /** A 422 entry as "body.logical_date: Field required". */
    private static String violation(JsonNode v) {
        if (!v.isObject()) {
            return v.asText();
        }
        List<String> loc = new ArrayList<>();
        v.path("loc").forEach(p -> loc.add(p.asText()));
        String msg = v.path("msg").asText(v.toString());
        return loc.isEmpty() ? msg : String.join(".", loc) + ": " + msg;
    }

    private static String clip(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "...";
    }
}
