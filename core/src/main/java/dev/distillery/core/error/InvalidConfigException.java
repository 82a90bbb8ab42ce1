package dev.distillery.core.error;

/** A configuration value is missing, malformed or out of range; the message names its YAML path. */
public class InvalidConfigException extends DistilleryException {
    public InvalidConfigException(String message) {
        super(message, EXIT_BAD_INPUT);
    }

    public InvalidConfigException(String message, Throwable cause) {
        super(message, EXIT_BAD_INPUT, cause);
    }
}
