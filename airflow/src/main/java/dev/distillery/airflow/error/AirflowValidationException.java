package dev.distillery.airflow.error;

import java.util.List;

/**
 * Airflow found the request body invalid (400, or 422 with a list of field errors); {@link #violations()} lists
 * them as {@code location: message}.
 */
public class AirflowValidationException extends AirflowRequestException {
    private final List<String> violations;

    public AirflowValidationException(String message, int status, String serverMessage, List<String> violations,
                                      int attempts) {
        super(message, status, serverMessage, attempts);
        this.violations = List.copyOf(violations);
    }

    public List<String> violations() {
        return violations;
    }
}
