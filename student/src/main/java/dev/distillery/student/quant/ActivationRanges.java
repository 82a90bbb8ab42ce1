package dev.distillery.student.quant;

import dev.distillery.core.engine.Engines;
import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;
import dev.distillery.core.engine.GraphHooks;
import dev.distillery.core.engine.Network;
import dev.distillery.core.engine.FakeQuantHooks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exponential-moving-average tracking of activation ranges during quantization-aware training: after each
 * fine-tuning epoch the fake-quantized model runs over the calibration sample batch by batch, and each point's
 * minimum and maximum move towards the batch's, {@code r = decay * r + (1 - decay) * batch}. The ranges are fixed
 * while an epoch trains and frozen after the last one for export.
 */
public final class ActivationRanges {
    private ActivationRanges() {
    }

    /**
     * The spec with its ranges moved by one pass over {@code sample} in batches of {@code batch} rows through the
     * model fake-quantized with {@code spec} (and any extra hooks, e.g. pruning masks, applied first).
     */
    public static QuantSpec update(ModelArtifact model, QuantSpec spec, GraphHooks extra, float[][] sample, int batch,
                                   double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), was " + decay);
        }
        Map<String, String> variableToPoint = Calibration.quantizationPoints(model.architecture());
        List<String> variables = new ArrayList<>(variableToPoint.keySet());
        Network net = Engines.network().forInference(model.architecture(), model.params(),
                GraphHooks.chain(extra, new FakeQuantHooks(spec)));
        Map<String, Double> max = new LinkedHashMap<>(spec.activationMax());
        Map<String, Double> min = new LinkedHashMap<>();
        for (String point : max.keySet()) {
            min.put(point, spec.activationMin().getOrDefault(point, 0.0));
        }
        for (int from = 0; from < sample.length; from += batch) {
            float[][] chunk = Arrays.copyOfRange(sample, from, Math.min(sample.length, from + batch));
            double inMax = Double.NEGATIVE_INFINITY;
            double inMin = Double.POSITIVE_INFINITY;
            for (float[] row : chunk) {
                for (float v : row) {
                    inMax = Math.max(inMax, v);
                    inMin = Math.min(inMin, v);
                }
            }
            ema(max, "input", inMax, decay);
            ema(min, "input", inMin, decay);
            if (!variables.isEmpty()) {
                for (Map.Entry<String, float[]> e : net.activationValues(chunk, variables).entrySet()) {
                    float hi = Float.NEGATIVE_INFINITY;
                    float lo = Float.POSITIVE_INFINITY;
                    for (float v : e.getValue()) {
                        hi = Math.max(hi, v);
                        lo = Math.min(lo, v);
                    }
                    String point = variableToPoint.get(e.getKey());
                    ema(max, point, hi, decay);
                    ema(min, point, lo, decay);
                }
            }
        }
        return spec.withRanges(max, min);
    }

    private static void ema(Map<String, Double> ranges, String point, double observed, double decay) {
        ranges.computeIfPresent(point, (k, r) -> decay * r + (1 - decay) * observed);
    }
}
