package dev.distillery.airflow.error;

/** Airflow refused the request (a 4xx answer other than the more specific ones); retrying cannot help. */
public class AirflowRequestException extends AirflowApiException {
    public AirflowRequestException(String message, int status, String serverMessage, int attempts) {
        super(message, EXIT_BAD_INPUT, status, serverMessage, attempts, null);
    }
}
