package dev.distillery.student.mcu;

import dev.distillery.core.error.DistilleryException;

/**
 * A compiler, symbol tool or emulator run failed; the message holds the command and its output. A run that timed
 * out or could not start may succeed when retried (exit code 3); a tool that rejected its input will fail again
 * (exit code 2).
 */
public class McuToolException extends DistilleryException {
    public McuToolException(String message, boolean retryable) {
        super(message, retryable ? EXIT_TRANSIENT : EXIT_BAD_INPUT);
    }

    public McuToolException(String message, Throwable cause) {
        super(message, EXIT_TRANSIENT, cause);
    }
}
