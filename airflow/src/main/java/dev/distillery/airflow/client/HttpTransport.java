package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.distillery.airflow.error.AirflowApiException;
import dev.distillery.airflow.error.AirflowNotJsonException;
import dev.distillery.airflow.error.AirflowServerException;
import dev.distillery.airflow.error.AirflowUnavailableException;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Sends requests to Airflow: JSON in and out, a timeout per request, retries with jittered exponential backoff on
 * 5xx answers and on connection errors (refused, dropped, timed out), never on 4xx. An authenticated request whose
 * token Airflow 3 rejects (401, or 403 "Invalid JWT token" for a token it cannot verify) renews the JWT once and
 * repeats the request; any other 403 is a permission the user lacks, and an error. A successful answer that is not
 * JSON (a proxy's login page) is a configuration error, never retried. Nothing here logs a header or a request body.
 */
final class HttpTransport {
    /** How much of an unexpected answer an error message quotes. */
    static final int FIRST_CHARS = 120;

    private final HttpClient http;
    private final URI base;
    private final Duration requestTimeout;
    private final RetryPolicy retry;
    private final Sleeper sleeper;
    private final RandomGenerator random;
    private final ObjectMapper json;
    private final String username;
    private Authenticator auth;

    HttpTransport(ClientSettings settings, Sleeper sleeper, RandomGenerator random, ObjectMapper json) {
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                // Plain HTTP/1.1: no h2c upgrade header for servers and proxies in front of Airflow to trip on.
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.base = settings.baseUrl();
        this.requestTimeout = settings.requestTimeout();
        this.retry = settings.retry();
        this.sleeper = sleeper;
        this.random = random;
        this.json = json;
        this.username = settings.credentials() == null ? null : settings.credentials().username();
    }

    void authenticator(Authenticator a) {
        this.auth = a;
    }

    ObjectMapper json() {
        return json;
    }

    URI base() {
        return base;
    }

    /** Sends the request, retrying as described above; returns the JSON body (JSON null for an empty one). */
    JsonNode send(ApiRequest request) {
        boolean renewed = false;
        AirflowApiException last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (attempt > 1) {
                pause(retry.delayAfter(attempt - 1, random), request);
            }
            HttpResponse<String> response;
            try {
                response = http.send(build(request), HttpResponse.BodyHandlers.ofString());
            } catch (HttpTimeoutException e) {
                last = new AirflowUnavailableException("Airflow did not answer " + request.describe() + " within "
                        + requestTimeout.toMillis() + " ms" + after(attempt), attempt, e);
                continue;
            } catch (IOException e) {
                last = new AirflowUnavailableException("no answer from Airflow at " + base + " to "
                        + request.describe() + ": " + e + after(attempt), attempt, e);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AirflowUnavailableException("interrupted while calling " + request.describe(), attempt, e);
            }
            int status = response.statusCode();
            boolean tokenRejected = ErrorBodies.rejectsToken(json, status, response.body());
            if (tokenRejected && request.authenticated() && !renewed && auth.invalidate()) {
                // An expired or unverifiable token: fetch a new one and repeat, not counted as a failed attempt.
                renewed = true;
                attempt--;
                continue;
            }
            if (status >= 200 && status < 300) {
                return parse(response, request);
            }
            AirflowApiException error = ErrorBodies.toException(json, request, status, response.body(), attempt,
                    username, renewed && tokenRejected);
            if (!(error instanceof AirflowServerException)) {
                throw error;
            }
            last = error;
        }
        throw last;
    }

    private static String after(int attempt) {
        return attempt > 1 ? " (after " + attempt + " attempts)" : "";
    }

    private HttpRequest build(ApiRequest request) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + request.target()))
                .timeout(requestTimeout)
                .header("Accept", "application/json");
        if (request.authenticated()) {
            b.header("Authorization", auth.authorization(this));
        }
        if (request.body() != null) {
            b.header("Content-Type", "application/json");
            b.method(request.method(), HttpRequest.BodyPublishers.ofString(request.body().toString()));
        } else {
            b.method(request.method(), HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    private JsonNode parse(HttpResponse<String> response, ApiRequest request) {
        String body = response.body();
        if (body == null || body.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            String type = response.headers().firstValue("Content-Type").orElse("no Content-Type");
            String start = body.strip();
            start = start.substring(0, Math.min(FIRST_CHARS, start.length())).replaceAll("\\s+", " ");
            throw new AirflowNotJsonException("the answer to " + request.describe() + " is not Airflow's JSON: "
                    + "expected application/json, got " + response.statusCode() + " " + type + " starting \""
                    + start + "\"; is " + base + " the Airflow web server's root, and not a login page in front of "
                    + "it?", response.statusCode(), start);
        }
    }

    private void pause(Duration d, ApiRequest request) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AirflowUnavailableException("interrupted while retrying " + request.describe(), 1, e);
        }
    }
}
