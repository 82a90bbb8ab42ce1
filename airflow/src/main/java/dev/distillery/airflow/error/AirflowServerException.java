package dev.distillery.airflow.error;

/** Airflow answered with a server error (5xx) on every attempt; running the command again may succeed. */
public class AirflowServerException extends AirflowApiException {
    public AirflowServerException(String message, int status, String serverMessage, int attempts) {
        super(message, EXIT_TRANSIENT, status, serverMessage, attempts, null);
    }
}
