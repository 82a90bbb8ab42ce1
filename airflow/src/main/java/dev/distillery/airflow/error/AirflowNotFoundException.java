package dev.distillery.airflow.error;

/** The DAG, run, task or log asked for does not exist (404). */
public class AirflowNotFoundException extends AirflowRequestException {
    public AirflowNotFoundException(String message, String serverMessage, int attempts) {
        super(message, 404, serverMessage, attempts);
    }
}
