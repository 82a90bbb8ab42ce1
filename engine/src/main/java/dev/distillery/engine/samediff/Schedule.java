package dev.distillery.engine.samediff;

import dev.distillery.core.engine.LearningRate;
import org.nd4j.linalg.schedule.ISchedule;

/** A {@link LearningRate} as the schedule ND4J's updaters read every step. */
final class Schedule implements ISchedule {
    private static final long serialVersionUID = 1L;
    private final LearningRate rate;

    Schedule(LearningRate rate) {
        this.rate = rate;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return rate.valueAt(iteration, epoch);
    }

    @Override
    public ISchedule clone() {
        return new Schedule(rate);
    }
}
