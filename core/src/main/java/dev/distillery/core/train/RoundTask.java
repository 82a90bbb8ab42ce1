package dev.distillery.core.train;

import dev.distillery.core.augment.ViewAugmenter;
import dev.distillery.core.engine.CosineSchedule;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.model.Architecture;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The executor side of one synchronous round: load the broadcast parameters and optimizer state, train this
 * partition's next {@code averagingFrequency} minibatches, and return example-weighted sums for averaging.
 */
final class RoundTask implements Function2<Integer, Iterator<TrainRow>, Iterator<RoundResult>> {
    private static final long serialVersionUID = 1L;

    /** State every partition starts a round from. */
    record RoundState(float[] params, float[] updaterState) implements java.io.Serializable {
    }

    private final String runId;
    private final Architecture arch;
    private final Broadcast<Objective> objective;
    private final GraphHooks hooks;
    private final TrainSpec spec;
    private final CosineSchedule schedule;
    private final Broadcast<RoundState> state;
    /** Optimizer state at the epoch's start, read only by a partition that has not loaded it yet (epoch sync). */
    private final Broadcast<float[]> epochState;
    private final int rounds;
    private final Broadcast<Map<String, float[]>> template;
    private final int epoch;
    private final int round;
    private final int stepsPerEpoch;

    RoundTask(String runId, Architecture arch, Broadcast<Map<String, float[]>> template,
              Broadcast<Objective> objective, GraphHooks hooks, TrainSpec spec, CosineSchedule schedule,
              Broadcast<RoundState> state, Broadcast<float[]> epochState,
              int epoch, int round, int rounds, int stepsPerEpoch) {
        this.runId = runId;
        this.arch = arch;
        this.template = template;
        this.objective = objective;
        this.hooks = hooks;
        this.spec = spec;
        this.schedule = schedule;
        this.state = state;
        this.epochState = epochState;
        this.rounds = rounds;
        this.epoch = epoch;
        this.round = round;
        this.stepsPerEpoch = stepsPerEpoch;
    }

    @Override
    public Iterator<RoundResult> call(Integer partition, Iterator<TrainRow> rows) {
        WorkerCache.Entry entry = WorkerCache.getOrLoad(runId, partition, () -> load(rows));
        // Two attempts of one partition in one JVM (retry, speculation) must not train the same network at once.
        synchronized (entry) {
            return train(entry, partition);
        }
    }

    private Iterator<RoundResult> train(WorkerCache.Entry entry, int partition) {
        int n = entry.labels().length;
        int batch = spec.params().batchSize();
        int batches = Minibatches.count(n, batch);
        int first = round * spec.averagingFrequency();
        int last = Math.min(batches, first + spec.averagingFrequency());
        boolean exchangeState = spec.syncOptimizerEveryRound() || round == rounds - 1;
        Network net = entry.net();
        if (!spec.syncOptimizerEveryRound() && entry.syncedEpoch != epoch) {
            // first round of the epoch here, or a partition rebuilt on another executor: start from the epoch's state
            net.setFlatUpdaterState(epochState.value());
            entry.syncedEpoch = epoch;
        }
        if (n == 0 || first >= last) {
            // a partition with no minibatch left still contributes its optimizer state to the epoch's average
            return List.of(exchangeState && !spec.syncOptimizerEveryRound() && n > 0
                    ? new RoundResult(new float[0], scaled(net.flatUpdaterState(), n), 0, n, 0, 0, 0)
                    : RoundResult.empty()).iterator();
        }
        RoundState s = state.value();
        net.setFlatParams(s.params());
        if (spec.syncOptimizerEveryRound()) {
            net.setFlatUpdaterState(s.updaterState());
        }
        ViewAugmenter augmenter = spec.augmenter();
        int[] order = Shuffle.permutation(n, spec.seed() * 1_000_003L + epoch * 7919L + partition);
        long examples = 0;
        long stepStart = System.nanoTime();
        float[][] x = null;
        int[] y = null;
        float[][] t = null;
        for (int b = first; b < last; b++) {
            int from = b * batch;
            int to = Minibatches.end(b, batches, n, batch);
            x = new float[to - from][];
            y = new int[to - from];
            t = entry.teacher() == null ? null : new float[to - from][];
            for (int i = from; i < to; i++) {
                int k = order[i];
                float[] features = entry.features().row(k);
                x[i - from] = augmenter == null ? features
                        : augmenter.view(features, ((long) partition << 32) | k, epoch + 1);
                y[i - from] = entry.labels()[k];
                if (t != null) {
                    t[i - from] = entry.teacher().row(k);
                }
            }
            net.fit(x, y, t, epoch * stepsPerEpoch + b);
            examples += to - from;
        }
        long stepNanos = System.nanoTime() - stepStart;
        // The loss costs a forward pass, so it is measured once per epoch, on each worker's last minibatch;
        // divergence between those checks is caught by the parameter check after every round.
        boolean lastRound = last >= batches;
        double loss = lastRound ? net.loss(x, y, t) : 0;
        // every-round sync weights the state like the parameters; epoch sync weights it by the partition's rows
        long stateWeight = !exchangeState ? 0 : spec.syncOptimizerEveryRound() ? examples : n;
        float[] updater = stateWeight == 0 ? new float[0] : scaled(net.flatUpdaterState(), stateWeight);
        return List.of(new RoundResult(scaled(net.flatParams(), examples), updater, examples, stateWeight,
                loss * (lastRound ? x.length : 0), lastRound ? x.length : 0, stepNanos)).iterator();
    }

    private WorkerCache.Entry load(Iterator<TrainRow> rows) {
        // packed as they arrive, so the partition is never held as one array per row
        PackedRows.Builder x = new PackedRows.Builder("feature");
        PackedRows.Builder t = new PackedRows.Builder("teacher logit");
        int[] y = new int[1024];
        int n = 0;
        boolean hasTeacher = false;
        while (rows.hasNext()) {
            TrainRow row = rows.next();
            if (n == 0) {
                hasTeacher = row.teacher() != null;
            } else if (hasTeacher != (row.teacher() != null)) {
                throw new DataContractException("training row " + n + (hasTeacher
                        ? " has no teacher logits, the rows before it have them"
                        : " has teacher logits, the rows before it have none"));
            }
            x.add(row.features());
            if (hasTeacher) {
                t.add(row.teacher());
            }
            if (n == y.length) {
                y = Arrays.copyOf(y, Math.multiplyExact(2, n));
            }
            y[n++] = row.label();
        }
        Network net = Engines.network().forTraining(arch, template.value(), hooks, objective.value(), schedule, spec.params().l2());
        return new WorkerCache.Entry(x.build(), Arrays.copyOf(y, n), hasTeacher ? t.build() : null, net);
    }

    private static float[] scaled(float[] v, long by) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= by;
        }
        return v;
    }
}
