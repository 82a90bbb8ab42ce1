package dev.distillery.airflow.error;

/** Airflow rejected the credentials (401) or the user may not do this (403). */
public class AirflowAuthException extends AirflowRequestException {
    public AirflowAuthException(String message, int status, String serverMessage, int attempts) {
        super(message, status, serverMessage, attempts);
    }
}
