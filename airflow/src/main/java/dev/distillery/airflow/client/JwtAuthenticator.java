package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distillery.airflow.error.AirflowAuthException;
import dev.distillery.airflow.error.AirflowRequestException;

import java.util.Map;

/** Airflow 3's bearer tokens: {@code POST /auth/token} with the credentials, renewed when Airflow rejects one. */
final class JwtAuthenticator implements Authenticator {
    static final String TOKEN_PATH = "/auth/token";

    private final AirflowCredentials credentials;
    private String token;
    private int issued;

    JwtAuthenticator(AirflowCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    public synchronized String authorization(HttpTransport transport) {
        if (token == null) {
            token = fetch(transport);
            issued++;
        }
        return "Bearer " + token;
    }

    @Override
    public synchronized boolean invalidate() {
        token = null;
        return true;
    }

    /** How many tokens this client has obtained (a renewal makes it 2). */
    synchronized int tokensIssued() {
        return issued;
    }

    private String fetch(HttpTransport transport) {
        ObjectNode body = transport.json().createObjectNode()
                .put("username", credentials.username())
                .put("password", credentials.password());
        JsonNode answer;
        try {
            answer = transport.send(new ApiRequest("POST", TOKEN_PATH, Map.of(), body, false));
        } catch (AirflowRequestException e) {
            // The server's text is kept; the request body (the password) never reaches a message.
            throw new AirflowAuthException("Airflow refused a token for user '" + credentials.username() + "': "
                    + e.getMessage(), e.status(), e.serverMessage(), e.attempts());
        }
        JsonNode t = answer.get("access_token");
        if (t == null || t.asText().isBlank()) {
            throw new AirflowAuthException("Airflow's answer to POST " + TOKEN_PATH + " has no access_token", 200,
                    "", 1);
        }
        return t.asText();
    }
}
