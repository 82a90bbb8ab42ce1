package dev.distillery.core.engine;

/** Learning rate with a linear warm-up followed by cosine decay to {@code floor * base} at {@code totalSteps}. */
public record CosineSchedule(double base, int warmupSteps, int totalSteps, double floor) implements LearningRate {
    private static final long serialVersionUID = 1L;

    public CosineSchedule {
        warmupSteps = Math.max(0, warmupSteps);
        totalSteps = Math.max(1, totalSteps);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupSteps) {
            return base * (iteration + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (iteration - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return base * (floor + (1 - floor) * cosine);
    }
}
