package dev.distillery.airflow.client;

/**
 * Supplies the {@code Authorization} header. Basic auth for API version 1; a JWT from {@code POST /auth/token},
 * fetched on first use and again when the server rejects it (401, or 403 "Invalid JWT token"), for version 2.
 */
interface Authenticator {
    /** The header value for the next request. */
    String authorization(HttpTransport transport);

    /** Forgets a token the server rejected; true if asking again can help (a fresh token), false for basic auth. */
    boolean invalidate();

    static Authenticator basic(AirflowCredentials c) {
        String token = java.util.Base64.getEncoder().encodeToString(
                (c.username() + ":" + c.password()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return new Authenticator() {
            @Override
            public String authorization(HttpTransport transport) {
                return "Basic " + token;
            }

            @Override
            public boolean invalidate() {
                return false;
            }
        };
    }
}
