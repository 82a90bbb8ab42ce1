package dev.distillery.core.engine;

/** The same learning rate at every step. */
public record ConstantRate(double value) implements LearningRate {
    private static final long serialVersionUID = 1L;

    @Override
    public double valueAt(int iteration, int epoch) {
        return value;
    }
}
