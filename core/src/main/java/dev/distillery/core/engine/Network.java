package dev.distillery.core.engine;

import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network on an engine: forward passes, minibatch training, and parameters and optimizer state exchanged as
 * plain float arrays so that Spark can broadcast and average them. Every call takes a whole batch, so the engine
 * boundary costs one interface call per batch. Activations are named as the graph names them: "act{i}" for layer
 * i's output (the last layer's is "logits"), "L{i}_fq" for a fake-quantized ReLU output.
 */
public interface Network {
    /** Name of the network's output. */
    String LOGITS = "logits";

    /** Name of the activation holding layer {@code index}'s output (the last layer's is {@link #LOGITS}). */
    static String outputName(int index) {
        return "act" + index;
    }

    Architecture architecture();

    /** Logits for a batch of flattened inputs. */
    float[][] logits(float[][] features);

    /** Any named activation for a batch, one flattened row per example (used for calibration). */
    float[][] output(float[][] features, String variable);

    /** Max over the batch and all positions of each named activation. */
    Map<String, Double> activationMax(float[][] features, List<String> variables);

    /** Every value of each named activation for a batch, flattened (calibration histograms read these). */
    Map<String, float[]> activationValues(float[][] features, List<String> variables);

    /** A scalar of the graph (e.g. one term of the loss) for a batch, fed only with the inputs. */
    double scalar(float[][] features, String variable);

    /** The current values of any variable or constant of the graph, row-major. */
    float[] tensor(String name);

    /**
     * Mean and biased variance of every batch norm's input over {@code features} taken as one batch, with every
     * batch norm normalising by those same statistics; keyed by {@link LayerInfo#meanName()} and
     * {@link LayerInfo#varianceName()}. Needs a network built for statistics or for training.
     */
    Map<String, float[]> batchStatistics(float[][] features);

    /** Trains on one minibatch at global step {@code iteration}; {@code teacherLogits} is null without soft labels. */
    void fit(float[][] features, int[] labels, float[][] teacherLogits, int iteration);

    /** The objective's loss on a minibatch, without training. */
    double loss(float[][] features, int[] labels, float[][] teacherLogits);

    /** The trained tensors by name: the network's parameters, then the objective's auxiliary ones. */
    Map<String, float[]> params();

    void setParams(Map<String, float[]> params);

    /** Whether the optimizer has been initialised (it is created lazily by the first fit). */
    boolean hasUpdaterState();

    /**
     * All trainable parameters concatenated in layer order (weights then bias, or gamma then beta, per layer), then
     * the objective's auxiliary ones.
     */
    float[] flatParams();

    void setFlatParams(float[] flat);

    /** Optimizer state concatenated in a fixed order (parameters in layer order, state keys sorted). */
    float[] flatUpdaterState();

    void setFlatUpdaterState(float[] flat);

    /**
     * Splits a flat vector of trainable parameters back into named arrays; batch norm statistics are not part of
     * it (see {@link LayerInfo#trainableNames()}).
     */
    static Map<String, float[]> unflatten(Architecture arch, float[] flat) {
        Map<String, float[]> out = new LinkedHashMap<>();
        int off = 0;
        for (LayerInfo info : arch.layerInfos()) {
            for (String name : info.trainableNames()) {
                int n = (int) info.size(name);
                out.put(name, Arrays.copyOfRange(flat, off, off + n));
                off += n;
            }
        }
        return out;
    }
}
