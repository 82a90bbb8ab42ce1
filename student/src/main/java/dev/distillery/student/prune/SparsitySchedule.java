package dev.distillery.student.prune;

/**
 * Zhu and Gupta's (2017) gradual sparsity schedule: pruning at steps {@code t0, t0 + dt, ..., t0 + n*dt} to
 * {@code s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt))^3}, then {@code s_f} until training ends. Sparsity
 * rises fast at first, while the network has many redundant weights, and slowly near the target.
 *
 * @param initial  s_i, the sparsity of the first pruning step
 * @param target   s_f, the sparsity reached at {@code t0 + n*dt}
 * @param start    t0, the first pruning step
 * @param interval dt, steps between pruning steps (at least 1)
 * @param steps    n, the number of pruning intervals (0: prune straight to the target at t0)
 */
public record SparsitySchedule(double initial, double target, int start, int interval, int steps) {

    public SparsitySchedule {
        if (!(initial >= 0 && initial <= target && target < 1)) {
            throw new IllegalArgumentException("sparsities must satisfy 0 <= initial <= target < 1, were " + initial
                    + " and " + target);
        }
        if (start < 0 || interval < 1 || steps < 0) {
            throw new IllegalArgumentException("schedule needs start >= 0, interval >= 1, steps >= 0, were " + start
                    + ", " + interval + ", " + steps);
        }
    }

    /**
     * The schedule for a fine-tuning run whose pruning steps can only fall on {@code roundStarts}-aligned steps:
     * pruning every {@code interval} steps from step 0, ending no later than {@code rampFraction} of all steps
     * and no later than {@code lastPruneStep}, so that the last rounds train at the target sparsity.
     */
    public static SparsitySchedule forRun(double initial, double target, int interval, double rampFraction,
                                          long totalSteps, long lastPruneStep) {
        long end = Math.min(Math.round(rampFraction * totalSteps), Math.max(0, lastPruneStep));
        if (end <= 0) {
            return new SparsitySchedule(initial, target, 0, 1, 0);
        }
        int dt = (int) Math.min(interval, end);
        int n = (int) (end / dt);
        return new SparsitySchedule(initial, target, 0, dt, n);
    }

    /** The last step at which the target is reached. */
    public long end() {
        return start + (long) steps * interval;
    }

    /** Sparsity of the pruning step at exactly step t (t must be a pruning step for the formula's value). */
    public double at(long t) {
        if (t < start) {
            return 0;
        }
        if (steps == 0 || t >= end()) {
            return target;
        }
        double progress = (double) (t - start) / ((double) steps * interval);
        double remaining = 1 - progress;
        return target + (initial - target) * remaining * remaining * remaining;
    }

    /** Sparsity in force at step t: that of the latest pruning step at or before t, 0 before the first. */
    public double inForceAt(long t) {
        if (t < start) {
            return 0;
        }
        long k = Math.min(steps, (t - start) / interval);
        return at(start + k * interval);
    }
}
