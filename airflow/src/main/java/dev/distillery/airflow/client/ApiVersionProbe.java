package dev.distillery.airflow.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.airflow.error.AirflowNotFoundException;
import dev.distillery.airflow.error.AirflowRequestException;

import java.security.SecureRandom;
import java.util.Map;

/**
 * Finds which REST API a server speaks: {@code GET /api/v2/version}, then {@code GET /api/v1/version}. Any answer
 * but 404 (including 401: the endpoint exists, it wants credentials) means the version is served.
 */
public final class ApiVersionProbe {
    private ApiVersionProbe() {
    }

    public static ApiVersion detect(ClientSettings settings, Sleeper sleeper) {
        HttpTransport transport = new HttpTransport(settings, sleeper, new SecureRandom(), new ObjectMapper());
        for (ApiVersion v : new ApiVersion[]{ApiVersion.V2, ApiVersion.V1}) {
            try {
                transport.send(new ApiRequest("GET", v.prefix() + "/version", Map.of(), null, false));
                return v;
            } catch (AirflowNotFoundException e) {
                // not this version; try the next
            } catch (AirflowRequestException e) {
                return v;
            }
        }
        throw new AirflowNotFoundException("no Airflow REST API at " + settings.baseUrl()
                + ": GET /api/v2/version and GET /api/v1/version both answered 404 (is the URL the web server's "
                + "root?)", "", 1);
    }
}
