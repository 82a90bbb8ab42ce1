package dev.distillery.student.prune;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.train.RoundHook;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Gradual magnitude pruning during fine-tuning: before each synchronous round, every weighted layer is pruned to
 * its share (see {@link SparsityAllocation}) of the model-wide sparsity the {@link SparsitySchedule} has in force, and the optimizer state (Adam's two moments) of every
 * zeroed weight is cleared. Together with {@code SparsityLockHooks}, which stops gradients to zero weights, a
 * pruned weight stays exactly zero for the rest of training: the masks are kept.
 */
public final class GradualPruning implements RoundHook {
    /** One pruning step: the global step it ran at, the scheduled sparsity and the measured weight sparsity. */
    public record Step(long step, double scheduled, double measured) {
    }

    private final Architecture arch;
    private final SparsityAllocation allocation;
    private final Function<long[], SparsitySchedule> scheduleFor;
    private SparsitySchedule schedule;
    private double applied = -1;
    private final List<Step> steps = new ArrayList<>();

    /**
     * @param scheduleFor builds the schedule from {@code {stepsPerEpoch, epochs, stepsPerRound}}, known only once
     *                    the trainer has sharded the data
     */
    public GradualPruning(Architecture arch, SparsityAllocation allocation,
                          Function<long[], SparsitySchedule> scheduleFor) {
        this.arch = arch;
        this.allocation = allocation;
        this.scheduleFor = scheduleFor;
    }

    /** The schedule Distillery's prune stage uses: see {@link SparsitySchedule#forRun}. */
    public static GradualPruning of(Architecture arch, double initial, double target, int interval,
                                    double rampFraction) {
        return of(arch, SparsityAllocation.uniform(arch), initial, target, interval, rampFraction);
    }

    /** As {@link #of(Architecture, double, double, int, double)}, the model-wide sparsity spread by {@code allocation}. */
    public static GradualPruning of(Architecture arch, SparsityAllocation allocation, double initial, double target,
                                    int interval, double rampFraction) {
        dev.distillery.core.model.BatchNormFolding.requireFolded(arch, "gradual pruning");
        return new GradualPruning(arch, allocation, s -> {
            long perEpoch = s[0];
            long epochs = s[1];
            long perRound = s[2];
            long lastRoundStart = (epochs - 1) * perEpoch + ((perEpoch - 1) / perRound) * perRound;
            return SparsitySchedule.forRun(initial, target, interval, rampFraction, epochs * perEpoch, lastRoundStart);
        });
    }

    @Override
    public void start(int stepsPerEpoch, int epochs, int stepsPerRound) {
        schedule = scheduleFor.apply(new long[]{stepsPerEpoch, epochs, stepsPerRound});
    }

    @Override
    public void beforeRound(int step, float[] params, float[] optimizerState) {
        double s = schedule.inForceAt(step);
        if (s <= applied) {
            return;
        }
        if (optimizerState.length != 0 && optimizerState.length != 2 * params.length) {
            throw new IllegalStateException("gradual pruning expects Adam's two moments per parameter ("
                    + 2 * params.length + " values), found " + optimizerState.length);
        }
        long zeros = 0;
        long total = 0;
        int off = 0;
        for (LayerInfo info : arch.layerInfos()) {
            if (!info.spec().hasWeights()) {
                continue;
            }
            int n = (int) info.weightCount();
            float[] w = Arrays.copyOfRange(params, off, off + n);
            zeros += MagnitudePruning.pruneInPlace(w, allocation.layerSparsity(info.weightName(), s));
            total += n;
            System.arraycopy(w, 0, params, off, n);
            if (optimizerState.length != 0) {
                // Adam's state is laid out per parameter array, its keys sorted: M then V, each as long as the array.
                for (int i = 0; i < n; i++) {
                    if (w[i] == 0f) {
                        optimizerState[2 * off + i] = 0f;
                        optimizerState[2 * off + n + i] = 0f;
                    }
                }
            }
            off += n + (int) info.biasCount();
        }
        applied = s;
        steps.add(new Step(step, s, (double) zeros / total));
    }

    @Override
    public boolean settled() {
        return schedule != null && applied >= schedule.target();
    }

    public SparsitySchedule schedule() {
        return schedule;
    }

    /** Every pruning step taken so far. */
    public List<Step> steps() {
        return List.copyOf(steps);
    }
}
