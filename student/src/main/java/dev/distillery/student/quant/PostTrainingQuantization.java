package dev.distillery.student.quant;

import dev.distillery.core.model.ModelArtifact;
import dev.distillery.core.model.QuantSpec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Post-training quantization: the float model, unchanged, with ranges from one calibration method and weights at
 * one granularity; one variant per (method, granularity), named {@code ptq-<method>-<granularity>}.
 */
public final class PostTrainingQuantization {
    private PostTrainingQuantization() {
    }

    /**
     * @param granularities "per_channel" and/or "per_tensor"
     * @param percentile    clipping percentile of the percentile method
     */
    public static Map<String, ModelArtifact> variants(ModelArtifact model, float[][] sample,
                                                      List<CalibrationMethod> methods, List<String> granularities,
                                                      int weightBits, int activationBits, double percentile) {
        Map<String, ModelArtifact> out = new LinkedHashMap<>();
        for (CalibrationMethod method : methods) {
            QuantSpec ranges = null;
            for (String granularity : granularities) {
                boolean perTensor = switch (granularity) {
                    case "per_channel" -> false;
                    case "per_tensor" -> true;
                    default -> throw new IllegalArgumentException("unknown weight granularity " + granularity);
                };
                QuantSpec settings = new QuantSpec(weightBits, activationBits, Map.of(), Map.of(), perTensor, 0);
                if (ranges == null) {
                    // Activation ranges do not depend on the weight granularity: calibrate once per method.
                    ranges = Calibration.calibrate(model, sample, settings, method, percentile);
                }
                QuantSpec spec = settings.withRanges(ranges.activationMax(), ranges.activationMin());
                String name = "ptq-" + method.configName() + "-" + granularity;
                Map<String, String> meta = new LinkedHashMap<>(model.metadata());
                meta.put("variant", name);
                meta.put("calibration", method.configName());
                meta.put("weight_granularity", granularity);
                meta.put("calibration_rows", String.valueOf(sample.length));
                if (method == CalibrationMethod.PERCENTILE) {
                    meta.put("percentile", String.valueOf(percentile));
                }
                out.put(name, model.withQuant(spec).withKind(model.kind(), meta));
            }
        }
        return out;
    }
}
