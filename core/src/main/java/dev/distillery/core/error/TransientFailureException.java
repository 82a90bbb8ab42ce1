package dev.distillery.core.error;

/** Infrastructure failed (I/O, lost executors, cluster unavailable); running the stage again may succeed. */
public class TransientFailureException extends DistilleryException {
    public TransientFailureException(String message, Throwable cause) {
        super(message, EXIT_TRANSIENT, cause);
    }
}
