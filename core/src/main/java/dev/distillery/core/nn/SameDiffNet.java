package dev.distillery.core.nn;

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
import org.nd4j.linalg.schedule.ISchedule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network on the SameDiff engine: forward passes, minibatch training with Adam, and parameter and optimizer
 * state exchanged as plain float arrays so that Spark can broadcast and average them.
 */
public final class SameDiffNet {
    private final Architecture arch;
    private final SameDiff sd;
    private final Objective objective;
    private final List<String> paramNames = new ArrayList<>();

    private SameDiffNet(Architecture arch, SameDiff sd, Objective objective) {
        this.arch = arch;
        this.sd = sd;
        this.objective = objective;
        for (LayerInfo info : arch.layerInfos()) {
            if (info.spec().hasWeights()) {
                paramNames.add(info.weightName());
                paramNames.add(info.biasName());
            }
        }
    }

    public static SameDiffNet forInference(Architecture arch, Map<String, float[]> params, GraphHooks hooks) {
        return new SameDiffNet(arch, GraphBuilder.build(arch, params, hooks), null);
    }

    public static SameDiffNet forTraining(Architecture arch, Map<String, float[]> params, GraphHooks hooks,
                                          Objective objective, ISchedule learningRate, double l2) {
        SameDiff sd = GraphBuilder.build(arch, params, hooks);
        SDVariable loss = objective.loss(sd, sd.getVariable(GraphBuilder.LOGITS), arch.numClasses());
        sd.setLossVariables(loss.name());
        TrainingConfig.Builder cfg = TrainingConfig.builder()
                .updater(new Adam(learningRate))
                .dataSetFeatureMapping(GraphBuilder.INPUT)
                .dataSetLabelMapping(objective.targetNames().toArray(new String[0]));
        if (l2 > 0) {
            cfg.regularization(new L2Regularization(l2));
        }
        sd.setTrainingConfig(cfg.build());
        return new SameDiffNet(arch, sd, objective);
    }

    public Architecture architecture() {
        return arch;
    }

    /** Logits for a batch of flattened inputs. */
    public float[][] logits(float[][] features) {
        return output(features, GraphBuilder.LOGITS);
    }

    /** Any named activation for a batch (used for calibration). */
    public float[][] output(float[][] features, String variable) {
        INDArray in = Nd4j.create(features);
        INDArray out = sd.output(Map.of(GraphBuilder.INPUT, in), variable).get(variable);
        long n = out.size(0);
        INDArray flat = out.reshape('c', n, out.length() / n);
        return flat.toFloatMatrix();
    }

    /** Max over the batch and all positions of each named activation. */
    public Map<String, Double> activationMax(float[][] features, List<String> variables) {
        Map<String, INDArray> out = sd.output(Map.of(GraphBuilder.INPUT, Nd4j.create(features)),
                variables.toArray(new String[0]));
        Map<String, Double> max = new LinkedHashMap<>();
        for (String v : variables) {
            max.put(v, out.get(v).maxNumber().doubleValue());
        }
        return max;
    }

    /** Trains on one minibatch at global step {@code iteration}. */
    public void fit(float[][] features, int[] labels, float[][] teacherLogits, int iteration) {
        sd.getTrainingConfig().setIterationCount(iteration);
        INDArray[] targets = objective.targets(labels, teacherLogits, arch.numClasses());
        MultiDataSet batch = new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[]{Nd4j.create(features)}, targets);
        sd.fit(batch);
    }

    /** The objective's loss on a minibatch, without training. */
    public double loss(float[][] features, int[] labels, float[][] teacherLogits) {
        INDArray[] targets = objective.targets(labels, teacherLogits, arch.numClasses());
        Map<String, INDArray> feed = new LinkedHashMap<>();
        feed.put(GraphBuilder.INPUT, Nd4j.create(features));
        List<String> names = objective.targetNames();
        for (int i = 0; i < names.size(); i++) {
            feed.put(names.get(i), targets[i]);
        }
        String lossName = sd.getLossVariables().get(0);
        return sd.output(feed, lossName).get(lossName).sumNumber().doubleValue();
    }

    public Map<String, float[]> params() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String name : paramNames) {
            out.put(name, sd.getVariable(name).getArr().dup('c').data().asFloat());
        }
        return out;
    }

    public void setParams(Map<String, float[]> params) {
        for (String name : paramNames) {
            INDArray arr = sd.getVariable(name).getArr();
            arr.assign(Nd4j.create(params.get(name), arr.shape(), 'c'));
        }
    }

    /** Optimizer state (Adam moments) keyed "param/state"; empty before the first training step. */
    public Map<String, float[]> updaterState() {
        Map<String, float[]> out = new LinkedHashMap<>();
        Map<String, GradientUpdater> updaters = sd.getUpdaterMap();
        if (updaters == null) {
            return out;
        }
        for (String name : paramNames) {
            GradientUpdater u = updaters.get(name);
            if (u == null || u.getState() == null) {
                continue;
            }
            Map<String, INDArray> state = (Map<String, INDArray>) u.getState();
            state.forEach((k, v) -> out.put(name + "/" + k, v.dup('c').data().asFloat()));
        }
        return out;
    }

    public void setUpdaterState(Map<String, float[]> state) {
        Map<String, GradientUpdater> updaters = sd.getUpdaterMap();
        if (state.isEmpty() || updaters == null) {
            return;
        }
        for (String name : paramNames) {
            GradientUpdater u = updaters.get(name);
            if (u == null || u.getState() == null) {
                continue;
            }
            Map<String, INDArray> current = (Map<String, INDArray>) u.getState();
            current.forEach((k, v) -> {
                float[] s = state.get(name + "/" + k);
                if (s != null) {
                    v.assign(Nd4j.create(s, v.shape(), 'c'));
                }
            });
        }
    }

    /** Whether the optimizer has been initialised (it is created lazily by the first fit). */
    public boolean hasUpdaterState() {
        return sd.getUpdaterMap() != null && !sd.getUpdaterMap().isEmpty();
    }

}
