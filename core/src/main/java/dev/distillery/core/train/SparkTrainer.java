package dev.distillery.core.train;

import dev.distillery.core.data.Examples.LocalExamples;
import dev.distillery.core.engine.CosineSchedule;
import dev.distillery.core.engine.Engines;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.error.TrainingDivergedException;
import dev.distillery.core.model.ModelArtifact;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/**
 * Synchronous data-parallel training on Spark's own primitives: each round broadcasts parameters and optimizer
 * state, every partition trains its shard for a few minibatches, and a tree reduction averages the results
 * (weighted by examples) into the state that starts the next round. Teacher and student training both use it.
 */
public final class SparkTrainer {
    private static final int DEPTH = 2;
    private static final float[] NONE = new float[0];

    private SparkTrainer() {
    }

    public static TrainResult train(SparkSession spark, JavaRDD<TrainRow> rows, LocalExamples validation,
                                    ModelArtifact init, GraphHooks hooks, Objective objective, TrainSpec spec,
                                    List<TrainingListener> listeners) {
        return train(spark, rows, validation, init, hooks, objective, spec, listeners, null);
    }

    /** Trains, continuing after {@code resume}'s epoch with its parameters and optimizer state when given. */
    public static TrainResult train(SparkSession spark, JavaRDD<TrainRow> rows, LocalExamples validation,
                                    ModelArtifact init, GraphHooks hooks, Objective objective, TrainSpec spec,
                                    List<TrainingListener> listeners, ResumePoint resume) {
        return train(spark, rows, validation, init, hooks, objective, spec, listeners, resume, RoundHook.NONE);
    }

    /**
     * Trains as above; {@code roundHook} may rewrite the averaged state before every round, and an epoch's model
     * becomes the best one only while the hook reports itself settled.
     */
    public static TrainResult train(SparkSession spark, JavaRDD<TrainRow> rows, LocalExamples validation,
                                    ModelArtifact init, GraphHooks hooks, Objective objective, TrainSpec spec,
                                    List<TrainingListener> listeners, ResumePoint resume, RoundHook roundHook) {
        if (roundHook != RoundHook.NONE && !spec.syncOptimizerEveryRound()) {
            // a hook rewrites the averaged optimizer state before every round (pruning clears the moments of
            // pruned weights), so that state must travel every round rather than once per epoch
            spec = new TrainSpec(spec.name(), spec.params(), spec.workers(), spec.averagingFrequency(), spec.seed(), true,
                    spec.learningRateScale(), spec.augmenter());
        }
        long start = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String runId = spec.name() + "-" + UUID.randomUUID();
        // Persisted so that a partition rebuilt on another executor sees the same rows in the same order. On disk:
        // the workers hold the rows packed (WorkerCache), and a deserialized copy in the block manager would be
        // one object per row for every forced collection to trace and move.
        JavaRDD<TrainRow> data = rows.repartition(spec.workers())
                .persist(org.apache.spark.storage.StorageLevel.DISK_ONLY());
        List<Integer> counts = data.mapPartitions(SparkTrainer::countRows).collect();
        long total = counts.stream().mapToLong(Integer::longValue).sum();
        if (total == 0) {
            throw new dev.distillery.core.error.DataContractException("no training rows for " + spec.name());
        }
        int batch = spec.params().batchSize();
        int maxBatches = counts.stream().mapToInt(c -> Minibatches.count(c, batch)).max().orElse(0);
        int rounds = (maxBatches + spec.averagingFrequency() - 1) / spec.averagingFrequency();
        int epochs = spec.params().epochs();
        CosineSchedule schedule = new CosineSchedule(spec.learningRate(),
                (int) Math.round(spec.params().warmupEpochs() * maxBatches), epochs * maxBatches, 0.02);

        float[] params = resume == null ? withAuxiliary(flat(init.networkOnly()), objective) : resume.params();
        int expected = flat(init.networkOnly()).length + auxiliaryLength(objective);
        if (params.length != expected) {
            throw new dev.distillery.core.error.DataContractException("the checkpoint of " + spec.name() + " holds "
                    + params.length + " trained values, this run trains " + expected + " (network and loss "
                    + "parameters): it was written under another configuration; start over without --resume");
        }
        float[] updater = resume == null ? new float[0] : resume.optimizerState();
        List<EpochStats> history = new ArrayList<>();
        ModelArtifact best = resume == null ? init : resume.best();
        int bestEpoch = resume == null ? 0 : resume.bestEpoch();
        double bestAcc = resume == null ? -1 : resume.bestAccuracy();
        int firstEpoch = resume == null ? 0 : Math.min(resume.epochsDone(), epochs);
        // The graph template is needed only where a worker builds its network, so it ships once per run.
        Broadcast<java.util.Map<String, float[]>> template = jsc.broadcast(init.networkOnly().params());
        // So is the objective, which may carry frozen teacher layers for hint distillation.
        Broadcast<Objective> sharedObjective = jsc.broadcast(objective);
        float[][] statsSample = batchNormSample(data, init, spec);
        roundHook.start(maxBatches, epochs, spec.averagingFrequency());
        try {
            for (int epoch = firstEpoch; epoch < epochs; epoch++) {
                long epochStart = System.nanoTime();
                double lossSum = 0;
                long lossN = 0;
                long stepNanos = 0;
                boolean everyRound = spec.syncOptimizerEveryRound();
                Broadcast<float[]> epochState = everyRound ? null : jsc.broadcast(updater);
                for (int round = 0; round < rounds; round++) {
                    roundHook.beforeRound(epoch * maxBatches + Math.min(maxBatches, round * spec.averagingFrequency()),
                            params, updater);
                    Broadcast<RoundTask.RoundState> state = jsc.broadcast(
                            new RoundTask.RoundState(params, everyRound ? updater : NONE));
                    RoundTask task = new RoundTask(runId, init.architecture(), template, sharedObjective, hooks, spec,
                            schedule, state, epochState, epoch, round, rounds, maxBatches);
                    RoundResult r = sum(data.mapPartitionsWithIndex(task, true));
                    Broadcasts.release(state);
                    if (r.examples() == 0) {
                        continue;
                    }
                    float[] nextParams = divide(r.paramSum(), r.examples());
                    double loss = r.lossCount() == 0 ? 0 : r.lossSum() / r.lossCount();
                    if (!Double.isFinite(loss) || !allFinite(nextParams)) {
                        throw new TrainingDivergedException(spec.name() + " training diverged at epoch " + (epoch + 1)
                                + ", round " + (round + 1) + " of " + rounds + " (steps up to "
                                + (epoch * maxBatches + Math.min(maxBatches, (round + 1) * spec.averagingFrequency()))
                                + "): " + (allFinite(nextParams) ? "loss " + loss : "parameters not finite")
                                + "; lower the learning rate. The last good epoch checkpoint is kept.");
                    }
                    params = nextParams;
                    if (r.stateWeight() > 0) {
                        updater = divide(r.stateSum(), r.stateWeight());
                    }
                    lossSum += r.lossSum();
                    lossN += r.lossCount();
                    stepNanos += r.stepNanos();
                }
                Broadcasts.release(epochState);
                // batch norms trained on batch statistics; the population statistics the validation pass (and the
                // checkpoint) use are computed afresh for the averaged parameters. Checkpoints carry the objective's
                // own parameters too, so that --resume continues them.
                ModelArtifact current = PreciseBatchNorm.refresh(PreciseBatchNorm.withTrainable(init,
                        named(init.architecture(), params, objective)), hooks, statsSample);
                double acc = validation.size() == 0 ? Double.NaN : accuracy(current, hooks, validation);
                double secs = (System.nanoTime() - epochStart) / 1e9;
                EpochStats stats = new EpochStats(spec.name(), epoch + 1, epochs, lossSum / Math.max(1, lossN), acc,
                        secs, secs * (epochs - epoch - 1), total / secs,
                        schedule.valueAt((epoch + 1) * maxBatches - 1, epoch), stepNanos / 1e9);
                history.add(stats);
                if (roundHook.settled() && (acc > bestAcc || Double.isNaN(acc))) {
                    bestAcc = acc;
                    best = current;
                    bestEpoch = epoch + 1;
                }
                boolean go = true;
                for (TrainingListener l : listeners) {
                    l.onOptimizerState(stats, updater);
                    go &= l.onEpoch(stats, current);
                }
                if (!go) {
                    break;
                }
            }
        } finally {
            WorkerCache.evict(runId);
            try {
                Broadcasts.release(template);
                Broadcasts.release(sharedObjective);
                data.foreachPartition(it -> WorkerCache.evict(runId));
                data.unpersist(false);
            } catch (RuntimeException cleanup) {
                // Never let cache cleanup on a failing cluster hide the error that ended training.
                org.slf4j.LoggerFactory.getLogger(SparkTrainer.class).warn("cache cleanup failed: {}", cleanup.toString());
            }
        }
        return new TrainResult(best.networkOnly(), bestEpoch, bestAcc, history, total,
                (System.nanoTime() - start) / 1e9);
    }

    /**
     * The partitions' round results summed. Spark's tree reduce adds a level of tasks only when there are more than
     * {@code scale + ceil(n / scale)} partitions ({@code scale = max(ceil(n^(1/depth)), 2)}); with fewer it sums on
     * the driver as a plain reduce does, but it cleans five closures instead of two, and each cleaning reads class
     * files: with two partitions that was 775 of the 5,609 Java samples JFR took over the full-job benchmark's
     * pipeline, which makes one call per round (1,060 of them in the demo's distill stage).
     */
    static RoundResult sum(JavaRDD<RoundResult> results) {
        return tree(results.getNumPartitions()) ? results.treeReduce(RoundResult::merge, DEPTH)
                : results.reduce(RoundResult::merge);
    }

    /** Whether Spark's tree reduce of {@code partitions} partitions at depth {@link #DEPTH} adds a level of tasks. */
    static boolean tree(int partitions) {
        int scale = Math.max((int) Math.ceil(Math.pow(partitions, 1.0 / DEPTH)), 2);
        return partitions > scale + (int) Math.ceil((double) partitions / scale);
    }

    /** Top-1 accuracy of a model (with the same graph hooks used in training) on driver-held examples. */
    public static double accuracy(ModelArtifact model, GraphHooks hooks, LocalExamples examples) {
        Network net = Engines.network().forInference(model.architecture(), model.params(), hooks);
        int correct = 0;
        int[] pred = predict(net, examples.features(), 1000);
        for (int i = 0; i < pred.length; i++) {
            if (pred[i] == examples.labels()[i]) {
                correct++;
            }
        }
        return (double) correct / examples.size();
    }

    public static int[] predict(Network net, float[][] x, int batch) {
        int[] out = new int[x.length];
        for (int from = 0; from < x.length; from += batch) {
            int to = Math.min(x.length, from + batch);
            float[][] logits = net.logits(java.util.Arrays.copyOfRange(x, from, to));
            for (int i = 0; i < logits.length; i++) {
                out[from + i] = argmax(logits[i]);
            }
        }
        return out;
    }

    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /** A fixed, seeded sample of training inputs for batch norm statistics; null for a network without batch norm. */
    private static float[][] batchNormSample(JavaRDD<TrainRow> data, ModelArtifact init, TrainSpec spec) {
        if (!init.architecture().hasBatchNorm()) {
            return null;
        }
        return data.takeSample(false, PreciseBatchNorm.SAMPLE_ROWS, spec.seed()).stream().map(TrainRow::features)
                .toArray(float[][]::new);
    }

    private static Iterator<Integer> countRows(Iterator<TrainRow> it) {
        int n = 0;
        while (it.hasNext()) {
            it.next();
            n++;
        }
        return List.of(n).iterator();
    }

    /**
     * A model's trained parameters as the trainer's flat vector: the network's in layer order (weights then bias, or
     * gamma then beta), then any further tensors a checkpoint carries (an objective's auxiliary parameters) in the
     * model's own order. Batch norm statistics are computed, not trained, and stay out.
     */
    static float[] flat(ModelArtifact m) {
        List<float[]> parts = new ArrayList<>();
        java.util.Set<String> network = new java.util.HashSet<>();
        for (var info : m.architecture().layerInfos()) {
            network.addAll(info.statisticNames());
            for (String name : info.trainableNames()) {
                parts.add(m.params().get(name));
                network.add(name);
            }
        }
        m.params().forEach((name, p) -> {
            if (!network.contains(name)) {
                parts.add(p);
            }
        });
        return concat(parts);
    }

    private static float[] withAuxiliary(float[] network, Objective objective) {
        List<float[]> parts = new ArrayList<>(List.of(network));
        parts.addAll(objective.auxiliaryParams().values());
        return concat(parts);
    }

    private static int auxiliaryLength(Objective objective) {
        return objective.auxiliaryParams().values().stream().mapToInt(p -> p.length).sum();
    }

    /** The flat vector split into named tensors: the network's, then the objective's auxiliary ones. */
    private static java.util.Map<String, float[]> named(dev.distillery.core.model.Architecture arch, float[] flat,
                                                        Objective objective) {
        java.util.Map<String, float[]> out = Network.unflatten(arch, flat);
        int off = flat.length - auxiliaryLength(objective);
        for (var e : objective.auxiliaryParams().entrySet()) {
            out.put(e.getKey(), java.util.Arrays.copyOfRange(flat, off, off + e.getValue().length));
            off += e.getValue().length;
        }
        return out;
    }

    private static float[] concat(List<float[]> parts) {
        float[] out = new float[parts.stream().mapToInt(p -> p.length).sum()];
        int off = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }

    private static float[] divide(float[] v, long by) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / by;
        }
        return out;
    }

    private static boolean allFinite(float[] v) {
        for (float x : v) {
            if (!Float.isFinite(x)) {
                return false;
            }
        }
        return true;
    }
}
