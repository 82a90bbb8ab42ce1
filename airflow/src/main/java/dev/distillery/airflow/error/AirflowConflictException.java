package dev.distillery.airflow.error;

/** The resource already exists (409), for example a DAG run with the same run id. */
public class AirflowConflictException extends AirflowRequestException {
    public AirflowConflictException(String message, String serverMessage, int attempts) {
        super(message, 409, serverMessage, attempts);
    }
}
