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

    /** Airflow 3's answer (403) to a bearer token it cannot verify: signed with another secret, or malformed. */
    static final String INVALID_JWT = "Invalid JWT token";
    /** Airflow 3 signs and checks tokens with [api_auth] jwt_secret; a token signed by another key never verifies. */
    static final String V2_TOKEN_REJECTED = "Airflow does not accept the token it issued just now: every Airflow 3 "
            + "API server behind this URL must be configured with the same [api_auth] jwt_secret "
            + "(AIRFLOW__API_AUTH__JWT_SECRET)";

    private ErrorBodies() {
    }

    /**
     * Whether the answer rejects the request's token rather than the request: any 401, or Airflow 3's 403 whose
     * detail is exactly "Invalid JWT token". A 403 with any other detail ("Forbidden") is a permission the user lacks.
     */
    static boolean rejectsToken(ObjectMapper json, int status, String body) {
        if (status == 401) {
            return true;
        }
        if (status != 403 || body == null || body.isBlank()) {
            return false;
        }
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.isObject() && INVALID_JWT.equals(node.path("detail").asText(null));
        } catch (Exception e) {
            return false;
        }
    }

    static AirflowApiException toException(ObjectMapper json, ApiRequest request, int status, String body,
                                           int attempts) {
        return toException(json, request, status, body, attempts, null, false);
    }

    /**
     * The exception for an error answer. {@code user} names the account in a permission message (null when unknown);
     * {@code renewedToken} says a fresh token was fetched for this request and rejected too.
     */
    static AirflowApiException toException(ObjectMapper json, ApiRequest request, int status, String body,
                                           int attempts, String user, boolean renewedToken) {
        List<String> violations = new ArrayList<>();
        String server = serverMessage(json, body, violations);
        String message = "Airflow answered " + status + " to " + request.describe()
                + (server.isEmpty() ? "" : ": " + server)
                + (attempts > 1 ? " (after " + attempts + " attempts)" : "");
        if (status == 401 && request.path().startsWith(ApiVersion.V1.prefix() + "/")) {
            message += ". " + V1_BASIC_AUTH;
        } else if (renewedToken && status == 403) {
            message += ". " + V2_TOKEN_REJECTED;
        } else if (status == 403 && request.authenticated()) {
            message += ". " + (user == null ? "The user" : "User '" + user + "'") + " signed in, but Airflow's roles "
                    + "do not permit " + request.describe() + "; an Airflow admin must grant the permission (new "
                    + "credentials for the same user will not help)";
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
