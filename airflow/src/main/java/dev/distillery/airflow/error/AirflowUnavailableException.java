package dev.distillery.airflow.error;

/** No answer arrived: connection refused or dropped, or slower than the timeout, on every attempt. */
public class AirflowUnavailableException extends AirflowApiException {
    public AirflowUnavailableException(String message, int attempts, Throwable cause) {
        super(message, EXIT_TRANSIENT, 0, "", attempts, cause);
    }
}
