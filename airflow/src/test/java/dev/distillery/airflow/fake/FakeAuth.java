package dev.distillery.airflow.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.airflow.client.ApiVersion;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may call the fake Airflow, answered as the real one answers. Airflow 2: basic auth, 401 for wrong or missing
 * credentials. Airflow 3: tokens from {@code POST /auth/token}; 401 "Not authenticated" without one, 401 "Token
 * Expired" for an expired one, 403 "Invalid JWT token" for one whose signature does not verify. Both: 403 for a
 * request the user's roles do not permit.
 */
final class FakeAuth {
    private record Rule(String method, String pathPart) {
    }

    private final ApiVersion version;
    private final String username;
    private final String password;
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final Set<String> expiredTokens = ConcurrentHashMap.newKeySet();
    private final List<Rule> denied = Collections.synchronizedList(new ArrayList<>());
    private volatile int tokensIssued;
    private volatile boolean rejectAllTokens;

    FakeAuth(ApiVersion version, String username, String password) {
        this.version = version;
        this.username = username;
        this.password = password;
    }

    int tokensIssued() {
        return tokensIssued;
    }

    void expireTokens() {
        expiredTokens.addAll(validTokens);
        validTokens.clear();
    }

    void rotateSigningKey() {
        validTokens.clear();
        expiredTokens.clear();
    }

    void rejectEveryToken() {
        rejectAllTokens = true;
        rotateSigningKey();
    }

    void deny(String method, String pathPart) {
        denied.add(new Rule(method, pathPart));
    }

    /** {@code POST /auth/token}: a new token for the right user name and password. */
    JsonNode token(ObjectMapper json, JsonNode body) {
        if (!username.equals(body.path("username").asText()) || !password.equals(body.path("password").asText())) {
            throw new HttpError(401, "Unauthorized", "Invalid credentials", null);
        }
        String token = UUID.randomUUID().toString();
        if (!rejectAllTokens) {
            validTokens.add(token);
        }
        tokensIssued++;
        return json.createObjectNode().put("access_token", token);
    }

    /** Checks the Authorization header, then whether the user may make this request. */
    void check(String header, String method, String rawPath) {
        authenticate(header);
        synchronized (denied) {
            for (Rule r : denied) {
                if (r.method.equals(method) && rawPath.contains(r.pathPart)) {
                    // Airflow 2's PermissionDenied problem has a title and no detail; Airflow 3 says "Forbidden".
                    throw new HttpError(403, "Forbidden", version == ApiVersion.V1 ? null : "Forbidden", null);
                }
            }
        }
    }

    private void authenticate(String header) {
        if (version == ApiVersion.V1) {
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (username + ":" + password).getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(header)) {
                throw new HttpError(401, "Unauthorized", "No credentials found, or the credentials are not valid",
                        null);
            }
            return;
        }
        if (header == null || !header.startsWith("Bearer ")) {
            throw new HttpError(401, "Unauthorized", "Not authenticated", null);
        }
        String token = header.substring("Bearer ".length());
        if (expiredTokens.contains(token)) {
            throw new HttpError(401, "Unauthorized", "Token Expired", null);
        }
        if (!validTokens.contains(token)) {
            // Airflow 3 answers a token whose signature it cannot check with 403, not 401.
            throw new HttpError(403, "Forbidden", "Invalid JWT token", null);
        }
    }
}
