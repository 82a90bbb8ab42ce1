package dev.distillery.student.mcu;

import dev.distillery.core.error.DistilleryException;

/** A compiler, symbol tool or emulator run failed or timed out; the message holds the command and its output. */
public class McuToolException extends DistilleryException {
    public McuToolException(String message) {
        super(message, EXIT_TRANSIENT);
    }

    public McuToolException(String message, Throwable cause) {
        super(message, EXIT_TRANSIENT, cause);
    }
}
