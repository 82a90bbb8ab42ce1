package dev.distillery.core.error;

/** Root of every error Distillery raises on purpose; carries the CLI exit code and whether a retry can help. */
public class DistilleryException extends RuntimeException {
    /** Exit code for bad input or configuration: retrying cannot help. */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code for transient or infrastructure failures: safe to retry. */
    public static final int EXIT_TRANSIENT = 3;
    /** Exit code for a failed quality gate. */
    public static final int EXIT_GATE_FAILED = 4;

    private final int exitCode;

    public DistilleryException(String message, int exitCode) {
        this(message, exitCode, null);
    }

    public DistilleryException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    public boolean retryable() {
        return exitCode == EXIT_TRANSIENT;
    }
}
