package dev.distillery.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.distillery.core.error.InvalidConfigException;

import java.util.List;

/**
 * Post-training quantization: one variant of the student per calibration method and weight granularity,
 * calibrated on a sample of the training split without any fine-tuning.
 *
 * @param calibrationRows rows of the calibration sample; 0 reuses {@code qat.calibration_rows}
 * @param percentile      clipping percentile of the {@code percentile} method, in (0, 100]
 */
public record PtqConfig(
        boolean enabled,
        List<String> methods,
        List<String> granularities,
        double percentile,
        @JsonProperty("calibration_rows") int calibrationRows,
        @JsonProperty("weight_bits") int weightBits) {

    /** Weight granularities by configuration name. */
    public static final List<String> GRANULARITIES = List.of("per_channel", "per_tensor");

    public PtqConfig {
        methods = methods == null ? List.of() : List.copyOf(methods);
        granularities = granularities == null ? List.of() : List.copyOf(granularities);
        if (enabled && (methods.isEmpty() || granularities.isEmpty())) {
            throw new InvalidConfigException("ptq.methods and ptq.granularities must each list at least one entry "
                    + "when ptq.enabled is true, were " + methods + " and " + granularities);
        }
        for (int i = 0; i < methods.size(); i++) {
            QuantConfig.checkMethod("ptq.methods[" + i + "]", methods.get(i));
        }
        for (int i = 0; i < granularities.size(); i++) {
            if (!GRANULARITIES.contains(granularities.get(i))) {
                throw new InvalidConfigException("ptq.granularities[" + i + "] given unknown granularity \""
                        + granularities.get(i) + "\"; expected one of " + GRANULARITIES);
            }
        }
        Check.range("ptq.percentile", percentile, 1e-9, 100.0, true);
        Check.nonNegative("ptq.calibration_rows", calibrationRows);
        QuantConfig.checkWeightBits("ptq.weight_bits", weightBits);
    }

    /** The sample size: this section's own, or the QAT stage's when 0. */
    public int rows(QuantConfig qat) {
        return calibrationRows > 0 ? calibrationRows : qat.calibrationRows();
    }
}
