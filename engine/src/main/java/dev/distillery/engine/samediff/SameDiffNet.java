package dev.distillery.engine.samediff;

import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.LearningRate;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.Objective;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.L2Regularization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@link Network} on the SameDiff engine: forward passes, minibatch training with Adam, and parameter and
 * optimizer state exchanged as plain float arrays so that Spark can broadcast and average them.
 */
public final class SameDiffNet implements Network {
    /**
     * Rows per engine call of an inference pass. The engine gives every tensor its own buffer, and buffers above the
     * C allocator's mmap threshold ({@link dev.distillery.core.engine.NativeAllocator}: 32 MiB) come fresh from the
     * kernel on every call: at 1,000 rows the teacher's first activation alone is 100 MB, and a pass over
     * 10,000 rows took 4.2 million page faults and ran at 780 rows/s against 5,600 at 128 rows per call.
     */
    static final int INFERENCE_ROWS = 128;
    private final Architecture arch;
    private final SameDiff sd;
    private final Objective objective;
    private final List<String> paramNames = new ArrayList<>();
    private StepSession session;
    /** Whether each row's outputs are independent of the others in its batch (no batch norm on batch statistics). */
    private final boolean rowwise;

    private SameDiffNet(Architecture arch, SameDiff sd, Objective objective, boolean rowwise) {
        this.arch = arch;
        this.rowwise = rowwise;
        this.sd = sd;
        this.objective = objective;
        for (LayerInfo info : arch.layerInfos()) {
            paramNames.addAll(info.trainableNames());
        }
        if (objective != null) {
            // the loss's own trainable tensors (a hint projection) travel after the network's, in declared order
            for (String name : objective.auxiliaryParams().keySet()) {
                if (sd.getVariable(name) == null) {
                    throw new IllegalStateException("the objective declares parameter " + name
                            + " but its loss did not create it");
                }
                paramNames.add(name);
            }
        }
    }

    public static SameDiffNet forInference(Architecture arch, Map<String, float[]> params, GraphHooks hooks) {
        return new SameDiffNet(arch, GraphBuilder.build(arch, params, hooks), null, true);
    }

    public static SameDiffNet forTraining(Architecture arch, Map<String, float[]> params, GraphHooks hooks,
                                          Objective objective, LearningRate learningRate, double l2) {
        return forTraining(arch, params, hooks, objective, learningRate, l2, Losses.layersRead(objective));
    }

    /** As above, keeping the outputs of {@code readLayers} (and so their ReLU before the pool) as well. */
    static SameDiffNet forTraining(Architecture arch, Map<String, float[]> params, GraphHooks hooks,
                                   Objective objective, LearningRate learningRate, double l2, Set<Integer> readLayers) {
        SameDiff sd = GraphBuilder.buildForTraining(arch, params, hooks, readLayers);
        SDVariable loss = Losses.build(objective, sd, sd.getVariable(GraphBuilder.LOGITS), arch.numClasses());
        sd.setLossVariables(loss.name());
        TrainingConfig.Builder cfg = TrainingConfig.builder()
                .updater(new Adam(new Schedule(learningRate)))
                .dataSetFeatureMapping(GraphBuilder.INPUT)
                .dataSetLabelMapping(Losses.targetNames(objective).toArray(new String[0]));
        if (l2 > 0) {
            cfg.regularization(new L2Regularization(l2));
        }
        sd.setTrainingConfig(cfg.build());
        return new SameDiffNet(arch, sd, objective, !arch.hasBatchNorm());
    }

    /** A network whose batch norms normalise by the batch's own statistics, for {@link #batchStatistics}. */
    public static SameDiffNet forStatistics(Architecture arch, Map<String, float[]> params, GraphHooks hooks) {
        return new SameDiffNet(arch, GraphBuilder.build(arch, params, hooks, true), null, !arch.hasBatchNorm());
    }

    /**
     * Mean and biased variance of every batch norm's input over {@code features} taken as one batch, with every
     * batch norm normalising by those same statistics; keyed by {@link LayerInfo#meanName()} and
     * {@link LayerInfo#varianceName()}. Needs a network from {@link #forStatistics} or {@link #forTraining}.
     */
    @Override
    public Map<String, float[]> batchStatistics(float[][] features) {
        NativeSettings.limitThreads();
        List<String> names = new ArrayList<>();
        List<LayerInfo> norms = arch.layerInfos().stream().filter(LayerInfo::batchNorm).toList();
        for (LayerInfo info : norms) {
            names.add(GraphBuilder.batchMeanName(info));
            names.add(GraphBuilder.batchVarianceName(info));
        }
        Map<String, float[]> stats = new LinkedHashMap<>();
        if (norms.isEmpty()) {
            return stats;
        }
        Map<String, INDArray> out = sd.output(Map.of(GraphBuilder.INPUT, Nd4j.create(features)),
                names.toArray(new String[0]));
        for (LayerInfo info : norms) {
            stats.put(info.meanName(), out.get(GraphBuilder.batchMeanName(info)).dup('c').data().asFloat());
            stats.put(info.varianceName(), out.get(GraphBuilder.batchVarianceName(info)).dup('c').data().asFloat());
        }
        NativeMemory.inferenceBatch();
        return stats;
    }

    @Override
    public Architecture architecture() {
        return arch;
    }

    /** Logits for a batch of flattened inputs. */
    @Override
    public float[][] logits(float[][] features) {
        return output(features, GraphBuilder.LOGITS);
    }

    /**
     * Any named activation for a batch (used for calibration); computed {@value #INFERENCE_ROWS} rows per engine
     * call where no row's values depend on the rows beside it (every graph but one whose batch norms normalise by
     * the batch's own statistics).
     */
    @Override
    public float[][] output(float[][] features, String variable) {
        NativeSettings.limitThreads();
        if (!sd.hasVariable(variable)) {
            throw new IllegalArgumentException("the graph has no tensor " + variable + (objective == null ? ""
                    : " (a training graph computes a ReLU that a max pool follows after the pool; read"
                    + " activations from an inference network)"));
        }
        float[][] rows = new float[features.length][];
        int chunk = rowwise ? INFERENCE_ROWS : Math.max(1, features.length);
        for (int from = 0; from < features.length; from += chunk) {
            int to = Math.min(features.length, from + chunk);
            INDArray in = Nd4j.create(from == 0 && to == features.length ? features
                    : java.util.Arrays.copyOfRange(features, from, to));
            INDArray out = sd.output(Map.of(GraphBuilder.INPUT, in), variable).get(variable);
            NativeMemory.inferenceBatch();
            long n = out.size(0);
            float[][] part = out.reshape('c', n, out.length() / n).toFloatMatrix();
            System.arraycopy(part, 0, rows, from, part.length);
        }
        return rows;
    }

    /** Max over the batch and all positions of each named activation. */
    @Override
    public Map<String, Double> activationMax(float[][] features, List<String> variables) {
        NativeSettings.limitThreads();
        Map<String, INDArray> out = sd.output(Map.of(GraphBuilder.INPUT, Nd4j.create(features)),
                variables.toArray(new String[0]));
        Map<String, Double> max = new LinkedHashMap<>();
        for (String v : variables) {
            max.put(v, out.get(v).maxNumber().doubleValue());
        }
        return max;
    }

    /** Every value of each named activation for a batch, flattened (calibration histograms read these). */
    @Override
    public Map<String, float[]> activationValues(float[][] features, List<String> variables) {
        NativeSettings.limitThreads();
        Map<String, INDArray> out = sd.output(Map.of(GraphBuilder.INPUT, Nd4j.create(features)),
                variables.toArray(new String[0]));
        Map<String, float[]> values = new LinkedHashMap<>();
        for (String v : variables) {
            values.put(v, out.get(v).dup('c').data().asFloat());
        }
        NativeMemory.inferenceBatch();
        return values;
    }

    /** A scalar variable of the graph (e.g. one term of the loss) for a batch, fed only with the inputs. */
    @Override
    public double scalar(float[][] features, String variable) {
        NativeSettings.limitThreads();
        INDArray out = sd.output(Map.of(GraphBuilder.INPUT, Nd4j.create(features)), variable).get(variable);
        NativeMemory.inferenceBatch();
        return out.sumNumber().doubleValue();
    }

    /** The current values of any variable or constant of the graph, row-major. */
    @Override
    public float[] tensor(String name) {
        SDVariable v = sd.getVariable(name);
        if (v == null || v.getArr() == null) {
            throw new IllegalArgumentException("the graph has no tensor " + name);
        }
        return v.getArr().dup('c').data().asFloat();
    }

    /** Attaches a SameDiff listener (per-op profiling in the benchmarks); it sees every later training step. */
    public void addListener(org.nd4j.autodiff.listeners.Listener listener) {
        sd.addListeners(listener);
    }

    /**
     * Trains on one minibatch at global step {@code iteration}: the same arithmetic as {@code SameDiff.fit}, in one
     * {@link StepSession} for all of this network's steps, so that each step writes into the buffers of the one before.
     */
    @Override
    public synchronized void fit(float[][] features, int[] labels, float[][] teacherLogits, int iteration) {
        NativeSettings.limitThreads();
        sd.getTrainingConfig().setIterationCount(iteration);
        INDArray[] targets = Losses.targets(objective, labels, teacherLogits, arch.numClasses());
        MultiDataSet batch = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{Nd4j.create(features)}, targets);
        ensureUpdater();
        if (session == null) {
            session = new StepSession(sd);
        }
        session.step(batch);
        NativeMemory.step();
    }

    /** The engine graph itself, for tests that compare against the engine's own training loop. */
    SameDiff graph() {
        return sd;
    }

    /** Buffers the training session has created for its steps' tensors so far; 0 before the first step. */
    long stepBuffersAllocated() {
        return session == null ? 0 : session.buffersAllocated();
    }

    /** The objective's loss on a minibatch, without training. */
    @Override
    public double loss(float[][] features, int[] labels, float[][] teacherLogits) {
        NativeSettings.limitThreads();
        INDArray[] targets = Losses.targets(objective, labels, teacherLogits, arch.numClasses());
        Map<String, INDArray> feed = new LinkedHashMap<>();
        feed.put(GraphBuilder.INPUT, Nd4j.create(features));
        List<String> names = Losses.targetNames(objective);
        for (int i = 0; i < names.size(); i++) {
            feed.put(names.get(i), targets[i]);
        }
        String lossName = sd.getLossVariables().get(0);
        return sd.output(feed, lossName).get(lossName).sumNumber().doubleValue();
    }

    /** The trained tensors by name: the network's parameters, then the objective's auxiliary ones. */
    @Override
    public Map<String, float[]> params() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : paramNames) {
            out.put(name, sd.getVariable(name).getArr().dup('c').data().asFloat());
        }
        return out;
    }

    @Override
    public void setParams(Map<String, float[]> params) {
        for (String name : paramNames) {
            INDArray arr = sd.getVariable(name).getArr();
            arr.assign(Nd4j.create(params.get(name), arr.shape(), 'c'));
        }
    }

    /** Whether the optimizer has been initialised (it is created lazily by the first fit). */
    @Override
    public boolean hasUpdaterState() {
        return sd.getUpdaterMap() != null && !sd.getUpdaterMap().isEmpty();
    }


    /**
     * All trainable parameters concatenated in layer order (weights then bias, or gamma then beta, per layer), then
     * the objective's auxiliary ones.
     */
    @Override
    public float[] flatParams() {
        return concat(params());
    }

    @Override
    public void setFlatParams(float[] flat) {
        int off = 0;
        for (String name : paramNames) {
            INDArray arr = sd.getVariable(name).getArr();
            int n = (int) arr.length();
            arr.assign(Nd4j.create(java.util.Arrays.copyOfRange(flat, off, off + n), arr.shape(), 'c'));
            off += n;
        }
        if (off != flat.length) {
            throw new IllegalArgumentException("expected " + off + " parameter values, got " + flat.length);
        }
    }

    /** Optimizer state concatenated in a fixed order (parameters in layer order, state keys sorted). */
    @Override
    public float[] flatUpdaterState() {
        ensureUpdater();
        List<float[]> parts = new ArrayList<>();
        for (INDArray a : orderedState()) {
            parts.add(a.dup('c').data().asFloat());
        }
        return concat(parts);
    }

    @Override
    public void setFlatUpdaterState(float[] flat) {
        if (flat.length == 0) {
            return;
        }
        ensureUpdater();
        int off = 0;
        for (INDArray a : orderedState()) {
            int n = (int) a.length();
            a.assign(Nd4j.create(java.util.Arrays.copyOfRange(flat, off, off + n), a.shape(), 'c'));
            off += n;
        }
        if (off != flat.length) {
            throw new IllegalArgumentException("expected " + off + " optimizer state values, got " + flat.length);
        }
    }

    private List<INDArray> orderedState() {
        List<INDArray> out = new ArrayList<>();
        Map<String, GradientUpdater> updaters = sd.getUpdaterMap();
        for (String name : paramNames) {
            GradientUpdater u = updaters.get(name);
            if (u == null || u.getState() == null) {
                continue;
            }
            Map<String, INDArray> state = (Map<String, INDArray>) u.getState();
            new java.util.TreeMap<>(state).values().forEach(out::add);
        }
        return out;
    }

    private void ensureUpdater() {
        if (sd.getUpdaterMap() != null && !sd.getUpdaterMap().isEmpty()) {
            return;
        }
        try {
            // SameDiff creates optimizer state lazily on the first fit; state arriving from other workers needs it now.
            var m = SameDiff.class.getDeclaredMethod("initializeTraining");
            m.setAccessible(true);
            m.invoke(sd);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot initialise SameDiff training state", e);
        }
    }

    private static float[] concat(Map<String, float[]> parts) {
        return concat(new ArrayList<>(parts.values()));
    }

    private static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int off = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
