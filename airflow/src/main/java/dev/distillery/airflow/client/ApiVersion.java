package dev.distillery.airflow.client;

/** The two stable REST APIs: {@code /api/v1} of Airflow 2 and {@code /api/v2} of Airflow 3. */
public enum ApiVersion {
    /** Airflow 2: basic auth, RFC 7807 problem JSON errors. */
    V1("/api/v1", "/health"),
    /** Airflow 3: JWT from {@code POST /auth/token}, {@code {"detail": ...}} errors, 422 validation lists. */
    V2("/api/v2", "/monitor/health");

    private final String prefix;
    private final String healthPath;

    ApiVersion(String prefix, String healthPath) {
        this.prefix = prefix;
        this.healthPath = healthPath;
    }

    public String prefix() {
        return prefix;
    }

    String healthPath() {
        return healthPath;
    }

    /** Parses the CLI's {@code 1}/{@code 2} (also {@code v1}/{@code v2}). */
    public static ApiVersion parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "1", "v1" -> V1;
            case "2", "v2" -> V2;
            default -> throw new IllegalArgumentException("API version must be 1 or 2, was '" + s + "'");
        };
    }
}
