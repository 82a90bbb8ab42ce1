package dev.distillery.core.nn;

import org.nd4j.linalg.schedule.ISchedule;

/** Learning rate with a linear warm-up followed by cosine decay to {@code floor * base} at {@code totalSteps}. */
public final class CosineSchedule implements ISchedule {
    private static final long serialVersionUID = 1L;
    private final double base;
    private final int warmupSteps;
    private final int totalSteps;
    private final double floor;

    public CosineSchedule(double base, int warmupSteps, int totalSteps, double floor) {
        this.base = base;
        this.warmupSteps = Math.max(0, warmupSteps);
        this.totalSteps = Math.max(1, totalSteps);
        this.floor = floor;
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

    @Override
    public ISchedule clone() {
        return new CosineSchedule(base, warmupSteps, totalSteps, floor);
    }
}
