package dev.distillery.evaluation.report;

import java.util.OptionalDouble;

/**
 * One variant on one microcontroller profile: what its C build measured on the emulated core beside what the cost
 * model estimates, before and after calibration, with the relative errors of the estimates.
 *
 * @param measuredLatencyMs  instructions x the profile's cycles per instruction / its clock: the instruction count
 *                           is measured, the cycles per instruction are assumed
 * @param estimatedLatencyMs the profile's roofline estimate from its own MAC rate, before calibration
 * @param calibratedLatencyMs the roofline with the MAC rate calibrated on the measured builds of this core
 * @param estimatedFlashBytes the cost model's flash need (the integer model file)
 * @param estimatedRamBytes  the cost model's RAM need (planned peak activations)
 */
public record DeviceRow(String variant, String profileId, DeviceMeasurement measured, double measuredLatencyMs,
                        OptionalDouble estimatedLatencyMs, OptionalDouble calibratedLatencyMs,
                        long estimatedFlashBytes, long estimatedRamBytes) {

    /** (estimate - measured) / measured; negative when the estimate is too low. */
    static double error(double estimate, double measured) {
        return (estimate - measured) / measured;
    }

    public OptionalDouble latencyError() {
        return estimatedLatencyMs.isPresent()
                ? OptionalDouble.of(error(estimatedLatencyMs.getAsDouble(), measuredLatencyMs)) : OptionalDouble.empty();
    }

    public OptionalDouble calibratedLatencyError() {
        return calibratedLatencyMs.isPresent()
                ? OptionalDouble.of(error(calibratedLatencyMs.getAsDouble(), measuredLatencyMs)) : OptionalDouble.empty();
    }

    public double flashError() {
        return error(estimatedFlashBytes, measured.flashBytes());
    }

    public double ramError() {
        return error(estimatedRamBytes, measured.ramBytes());
    }
}
