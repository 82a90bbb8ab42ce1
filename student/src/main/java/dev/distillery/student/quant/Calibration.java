package dev.distillery.student.quant;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Post-training calibration: the activation ranges of a float model over a sample of inputs, by min-max,
 * percentile or entropy (see {@link CalibrationMethod}).
 *
 * <p>The network input keeps its observed min-max range under every method: it is the data's own range
 * (pixels in [0, 1]), and clipping it would throw away information no later layer can recover. The ReLU outputs
 * are non-negative, so their ranges start at 0 and only their upper threshold is searched.
 */
public final class Calibration {
    /** Rows per forward pass; bounds memory for large samples without changing the result. */
    private static final int CHUNK = 256;

    private Calibration() {
    }

    /** Min-max ranges with per-channel weights: the start of quantization-aware training. */
    public static QuantSpec calibrate(ModelArtifact model, float[][] sample, int weightBits, int activationBits) {
        checkBits("weightBits", weightBits);
        checkBits("activationBits", activationBits);
        return calibrate(model, sample, new QuantSpec(weightBits, activationBits, Map.of()), CalibrationMethod.MINMAX,
                100.0);
    }

    /**
     * Ranges of the network input ("input") and of every ReLU output ("L{i}") that feeds a later weighted layer,
     * chosen by {@code method}; bit widths and weight granularity come from {@code settings}. ReLUs after the last
     * weighted layer are left out: the integer runtime produces float logits there.
     *
     * @param percentile in (0, 100], used by {@link CalibrationMethod#PERCENTILE} only
     */
    public static QuantSpec calibrate(ModelArtifact model, float[][] sample, QuantSpec settings,
                                      CalibrationMethod method, double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new InvalidConfigException("calibration percentile given invalid value " + percentile
                    + "; expected a percentage in (0, 100], e.g. 99.99");
        }
        Architecture arch = model.architecture();
        dev.distillery.core.model.BatchNormFolding.requireFolded(arch, "calibration");
        checkSample(arch, sample);
        Map<String, String> variableToPoint = quantizationPoints(arch);
        List<String> variables = new ArrayList<>(variableToPoint.keySet());
        Network net = Engines.network().forInference(arch, model.params(), GraphHooks.NONE);
        Map<String, Double> max = new LinkedHashMap<>();
        Map<String, Double> min = new LinkedHashMap<>();
        max.put("input", 0.0);
        min.put("input", 0.0);
        variableToPoint.values().forEach(p -> max.put(p, 0.0));
        for (int from = 0; from < sample.length; from += CHUNK) {
            float[][] chunk = Arrays.copyOfRange(sample, from, Math.min(sample.length, from + CHUNK));
            for (float[] row : chunk) {
                for (float v : row) {
                    max.merge("input", (double) v, Math::max);
                    min.merge("input", (double) v, Math::min);
                }
            }
            if (!variables.isEmpty()) {
                net.activationMax(chunk, variables).forEach((v, m) -> max.merge(variableToPoint.get(v), m, Math::max));
            }
        }
        if (method != CalibrationMethod.MINMAX && !variables.isEmpty()) {
            Map<String, Histogram> histograms = new LinkedHashMap<>();
            variableToPoint.forEach((v, p) -> histograms.put(v, new Histogram(max.get(p), Histogram.BINS)));
            for (int from = 0; from < sample.length; from += CHUNK) {
                float[][] chunk = Arrays.copyOfRange(sample, from, Math.min(sample.length, from + CHUNK));
                net.activationValues(chunk, variables).forEach((v, values) -> histograms.get(v).add(values));
            }
            int levels = settings.activationQmax() + 1;
            histograms.forEach((v, h) -> max.put(variableToPoint.get(v), method == CalibrationMethod.PERCENTILE
                    ? h.percentile(percentile) : h.entropyThreshold(levels)));
        }
        return settings.withRanges(max, min);
    }

    private static void checkSample(Architecture arch, float[][] sample) {
        if (sample == null || sample.length == 0) {
            throw new DataContractException("calibration of " + arch.name() + " needs at least one sample row");
        }
        for (int r = 0; r < sample.length; r++) {
            if (sample[r].length != arch.inputSize()) {
                throw new DataContractException("calibration row " + r + " has " + sample[r].length
                        + " values, architecture " + arch.name() + " expects " + arch.inputSize());
            }
        }
    }

    /** Graph variable name ("act{i}", see Network#outputName) → quantization point ("L{i}") of each calibrated ReLU. */
    public static Map<String, String> quantizationPoints(Architecture arch) {
        List<LayerInfo> infos = arch.layerInfos();
        int lastWeighted = -1;
        for (LayerInfo info : infos) {
            if (info.spec().hasWeights()) {
                lastWeighted = info.index();
            }
        }
        Map<String, String> points = new LinkedHashMap<>();
        for (LayerInfo info : infos) {
            if (info.spec() instanceof LayerSpec.Relu && info.index() < lastWeighted) {
                points.put("act" + info.index(), "L" + info.index());
            }
        }
        return points;
    }

    private static void checkBits(String name, int bits) {
        if (bits < 2 || bits > 8) {
            throw new InvalidConfigException("calibration parameter " + name + " given invalid value " + bits
                    + "; expected 2..8");
        }
    }
}
