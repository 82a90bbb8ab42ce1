package dev.distillery.core.error;

/** Loss or parameters became NaN or infinite; the message names the epoch and step. */
public class TrainingDivergedException extends DistilleryException {
    public TrainingDivergedException(String message) {
        super(message, EXIT_BAD_INPUT);
    }
}
