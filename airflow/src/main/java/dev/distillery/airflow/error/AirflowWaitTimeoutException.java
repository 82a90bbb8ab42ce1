package dev.distillery.airflow.error;

/** A DAG run was still not finished when the wait's time limit ran out; waiting again may succeed. */
public class AirflowWaitTimeoutException extends AirflowApiException {
    public AirflowWaitTimeoutException(String message) {
        super(message, EXIT_TRANSIENT, 0, "", 1, null);
    }
}
