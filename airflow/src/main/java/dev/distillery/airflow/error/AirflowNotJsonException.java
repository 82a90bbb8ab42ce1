package dev.distillery.airflow.error;

/**
 * A successful answer that is not Airflow's JSON, typically a proxy's or single-sign-on login page in front of
 * Airflow, or a base URL that points at some other web server. Retrying cannot help: the URL or the way in is wrong.
 */
public class AirflowNotJsonException extends AirflowApiException {
    public AirflowNotJsonException(String message, int status, String serverMessage) {
        super(message, EXIT_BAD_INPUT, status, serverMessage, 1, null);
    }
}
