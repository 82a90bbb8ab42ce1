package dev.distillery.evaluation.report;

/**
 * The cost model against reality: one variant's batch-1 latency measured in one runtime on this machine next to
 * the host profile's estimate for it.
 *
 * @param relativeError (estimate - measured) / measured: negative when the model is optimistic
 */
public record CostCheck(String variant, String runtime, double measuredMedianMs, double measuredP90Ms,
                        double estimatedMs, double relativeError) {

    static CostCheck of(String variant, String runtime, double medianMs, double p90Ms, double estimatedMs) {
        return new CostCheck(variant, runtime, medianMs, p90Ms, estimatedMs, (estimatedMs - medianMs) / medianMs);
    }
}
