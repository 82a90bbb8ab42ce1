package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** One call to Airflow: method, path below the base URL, query parameters and an optional JSON body. */
record ApiRequest(String method, String path, Map<String, String> query, JsonNode body, boolean authenticated) {
    ApiRequest {
        query = query == null ? Map.of() : new LinkedHashMap<>(query);
    }

    static ApiRequest get(String path, Map<String, String> query) {
        return new ApiRequest("GET", path, query, null, true);
    }

    static ApiRequest send(String method, String path, Map<String, String> query, JsonNode body) {
        return new ApiRequest(method, path, query, body, true);
    }

    /** Path and query string, as it goes on the wire. */
    String target() {
        if (query.isEmpty()) {
            return path;
        }
        StringBuilder sb = new StringBuilder(path).append('?');
        query.forEach((k, v) -> {
            if (sb.charAt(sb.length() - 1) != '?') {
                sb.append('&');
            }
            sb.append(encode(k)).append('=').append(encode(v));
        });
        return sb.toString();
    }

    /** "METHOD /path" for messages (no query: continuation tokens are long and meaningless to a reader). */
    String describe() {
        return method + " " + path;
    }

    /** Encodes one path segment or query value (a space is %20, never '+'). */
    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
