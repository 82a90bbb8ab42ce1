package dev.distillery.core.error;

/** A required hardware profile has no variant that passes its gates. */
public class GateFailedException extends DistilleryException {
    public GateFailedException(String message) {
        super(message, EXIT_GATE_FAILED);
    }
}
