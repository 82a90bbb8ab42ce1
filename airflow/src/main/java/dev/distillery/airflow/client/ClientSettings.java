package dev.distillery.airflow.client;

import dev.distillery.core.error.InvalidConfigException;

import java.net.URI;
import java.time.Duration;

/**
 * Where Airflow is and how to talk to it. The base URL is the web server's root (the one the UI is served at);
 * it must not carry credentials.
 */
public record ClientSettings(URI baseUrl, ApiVersion apiVersion, AirflowCredentials credentials,
                             Duration connectTimeout, Duration requestTimeout, RetryPolicy retry) {
    public ClientSettings {
        if (baseUrl == null || baseUrl.getScheme() == null
                || !(baseUrl.getScheme().equals("http") || baseUrl.getScheme().equals("https"))
                || baseUrl.getHost() == null) {
            throw new InvalidConfigException("Airflow URL must be http(s)://host[:port][/path], was " + baseUrl);
        }
        if (baseUrl.getUserInfo() != null) {
            throw new InvalidConfigException("Airflow URL must not contain credentials; set them in the environment "
                    + "or a credentials file (URL host was " + baseUrl.getHost() + ")");
        }
        if (requestTimeout.isZero() || requestTimeout.isNegative() || connectTimeout.isZero()
                || connectTimeout.isNegative()) {
            throw new InvalidConfigException("Airflow timeouts must be > 0, were connect " + connectTimeout
                    + " and request " + requestTimeout);
        }
        String s = baseUrl.toString();
        baseUrl = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    public static ClientSettings of(URI baseUrl, ApiVersion version, AirflowCredentials credentials) {
        return new ClientSettings(baseUrl, version, credentials, Duration.ofSeconds(10), Duration.ofSeconds(30),
                RetryPolicy.defaults());
    }

    public ClientSettings withApiVersion(ApiVersion v) {
        return new ClientSettings(baseUrl, v, credentials, connectTimeout, requestTimeout, retry);
    }

    public ClientSettings withTimeouts(Duration connect, Duration request) {
        return new ClientSettings(baseUrl, apiVersion, credentials, connect, request, retry);
    }

    public ClientSettings withRetry(RetryPolicy r) {
        return new ClientSettings(baseUrl, apiVersion, credentials, connectTimeout, requestTimeout, r);
    }
}
