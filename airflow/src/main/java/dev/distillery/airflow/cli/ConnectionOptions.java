package dev.distillery.airflow.cli;

import dev.distillery.airflow.client.AirflowClient;
import dev.distillery.airflow.client.AirflowCredentials;
import dev.distillery.airflow.client.ApiVersion;
import dev.distillery.airflow.client.ApiVersionProbe;
import dev.distillery.airflow.client.ClientSettings;
import dev.distillery.airflow.client.RetryPolicy;
import dev.distillery.core.error.InvalidConfigException;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/** Where Airflow is and how to reach it; shared by every {@code distillery airflow} command. */
final class ConnectionOptions {
    @Option(names = "--url", paramLabel = "URL",
            description = "Airflow web server root, e.g. https://airflow.example.com (default: $DISTILLERY_AIRFLOW_URL).")
    String url;

    @Option(names = "--api-version", paramLabel = "auto|1|2", defaultValue = "auto",
            description = "REST API version: 1 (Airflow 2), 2 (Airflow 3), or auto to ask the server "
                    + "(default: ${DEFAULT-VALUE}).")
    String apiVersion;

    @Option(names = "--credentials-file", paramLabel = "FILE",
            description = "File with username= and password= lines (default: the environment, see below).")
    Path credentialsFile;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Time limit of each HTTP request (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "4",
            description = "Attempts per request on 5xx answers and connection errors, with jittered backoff "
                    + "(default: ${DEFAULT-VALUE}).")
    int attempts;

    AirflowClient connect(AirflowCommand root) {
        String u = url != null ? url : root.env.get(AirflowCommand.ENV_URL);
        if (u == null || u.isBlank()) {
            throw new InvalidConfigException("no Airflow URL: pass --url or set " + AirflowCommand.ENV_URL);
        }
        if (timeoutSeconds <= 0) {
            throw new InvalidConfigException("--timeout must be > 0 seconds, was " + timeoutSeconds);
        }
        if (attempts < 1) {
            throw new InvalidConfigException("--attempts must be >= 1, was " + attempts);
        }
        URI uri;
        try {
            uri = URI.create(u.trim());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("Airflow URL is not a URL: " + e.getMessage());
        }
        Duration timeout = Duration.ofMillis(Math.max(1, (long) (timeoutSeconds * 1000)));
        AirflowCredentials credentials = AirflowCredentials.resolve(credentialsFile, root.env);
        ClientSettings settings = ClientSettings.of(uri, null, credentials)
                .withTimeouts(timeout, timeout)
                .withRetry(new RetryPolicy(attempts, RetryPolicy.defaults().baseDelay(),
                        RetryPolicy.defaults().maxDelay()));
        ApiVersion version;
        if (apiVersion.equalsIgnoreCase("auto")) {
            version = ApiVersionProbe.detect(settings, root.sleeper);
        } else {
            try {
                version = ApiVersion.parse(apiVersion);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException("--api-version must be auto, 1 or 2, was '" + apiVersion + "'");
            }
        }
        return new AirflowClient(settings.withApiVersion(version), root.sleeper);
    }
}
