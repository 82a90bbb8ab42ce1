package dev.distillery.student.quant;

import dev.distillery.core.error.InvalidConfigException;

import java.util.Arrays;
import java.util.Locale;

/**
 * How post-training calibration turns the observed values of an activation into its clipping threshold:
 * {@code minmax} keeps every value, {@code percentile} clips at a percentile of the values, {@code entropy}
 * picks the threshold whose quantized distribution is closest to the observed one in KL divergence (the search
 * TensorRT describes for int8 calibration, on the positive values and the unsigned codes, see
 * {@link Histogram#entropyThreshold}).
 */
public enum CalibrationMethod {
    MINMAX, PERCENTILE, ENTROPY;

    /** The configuration name: minmax, percentile, entropy. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a configuration value; {@code field} names the YAML path in the error. */
    public static CalibrationMethod parse(String field, String value) {
        for (CalibrationMethod m : values()) {
            if (m.configName().equals(value)) {
                return m;
            }
        }
        throw new InvalidConfigException(field + " given unknown calibration method \"" + value + "\"; expected one of "
                + Arrays.stream(values()).map(CalibrationMethod::configName).toList());
    }
}
