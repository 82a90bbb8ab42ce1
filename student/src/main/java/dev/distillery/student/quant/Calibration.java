package dev.distillery.student.quant;

import dev.distillery.core.error.DataContractException;
import dev.distillery.core.error.InvalidConfigException;
import dev.distillery.core.model.Architecture;
import dev.distillery.core.model.LayerInfo;
import dev.distillery.core.model.LayerSpec;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.nn.GraphHooks;
import dev.distillery.core.nn.SameDiffNet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Post-training calibration: min-max activation ranges of a float model over a sample of inputs. */
public final class Calibration {
    /** Rows per forward pass; bounds memory for large samples without changing the result. */
    private static final int CHUNK = 512;

    private Calibration() {
    }

    /**
     * Ranges of the network input ("input") and of every ReLU output ("L{i}") that feeds a later weighted layer.
     * ReLUs after the last weighted layer are left out: the integer runtime produces float logits there.
     */
    public static QuantSpec calibrate(ModelArtifact model, float[][] sample, int weightBits, int activationBits) {
        checkBits("weightBits", weightBits);
        checkBits("activationBits", activationBits);
        Architecture arch = model.architecture();
        if (sample == null || sample.length == 0) {
            throw new DataContractException("calibration of " + arch.name() + " needs at least one sample row");
        }
        for (int r = 0; r < sample.length; r++) {
            if (sample[r].length != arch.inputSize()) {
                throw new DataContractException("calibration row " + r + " has " + sample[r].length
                        + " values, architecture " + arch.name() + " expects " + arch.inputSize());
            }
        }
        Map<String, String> variableToPoint = quantizationPoints(arch);
        List<String> variables = new ArrayList<>(variableToPoint.keySet());
        SameDiffNet net = SameDiffNet.forInference(arch, model.params(), GraphHooks.NONE);
        Map<String, Double> max = new LinkedHashMap<>();
        max.put("input", 0.0);
        variableToPoint.values().forEach(p -> max.put(p, 0.0));
        for (int from = 0; from < sample.length; from += CHUNK) {
            float[][] chunk = Arrays.copyOfRange(sample, from, Math.min(sample.length, from + CHUNK));
            for (float[] row : chunk) {
                for (float v : row) {
                    max.merge("input", (double) v, Math::max);
                }
            }
            if (!variables.isEmpty()) {
                net.activationMax(chunk, variables).forEach((v, m) -> max.merge(variableToPoint.get(v), m, Math::max));
            }
        }
        return new QuantSpec(weightBits, activationBits, max);
    }

    /** Graph variable name ("act{i}", see GraphBuilder) → quantization point ("L{i}") of each calibrated ReLU. */
    static Map<String, String> quantizationPoints(Architecture arch) {
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
