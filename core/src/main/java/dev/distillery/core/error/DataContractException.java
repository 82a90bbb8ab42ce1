package dev.distillery.core.error;

/** Input data is missing, corrupt or does not have the expected shape or values. */
public class DataContractException extends DistilleryException {
    public DataContractException(String message) {
        super(message, EXIT_BAD_INPUT);
    }

    public DataContractException(String message, Throwable cause) {
        super(message, EXIT_BAD_INPUT, cause);
    }
}
