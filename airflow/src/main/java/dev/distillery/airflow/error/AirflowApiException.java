package dev.distillery.airflow.error;

import dev.distillery.core.error.DistilleryException;

/**
 * Airflow answered a request with an error, or did not answer at all. Carries the HTTP status (0 when there was no
 * answer), the server's own message, and how many attempts were made.
 */
public class AirflowApiException extends DistilleryException {
    private final int status;
    private final String serverMessage;
    private final int attempts;

    public AirflowApiException(String message, int exitCode, int status, String serverMessage, int attempts,
                               Throwable cause) {
        super(message, exitCode, cause);
        this.status = status;
        this.serverMessage = serverMessage;
        this.attempts = attempts;
    }

    /** HTTP status of the answer, 0 if no answer arrived. */
    public int status() {
        return status;
    }

    /** The server's own error text (problem JSON {@code detail}/{@code title}, or the body), empty if none. */
    public String serverMessage() {
        return serverMessage;
    }

    /** Number of attempts made before this error was raised (1 when it came on the first try). */
    public int attempts() {
        return attempts;
    }
}
